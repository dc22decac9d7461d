"""Real PostgreSQL and MariaDB on loopback: per-test databases, skip-or-fail when a server is down."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pymysql
import pytest

PG_ADMIN = os.environ.get("SQLDRAFT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
MARIADB_HOST = os.environ.get("SQLDRAFT_TEST_MARIADB_HOST", "127.0.0.1")
MARIADB_PORT = int(os.environ.get("SQLDRAFT_TEST_MARIADB_PORT", "3306"))


def _unavailable(what: str, exc: Exception) -> None:
    reason = f"{what} is not reachable ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
    if os.environ.get("SQLDRAFT_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason}; SQLDRAFT_REQUIRE_SERVICES=1 makes this a failure", pytrace=False)
    pytest.skip(f"{reason}; start it or set SQLDRAFT_TEST_PG / SQLDRAFT_TEST_MARIADB_HOST")


def pg_admin() -> psycopg.Connection:
    try:
        return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        _unavailable("PostgreSQL", exc)
        raise


def mariadb_admin(database: str | None = None) -> pymysql.connections.Connection:
    try:
        return pymysql.connect(
            host=MARIADB_HOST,
            port=MARIADB_PORT,
            user="root",
            password="",
            database=database,
            autocommit=True,
            connect_timeout=5,
            charset="utf8mb4",
        )
    except pymysql.Error as exc:
        _unavailable("MariaDB", exc)
        raise


def _pg_base() -> str:
    return PG_ADMIN.rsplit("/", 1)[0]


@contextmanager
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database; yields its URL (postgresql://...) and drops it afterwards."""
    name = f"sqldraft_t_{secrets.token_hex(5)}"
    admin = pg_admin()
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{_pg_base()}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextmanager
def mariadb_database() -> Iterator[str]:
    """A fresh MariaDB database; yields its URL (mysql://...) and drops it afterwards."""
    name = f"sqldraft_t_{secrets.token_hex(5)}"
    admin = mariadb_admin()
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        yield f"mysql://root@{MARIADB_HOST}:{MARIADB_PORT}/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        admin.close()


def run_pg(url: str, *statements: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for s in statements:
            conn.execute(s)


def run_mariadb(url: str, *statements: str) -> None:
    database = url.rsplit("/", 1)[1]
    conn = mariadb_admin(database)
    try:
        with conn.cursor() as cur:
            for s in statements:
                cur.execute(s)
    finally:
        conn.close()


def run_sqlite(path: str, *statements: str) -> None:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        for s in statements:
            conn.executescript(s)
        conn.commit()
    finally:
        conn.close()


def store_url_for_pg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)
