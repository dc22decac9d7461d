import pytest

from core.crypto import Cipher, generate_key
from core.errors import SecretKeyError


def test_first_key_encrypts_and_every_key_decrypts():
    old, new = generate_key(), generate_key()
    token = Cipher(old).encrypt("s3cret")
    both = Cipher(f"{new},{old}")
    assert both.decrypt(token, what="x") == "s3cret"
    rotated = both.rotate(token, what="x")
    assert Cipher(new).decrypt(rotated, what="x") == "s3cret"
    with pytest.raises(SecretKeyError):
        Cipher(old).decrypt(rotated, what="x")


def test_a_malformed_key_is_a_clear_error():
    with pytest.raises(SecretKeyError, match="key #1 is not a valid Fernet key"):
        Cipher("not-a-key")


def test_a_foreign_key_names_the_connection_not_the_secret():
    token = Cipher(generate_key()).encrypt("hunter2")
    with pytest.raises(SecretKeyError) as info:
        Cipher(generate_key()).decrypt(token, what="connection 'prod'")
    assert "connection 'prod'" in str(info.value)
    assert "hunter2" not in str(info.value)


def test_no_key_is_a_clear_error_only_when_used():
    cipher = Cipher(None)
    assert not cipher.configured
    with pytest.raises(SecretKeyError, match="SQLDRAFT_SECRET_KEY is not set"):
        cipher.encrypt("x")
