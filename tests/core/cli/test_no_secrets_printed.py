"""Issue 15 item 5: no command prints a target account's password or its hash (MariaDB and PostgreSQL)."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy.engine import make_url

from tests.support.cli import run_cli
from tests.support.servers import mariadb_admin, pg_admin, run_mariadb, run_pg

pytestmark = pytest.mark.usefixtures("cli_env")

_COMMANDS = [
    ("connections", "verify", "target"),
    ("connections", "list"),
    ("history",),
    ("audit",),
    ("status",),
]


def _every_output() -> str:
    """Text and --json output (stdout and stderr) of every command that shows a connection."""
    printed = []
    for argv in _COMMANDS:
        for extra in ((), ("--json",)):
            result = run_cli(*argv, *extra)
            printed.append(result.out + result.err)
    return "\n".join(printed)


def _assert_absent(printed: str, *secrets_: str) -> None:
    for secret in secrets_:
        assert secret, "the secret to look for is empty, so the check could not fail"
        assert secret not in printed
        assert secret.lower() not in printed.lower()
    # the only IDENTIFIED BY allowed is the read-only setup advice, whose password is the placeholder '...'
    upper = printed.upper()
    assert upper.count("IDENTIFIED BY") == upper.count("IDENTIFIED BY '...'")
    assert "IDENTIFIED BY PASSWORD" not in upper and "IDENTIFIED VIA" not in upper
    assert "SCRAM-SHA-256$" not in printed


def test_mariadb_verify_reports_write_privileges_without_the_password_hash(mariadb_url):
    user, password = f"sd_{secrets.token_hex(4)}", f"pw-{secrets.token_hex(8)}"
    database = make_url(mariadb_url).database
    admin = mariadb_admin()
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'")
            cur.execute(f"GRANT SELECT, INSERT ON `{database}`.* TO '{user}'@'%'")
            # a global privilege puts the hash on the first SHOW GRANTS line (GRANT ... IDENTIFIED BY PASSWORD)
            cur.execute(f"GRANT CREATE TEMPORARY TABLES, INSERT ON *.* TO '{user}'@'%'")
            cur.execute("SELECT authentication_string FROM mysql.user WHERE user = %s", (user,))
            (hash_,) = cur.fetchone()
        run_mariadb(mariadb_url, "CREATE TABLE t (id INT PRIMARY KEY)")
        url = make_url(mariadb_url).set(username=user, password=password).render_as_string(hide_password=False)
        assert run_cli("connections", "add", "target", url).code == 0
        verify = run_cli("connections", "verify", "target", "--json")
        assert verify.code == 0, verify.err
        report = verify.json()
        assert report["ok"] is True and report["can_write"] is True
        assert any("INSERT" in r and database in r for r in report["write_reasons"])
        assert any(r.startswith("holds INSERT on *.*") for r in report["write_reasons"]), report
        _assert_absent(_every_output(), str(hash_), str(hash_).lstrip("*"), password)
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP USER IF EXISTS '{user}'@'%'")
        admin.close()


def test_mariadb_read_only_account_verifies_as_read_only(mariadb_url):
    user, password = f"sd_{secrets.token_hex(4)}", f"pw-{secrets.token_hex(8)}"
    database = make_url(mariadb_url).database
    admin = mariadb_admin()
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'")
            cur.execute(f"GRANT SELECT, SHOW VIEW ON `{database}`.* TO '{user}'@'%'")
        url = make_url(mariadb_url).set(username=user, password=password).render_as_string(hide_password=False)
        assert run_cli("connections", "add", "target", url).code == 0
        report = run_cli("connections", "verify", "target", "--json").json()
        assert report["ok"] is True and report["can_write"] is False, report
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP USER IF EXISTS '{user}'@'%'")
        admin.close()


def test_postgresql_verify_never_prints_the_scram_verifier(pg_url):
    role, password = f"sd_{secrets.token_hex(4)}", f"pw-{secrets.token_hex(8)}"
    admin = pg_admin()
    try:
        admin.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
        run_pg(pg_url, "CREATE TABLE t (id int primary key)", f'GRANT INSERT ON t TO "{role}"')
        verifier = admin.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role,)).fetchone()[0]
        url = make_url(pg_url).set(username=role, password=password).render_as_string(hide_password=False)
        assert run_cli("connections", "add", "target", url).code == 0
        verify = run_cli("connections", "verify", "target", "--json")
        assert verify.code == 0, verify.err
        assert verify.json()["can_write"] is True
        _assert_absent(_every_output(), verifier, verifier.split("$")[-1], password)
    finally:
        db = make_url(pg_url).database
        with pg_admin() as cleanup:
            cleanup.execute(f'REVOKE ALL ON DATABASE "{db}" FROM "{role}"')
        run_pg(pg_url, "DROP TABLE IF EXISTS t")
        admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        admin.close()
