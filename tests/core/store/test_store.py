import sqlite3

import pytest
from sqlalchemy import text

from core.errors import ConfigurationError, Hint, HintRef, StoreVersionError
from core.store import Store


def test_a_new_sqlite_store_is_created_with_wal_and_foreign_keys(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'nested' / 'store.db'}")
    store.ensure_ready()
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert store.revisions()[0] == store.revisions()[1]
    store.dispose()


def test_the_store_works_on_postgresql(pg_store_url):
    store = Store(pg_store_url)
    before, after = store.upgrade()
    assert before is None and after
    assert store.upgrade() == (after, after)
    store.dispose()


def test_a_store_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "store.db"
    store = Store(f"sqlite:///{path}")
    store.ensure_ready()
    store.dispose()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    again = Store(f"sqlite:///{path}")
    with pytest.raises(StoreVersionError, match="newer sqldraft"):
        again.ensure_ready()
    with pytest.raises(StoreVersionError, match="newer sqldraft"):
        again.upgrade()
    again.dispose()


def test_a_foreign_database_is_not_taken_over(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE important (x int)")
    conn.commit()
    conn.close()
    store = Store(f"sqlite:///{path}")
    with pytest.raises(StoreVersionError, match="no sqldraft version"):
        store.ensure_ready()
    store.dispose()


@pytest.mark.parametrize("url", ["nonsense", "oracle://x/y"])
def test_a_bad_store_url_is_a_configuration_error(url):
    with pytest.raises(ConfigurationError, match="SQLDRAFT_STORE_URL"):
        Store(url)


def test_an_older_store_must_be_upgraded_with_init(tmp_path, monkeypatch):
    from alembic import command

    from core.store.db import _alembic_config
    from tests.support.cli import run_cli

    path = tmp_path / "old.db"
    store = Store(f"sqlite:///{path}")
    with store.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
    with pytest.raises(StoreVersionError, match="older version \\(0001\\)") as refused:
        store.ensure_ready()
    assert refused.value.hints == (HintRef(Hint.UPGRADE_STORE),)
    store.dispose()
    monkeypatch.setenv("SQLDRAFT_STORE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("SQLDRAFT_SECRET_KEY", __import__("core.crypto").crypto.generate_key())
    refused = run_cli("connections", "list")
    assert refused.code == 2 and "run `sqldraft init`" in refused.err
    upgraded = run_cli("init")
    assert upgraded.code == 0 and "upgraded the store" in upgraded.out and "from 0001" in upgraded.out
    assert run_cli("connections", "list").code == 0
