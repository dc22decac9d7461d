"""Credentials at rest: Fernet with several keys (MultiFernet), the first one encrypting."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr

from core.errors import Hint, SecretKeyError


def generate_key() -> str:
    """A fresh Fernet key (url-safe base64 of 32 random bytes)."""
    return Fernet.generate_key().decode("ascii")


class Cipher:
    """Encrypts and decrypts credentials with the configured keys.

    A cipher without keys is allowed to exist (a store of SQLite connections needs none); using it
    raises :class:`SecretKeyError` naming the setting.
    """

    def __init__(self, secret: SecretStr | str | None) -> None:
        raw = secret.get_secret_value() if isinstance(secret, SecretStr) else (secret or "")
        self._keys: list[Fernet] = []
        for position, part in enumerate(p.strip() for p in raw.split(",")):
            if not part:
                continue
            try:
                self._keys.append(Fernet(part.encode("ascii")))
            except (ValueError, UnicodeEncodeError):
                raise SecretKeyError(
                    f"SQLDRAFT_SECRET_KEY key #{position + 1} is not a valid Fernet key "
                    "(32 url-safe base64-encoded bytes)",
                    hints=[Hint.GENERATE_KEY],
                ) from None

    @property
    def configured(self) -> bool:
        return bool(self._keys)

    def _multi(self) -> MultiFernet:
        if not self._keys:
            raise SecretKeyError(
                "SQLDRAFT_SECRET_KEY is not set, so credentials cannot be stored or read", hints=[Hint.GENERATE_KEY]
            )
        return MultiFernet(self._keys)

    def encrypt(self, plaintext: str) -> bytes:
        return self._multi().encrypt(plaintext.encode("utf-8"))

    def decrypt(self, token: bytes, *, what: str) -> str:
        """Decrypt a credential; ``what`` names it in the error (never the value).

        Raises:
            SecretKeyError: no key, or none of the keys opens the token.
        """
        try:
            return self._multi().decrypt(token).decode("utf-8")
        except InvalidToken:
            raise SecretKeyError(
                f"cannot decrypt the credential of {what}: SQLDRAFT_SECRET_KEY does not hold the key it was "
                "encrypted with (restore the old key, or add the connection again)"
            ) from None

    def rotate(self, token: bytes, *, what: str) -> bytes:
        """Re-encrypt a token with the first key."""
        try:
            return self._multi().rotate(token)
        except InvalidToken:
            raise SecretKeyError(
                f"cannot re-encrypt the credential of {what}: none of the keys in SQLDRAFT_SECRET_KEY opens it"
            ) from None
