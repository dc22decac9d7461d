import time

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from core.bootstrap import build_copilot
from core.crypto import generate_key
from core.domain.connections import ConnectionOptions
from core.domain.schema import Dialect
from core.errors import Conflict, Hint, HintRef, InvalidInput, NotFound, SecretKeyError
from core.introspection.targets import read_only_hint
from core.store.models import ConnectionRow
from tests.conftest import make_settings
from tests.support.servers import mariadb_admin
from tests.support.silent_server import SilentServer


def test_a_url_password_is_stored_encrypted_and_apart_from_the_url(copilot):
    profile = copilot.add_connection("prod", "postgresql://app:hunter2@db.internal:5432/shop")
    assert profile.url == "postgresql+psycopg://app@db.internal:5432/shop"
    assert profile.has_password
    with copilot.store.session() as s:
        row = s.scalars(select(ConnectionRow)).one()
        assert b"hunter2" not in row.credential
        assert "hunter2" not in row.url
        assert copilot.cipher.decrypt(row.credential, what="x") == "hunter2"


@pytest.mark.parametrize(
    ("name", "url", "message"),
    [
        ("", "sqlite:///x.db", "connection name is blank"),
        ("my db", "sqlite:///x.db", "no spaces"),
        ("ok", "oracle://u@h/db", "unknown dialect 'oracle'"),
        ("ok", "not a url", "malformed"),
        ("ok", "postgresql://", "has no host"),
        ("ok", "postgresql+asyncpg://u@h/db", "driver 'asyncpg' is not supported"),
        ("ok", "sqlite://", "needs a file path"),
    ],
)
def test_bad_connection_input_is_refused_and_nothing_is_stored(copilot, name, url, message):
    with pytest.raises(InvalidInput, match=message):
        copilot.add_connection(name, url)
    assert copilot.list_connections() == []


def test_a_malformed_url_never_echoes_its_password(copilot):
    with pytest.raises(InvalidInput) as info:
        copilot.add_connection("x", "postgresql//app:hunter2@host/db")
    assert "hunter2" not in str(info.value)


def test_duplicate_names_are_a_conflict(copilot):
    copilot.add_connection("a", "sqlite:///a.db")
    with pytest.raises(Conflict, match="already exists"):
        copilot.add_connection("a", "sqlite:///b.db")


def test_a_password_needs_a_secret_key(tmp_path, sqlite_store_url):
    copilot = build_copilot(make_settings(sqlite_store_url, None, tmp_path))
    with pytest.raises(SecretKeyError, match="SQLDRAFT_SECRET_KEY is not set"):
        copilot.add_connection("p", "postgresql://u:pw@h/db")
    assert copilot.list_connections() == []
    copilot.close()


def test_a_wrong_key_names_the_connection(tmp_path, sqlite_store_url):
    first = build_copilot(make_settings(sqlite_store_url, generate_key(), tmp_path))
    first.add_connection("prod", "postgresql://u:pw@127.0.0.1/db")
    first.close()
    second = build_copilot(make_settings(sqlite_store_url, generate_key(), tmp_path))
    with pytest.raises(SecretKeyError, match="connection 'prod'"):
        second.verify_connection("prod")
    second.close()


def test_rotation_reencrypts_with_the_new_first_key(tmp_path, sqlite_store_url):
    old, new = generate_key(), generate_key()
    first = build_copilot(make_settings(sqlite_store_url, old, tmp_path))
    first.add_connection("prod", "postgresql://u:pw@127.0.0.1/db")
    first.close()
    both = build_copilot(make_settings(sqlite_store_url, f"{new},{old}", tmp_path))
    assert both.rotate_keys() == 1
    both.close()
    only_new = build_copilot(make_settings(sqlite_store_url, new, tmp_path))
    with only_new.store.session() as s:
        token = s.scalars(select(ConnectionRow.credential)).one()
    assert only_new.cipher.decrypt(token, what="x") == "pw"
    only_new.close()


def test_verify_reports_version_write_access_and_time_on_postgres(copilot, pg_url):
    copilot.add_connection("pg", pg_url)
    report = copilot.verify_connection("pg")
    assert report.ok and report.server_version and report.server_version[0].isdigit()
    assert report.can_write is True  # the test role is a superuser
    assert any("superuser" in r for r in report.write_reasons)
    assert "GRANT" in report.read_only_hint
    assert report.elapsed_ms >= 0


