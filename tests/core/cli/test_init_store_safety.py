"""Issue 15 item 7: `sqldraft init` never takes over another application's database; a non-SQLite file is one line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.servers import run_pg, run_sqlite, store_url_for_pg


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


@pytest.fixture
def keyed(cli_env, monkeypatch):
    monkeypatch.delenv("SQLDRAFT_STORE_URL")
    return cli_env


def test_init_refuses_a_sqlite_file_with_foreign_tables_unless_forced(keyed, tmp_path: Path, monkeypatch):
    other = tmp_path / "other-app.db"
    run_sqlite(str(other), "CREATE TABLE invoices (id INTEGER PRIMARY KEY); CREATE TABLE users (id INTEGER)")
    monkeypatch.setenv("SQLDRAFT_STORE_URL", f"sqlite:///{other}")
    refused = run_cli("init")
    assert refused.code == 2 and refused.out == ""
    assert refused.err.count("\n") == 1, refused.err
    assert "holds tables sqldraft does not own (invoices, users)" in refused.err
    assert "--force-into-existing" in refused.err and "Traceback" not in refused.err
    assert _tables(other) == {"invoices", "users"}
    for command in (("connections", "list"), ("history",)):
        later = run_cli(*command)
        assert later.code == 2 and later.err.count("\n") == 1, later.err
        assert _tables(other) == {"invoices", "users"}
    forced = run_cli("init", "--force-into-existing", "--json")
    assert forced.code == 0, forced.err
    assert forced.json()["revision_before"] is None
    assert {"invoices", "users", "connections", "alembic_version"} <= _tables(other)
    assert run_cli("init").code == 0 and run_cli("connections", "list", "--json").json() == []


def test_init_refuses_a_postgresql_database_with_foreign_tables(keyed, pg_url: str, monkeypatch):
    run_pg(pg_url, "CREATE TABLE orders (id int primary key)")
    monkeypatch.setenv("SQLDRAFT_STORE_URL", store_url_for_pg(pg_url))
    refused = run_cli("init")
    assert refused.code == 2 and refused.err.count("\n") == 1
    assert "holds tables sqldraft does not own (orders)" in refused.err
    assert run_cli("init", "--force-into-existing").code == 0


@pytest.mark.parametrize("content", [b"%PDF-1.4 not a database\n" * 40, b"hello", b"\x00" * 4096])
def test_a_store_file_that_is_not_sqlite_is_one_line_naming_the_file(keyed, tmp_path: Path, monkeypatch, content):
    bogus = tmp_path / "notes.db"
    bogus.write_bytes(content)
    monkeypatch.setenv("SQLDRAFT_STORE_URL", f"sqlite:///{bogus}")
    for command in (("init",), ("init", "--force-into-existing"), ("connections", "list")):
        result = run_cli(*command)
        assert result.code == 2, (command, result.err)
        assert result.err.count("\n") == 1, result.err
        assert f"the store file {bogus} is not a SQLite database" in result.err
        assert "incident" not in result.err
    assert bogus.read_bytes() == content


def test_an_empty_sqlite_file_is_a_fresh_store(keyed, tmp_path: Path, monkeypatch):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    monkeypatch.setenv("SQLDRAFT_STORE_URL", f"sqlite:///{empty}")
    assert run_cli("init").code == 0
    assert "connections" in _tables(empty)
