"""Target databases with data (a few thousand rows, a canary table, a function that writes) for runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.bootstrap import build_copilot
from core.service import Copilot
from tests.conftest import make_settings
from tests.support.servers import mariadb_database, pg_database, run_mariadb, run_pg, run_sqlite

ROWS = 3000


@dataclass
class Target:
    dialect: str
    url: str
    copilot: Copilot

    def approved(self, sql: str, *, requester: str = "cli:ada") -> str:
        """A submitted read, approved by someone else; returns its id."""
        draft = self.copilot.submit_sql("t", sql, requester=requester)
        self.copilot.review(draft.id, "approve", "cli:bob")
        return draft.id

    def pending(self, sql: str, *, mode: str = "query") -> str:
        return self.copilot.submit_sql("t", sql, mode=mode, requester="cli:ada").id


_PG = [
    "CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, price numeric(10,2), data bytea, "
    "doc jsonb, tags text[], note text)",
    f"INSERT INTO items SELECT g, 'item ' || g, g * 1.25, NULL, NULL, NULL, NULL FROM generate_series(1, {ROWS}) g",
    "UPDATE items SET data = '\\x00ff10'::bytea, doc = '{\"a\": [1, 2]}', tags = ARRAY['x', 'y'], "
    "note = repeat('long ', 10000) WHERE id = 1",
    "CREATE TABLE canary (n integer)",
    "CREATE FUNCTION bump() RETURNS integer LANGUAGE plpgsql AS $$ BEGIN INSERT INTO canary VALUES (1); "
    "RETURN 1; END $$",
]
_MARIADB = [
    "CREATE TABLE items (id integer PRIMARY KEY, name varchar(50) NOT NULL, price decimal(10,2), data blob, "
    "doc json, tags text, note longtext)",
    "CREATE TABLE seq (n integer PRIMARY KEY)",
    "INSERT INTO seq VALUES " + ",".join(f"({i})" for i in range(1, ROWS + 1)),
    "INSERT INTO items SELECT n, CONCAT('item ', n), n * 1.25, NULL, NULL, NULL, NULL FROM seq",
    "UPDATE items SET data = x'00ff10', doc = '{\"a\": [1, 2]}', tags = 'x,y', note = REPEAT('long ', 10000) "
    "WHERE id = 1",
    "CREATE TABLE canary (n integer)",
    "CREATE FUNCTION bump() RETURNS integer MODIFIES SQL DATA BEGIN INSERT INTO canary VALUES (1); RETURN 1; END",
]
_SQLITE = [
    "CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, price numeric, data blob, doc text, "
    "tags text, note text)",
    f"WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {ROWS}) "
    "INSERT INTO items SELECT n, 'item ' || n, n * 1.25, NULL, NULL, NULL, NULL FROM g",
    "UPDATE items SET data = x'00ff10', doc = '{\"a\": [1, 2]}', tags = 'x,y', note = printf('%.50000c', 'l') "
    "WHERE id = 1",
    "CREATE TABLE canary (n integer)",
]


@pytest.fixture(params=["postgresql", "mariadb", "sqlite"])
def target(request: pytest.FixtureRequest, tmp_path: Path, secret_key: str) -> Iterator[Target]:
    """A connection ``t`` to a target database of each dialect, with data, snapshotted."""
    yield from _target(request.param, tmp_path, secret_key)


@pytest.fixture
def make_target(tmp_path: Path, secret_key: str) -> Iterator[Callable[..., Target]]:
    """make(dialect, **settings) -> a Target (for tests of one dialect or with other settings)."""
    gens: list[Iterator[Target]] = []

    def make(dialect: str, **extra: object) -> Target:
        gen = _target(dialect, tmp_path, secret_key, **extra)
        gens.append(gen)
        return next(gen)

    yield make
    for gen in gens:
        for _ in gen:
            pass


def _target(dialect: str, tmp_path: Path, secret_key: str, **extra: object) -> Iterator[Target]:
    settings = make_settings(f"sqlite:///{tmp_path / f'store-{dialect}.db'}", secret_key, tmp_path,
                             generator="offline", **extra)  # fmt: skip
    if dialect == "sqlite":
        path = str(tmp_path / "target.db")
        run_sqlite(path, *_SQLITE)
        yield from _with_copilot(dialect, f"sqlite:///{path}", settings)
    elif dialect == "postgresql":
        with pg_database() as url:
            run_pg(url, *_PG)
            yield from _with_copilot(dialect, url, settings)
    else:
        with mariadb_database() as url:
            run_mariadb(url, *_MARIADB)
            yield from _with_copilot(dialect, url, settings)


def _with_copilot(dialect: str, url: str, settings: object) -> Iterator[Target]:
    copilot = build_copilot(settings)  # type: ignore[arg-type]
    try:
        copilot.add_connection("t", url)
        copilot.refresh_snapshot("t")
        yield Target(dialect, url, copilot)
    finally:
        copilot.close()


def canary_count(t: Target) -> int:
    if t.dialect == "postgresql":
        import psycopg

        with psycopg.connect(t.url) as conn:
            return int(conn.execute("SELECT count(*) FROM canary").fetchone()[0])  # type: ignore[index]
    if t.dialect == "mariadb":
        from tests.support.servers import mariadb_admin

        conn = mariadb_admin(t.url.rsplit("/", 1)[1])
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM canary")
                return int(cur.fetchone()[0])
        finally:
            conn.close()
    import sqlite3

    db = sqlite3.connect(t.url.removeprefix("sqlite:///"))
    try:
        return int(db.execute("SELECT count(*) FROM canary").fetchone()[0])
    finally:
        db.close()