def test_verify_sees_a_read_only_mariadb_role(copilot, mariadb_url):
    db = mariadb_url.rsplit("/", 1)[1]
    user = f"ro_{db[-10:]}"
    admin = mariadb_admin()
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY 'pw-ro'")
            cur.execute(f"GRANT SELECT, SHOW VIEW ON `{db}`.* TO '{user}'@'127.0.0.1'")
        copilot.add_connection("ro", f"mysql://{user}:pw-ro@127.0.0.1:3306/{db}")
        report = copilot.verify_connection("ro")
        assert report.ok and report.can_write is False and report.write_reasons == []
        copilot.add_connection("root", mariadb_url)
        assert copilot.verify_connection("root").can_write is True
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP USER IF EXISTS '{user}'@'127.0.0.1'")
        admin.close()


def test_a_wrong_password_names_the_connection_not_the_password(copilot, mariadb_url):
    db = mariadb_url.rsplit("/", 1)[1]
    user = f"pw_{db[-10:]}"
    admin = mariadb_admin()
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY 'right-one'")
        copilot.add_connection("maria", f"mysql://{user}@127.0.0.1:3306/{db}", password="wrong-one")
        report = copilot.verify_connection("maria")
        assert not report.ok
        assert "'maria'" in report.error and "Access denied" in report.error
        assert "wrong-one" not in report.error
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP USER IF EXISTS '{user}'@'127.0.0.1'")
        admin.close()


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_an_unresponsive_host_fails_within_the_connect_timeout(tmp_path, sqlite_store_url, secret_key, dialect):
    copilot = build_copilot(make_settings(sqlite_store_url, secret_key, tmp_path, connect_timeout=2))
    with SilentServer() as server:
        copilot.add_connection("slow", f"{dialect}://u:pw@127.0.0.1:{server.port}/db")
        start = time.perf_counter()
        report = copilot.verify_connection("slow")
        elapsed = time.perf_counter() - start
    assert not report.ok and "'slow'" in report.error
    assert elapsed < 8, f"took {elapsed:.1f} s with a 2 s connect timeout"
    copilot.close()


def test_a_refused_port_is_reported_with_the_connection_name(copilot):
    copilot.add_connection("closed", "postgresql://u@127.0.0.1:1/db")
    report = copilot.verify_connection("closed")
    assert not report.ok and "cannot connect to 'closed'" in report.error


def test_options_are_validated_and_can_be_changed(copilot):
    with pytest.raises(InvalidInput, match="refresh schedule"):
        copilot.add_connection("a", "postgresql://u@h/db", options=ConnectionOptions(refresh="sometimes"))
    profile = copilot.add_connection(
        "a", "postgresql://u@h/db", options=ConnectionOptions(include_schemas=["sales"], refresh="30m")
    )
    assert profile.options.include_schemas == ["sales"]
    changed = copilot.set_connection_options("a", refresh="0 */2 * * *", exclude_schemas=["tmp_*"])
    assert changed.options.refresh == "0 */2 * * *" and changed.options.exclude_schemas == ["tmp_*"]
    assert str(copilot.schedules()["a"]) == "cron 0 */2 * * *"
    with pytest.raises(InvalidInput):
        copilot.set_connection_options("a", refresh="5s")
    assert copilot.get_connection("a").options.refresh == "0 */2 * * *"


def test_removing_an_unknown_connection_lists_the_known_ones(copilot):
    copilot.add_connection("alpha", "sqlite:///a.db")
    with pytest.raises(NotFound, match="known connections: alpha"):
        copilot.remove_connection("beta")
    assert copilot.remove_connection("alpha") == 0
    assert copilot.list_connections() == []


def test_a_connection_with_drafts_is_kept_unless_forced(shop_copilot_factory):
    copilot = shop_copilot_factory(generator="offline")
    draft = copilot.draft("shop", "How many orders per status?", requester="cli:ada")
    with pytest.raises(Conflict, match="has 1 draft\\(s\\) in its history") as refused:
        copilot.remove_connection("shop")
    assert refused.value.hints == (HintRef(Hint.USE_FORCE, "shop"),)
    assert copilot.remove_connection("shop", force=True) == 1
    kept = copilot.get_draft(draft.id)
    assert kept.connection == "shop" and kept.generated_script


def test_the_read_only_advice_names_the_connections_own_database(copilot, pg_url):
    copilot.add_connection("pg", pg_url)
    database = make_url(pg_url).database
    assert f"GRANT CONNECT ON DATABASE {database} TO sqldraft_reader" in copilot.verify_connection("pg").read_only_hint


def test_the_read_only_advice_quotes_a_database_name_that_needs_it():
    assert 'ON DATABASE "Sales DB" TO' in read_only_hint(Dialect.POSTGRESQL, "Sales DB")
    assert "ON `shop-2`.* TO" in read_only_hint(Dialect.MYSQL, "shop-2")
