"""Reaching a target database: URL parsing, read-only engines, connection errors users can act on."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import NullPool

from core.domain.schema import Dialect
from core.errors import InvalidInput, TargetUnreachable

_SCHEMES = {
    "postgresql": (Dialect.POSTGRESQL, "postgresql+psycopg"),
    "postgres": (Dialect.POSTGRESQL, "postgresql+psycopg"),
    "mysql": (Dialect.MYSQL, "mysql+pymysql"),
    "mariadb": (Dialect.MYSQL, "mysql+pymysql"),
    "sqlite": (Dialect.SQLITE, "sqlite"),
}
_DRIVERS = {
    "postgresql": {"psycopg", ""},
    "postgres": {"psycopg", ""},
    "mysql": {"pymysql", ""},
    "mariadb": {"pymysql", ""},
    "sqlite": {"pysqlite", ""},
}

READ_ONLY_HINTS = {
    Dialect.POSTGRESQL: (
        "CREATE ROLE sqldraft_reader LOGIN PASSWORD '...'; GRANT CONNECT ON DATABASE {database} TO sqldraft_reader; "
        "GRANT USAGE ON SCHEMA public TO sqldraft_reader; GRANT SELECT ON ALL TABLES IN SCHEMA public TO "
        "sqldraft_reader (or GRANT pg_read_all_data TO sqldraft_reader on PostgreSQL 14+)"
    ),
    Dialect.MYSQL: (
        "CREATE USER 'sqldraft_reader'@'%' IDENTIFIED BY '...'; "
        "GRANT SELECT, SHOW VIEW ON {database}.* TO 'sqldraft_reader'@'%'"
    ),
    Dialect.SQLITE: (
        "make the file read-only for the account sqldraft runs as (chmod a-w {database}); "
        "sqldraft opens SQLite files read-only anyway"
    ),
}
"""How to set up a read-only role, per dialect; ``{database}`` is the connection's database (or file)."""


def read_only_hint(dialect: Dialect, database: str | None) -> str:
    """The read-only setup advice for ``dialect``, naming the connection's own database.

    >>> read_only_hint(Dialect.MYSQL, "shop").endswith("ON shop.* TO 'sqldraft_reader'@'%'")
    True
    """
    placeholder = "FILE" if dialect is Dialect.SQLITE else "db"
    return READ_ONLY_HINTS[dialect].format(database=_quote_hint_name(dialect, database or placeholder))


def _quote_hint_name(dialect: Dialect, name: str) -> str:
    if dialect is Dialect.SQLITE:
        return name
    if dialect is Dialect.POSTGRESQL:
        plain = name.isidentifier() and name == name.lower()
        return name if plain else '"' + name.replace('"', '""') + '"'
    return name if name.isidentifier() else "`" + name.replace("`", "``") + "`"


@dataclass(frozen=True, slots=True)
class ParsedTarget:
    dialect: Dialect
    url: URL
    """Normalized URL without the password."""
    password: str | None


def parse_target_url(text: str) -> ParsedTarget:
    """Parse a connection URL (postgresql://, mysql://, mariadb://, sqlite:///path) and split off the password.

    Raises:
        InvalidInput: malformed URL or unknown dialect.
    """
    raw = (text or "").strip()
    if not raw:
        raise InvalidInput("connection URL is blank: give one such as postgresql://user@host:5432/db")
    if "://" not in raw:
        raise InvalidInput(
            f"connection URL {_redact_text(raw)!r} is malformed: expected scheme://..., for example "
            "postgresql://user@host:5432/db, mysql://user@host/db or sqlite:///path/to/file.db"
        )
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        raise InvalidInput(
            f"connection URL {_redact_text(raw)!r} is malformed: expected postgresql://user@host:5432/db, "
            "mysql://user@host/db or sqlite:///path/to/file.db"
        ) from None
    scheme, _, driver = url.drivername.partition("+")
    if scheme not in _SCHEMES:
        raise InvalidInput(f"unknown dialect {scheme!r}: sqldraft reads postgresql, mysql, mariadb and sqlite")
    if driver not in _DRIVERS[scheme]:
        raise InvalidInput(
            f"driver {driver!r} is not supported for {scheme}: leave it out (sqldraft uses {_SCHEMES[scheme][1]})"
        )
    dialect, drivername = _SCHEMES[scheme]
    if url.port is not None and not 1 <= url.port <= 65535:
        raise InvalidInput(f"port {url.port} in the connection URL is out of range: use a port from 1 to 65535")
    password = url.password
    # URL.set() treats None as "unchanged", so rebuild the URL to drop the password.
    url = URL.create(
        drivername,
        username=url.username,
        password=None,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    if dialect is Dialect.SQLITE:
        if not url.database or url.database == ":memory:":
            raise InvalidInput("a sqlite URL needs a file path: sqlite:///relative/path.db or sqlite:////abs/path.db")
        url = url.set(database=str(Path(url.database).expanduser().resolve()))
    elif not url.host:
        raise InvalidInput(f"connection URL for {dialect.value} has no host: use {scheme}://user@host/db")
    return ParsedTarget(dialect=dialect, url=url, password=str(password) if password is not None else None)


def _redact_text(text: str) -> str:
    """Hide anything that may be a password in URL-ish text that did not parse."""
    if "@" not in text:
        return text
    before, _, after = text.rpartition("@")
    head, sep, creds = before.rpartition("//")
    user, colon, _secret = creds.partition(":")
    if not colon:
        return text
    return f"{head}{sep}{user}:***@{after}"


@dataclass(slots=True)
class TargetConfig:
    name: str
    dialect: Dialect
    url: str
    password: str | None
    connect_timeout: float = 10.0
    statement_timeout: float = 300.0

    def describe(self) -> str:
        u = make_url(self.url)
        if self.dialect is Dialect.SQLITE:
            return f"sqlite file {u.database}"
        where = f"{u.host}:{u.port}" if u.port else f"{u.host}"
        return f"{self.dialect.value} at {where}/{u.database or ''}"


def open_engine(target: TargetConfig) -> Engine:
    """A short-lived engine that opens read-only sessions on the target."""
    url = make_url(target.url)
    if target.dialect is Dialect.SQLITE:
        path = url.database or ""

        def creator() -> sqlite3.Connection:
            if not Path(path).exists():
                raise sqlite3.OperationalError(f"file not found: {path}")
            conn = sqlite3.connect(
                f"file:{path}?mode=ro", uri=True, timeout=target.connect_timeout, check_same_thread=False
            )
            return conn

        return create_engine("sqlite://", creator=creator, poolclass=NullPool)
    if target.password is not None:
        url = url.set(password=target.password)
    timeout = max(2, math.ceil(target.connect_timeout))
    connect_args: dict[str, Any]
    if target.dialect is Dialect.POSTGRESQL:
        connect_args = {
            "connect_timeout": timeout,
            "application_name": "sqldraft",
            "options": "-c default_transaction_read_only=on "
            f"-c statement_timeout={int(target.statement_timeout * 1000)}",
        }
    else:
        connect_args = {
            "connect_timeout": timeout,
            "read_timeout": timeout,
            "write_timeout": timeout,
            "charset": "utf8mb4",
            "init_command": "SET SESSION TRANSACTION READ ONLY",
        }
    engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
    if target.dialect is Dialect.MYSQL:
        statement_timeout = max(timeout, math.ceil(target.statement_timeout))

        @event.listens_for(engine, "do_connect")
        def _widen_read_timeout(dialect: Any, _rec: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
            # pymysql waits for the server greeting with read_timeout, so it must be the connect
            # timeout until the session is up; catalog queries then get the statement timeout.
            conn = dialect.loaded_dbapi.connect(*cargs, **cparams)
            if hasattr(conn, "_read_timeout"):
                conn._read_timeout = statement_timeout
            return conn

    return engine


@contextmanager
def connect(target: TargetConfig) -> Iterator[Connection]:
    """A read-only connection to the target, rolled back at the end.

    Raises:
        TargetUnreachable: refused, timed out, wrong password, unknown database; the message names
            the connection and never the credential.
    """
    engine = open_engine(target)
    try:
        try:
            conn = engine.connect()
        except (DBAPIError, sqlite3.Error, OSError) as exc:
            raise TargetUnreachable(
                f"cannot connect to {target.name!r} ({target.describe()}): {explain_error(exc, target)}"
            ) from None
        try:
            yield conn
        finally:
            try:
                conn.rollback()
            finally:
                conn.close()
    finally:
        engine.dispose()


def explain_error(exc: BaseException, target: TargetConfig) -> str:
    """The driver's reason, first line only, with any credential scrubbed."""
    inner = getattr(exc, "orig", None) or exc
    args: tuple[Any, ...] = getattr(inner, "args", ())
    # pymysql errors are (code, message); others are plain text
    text = str(args[1]) if len(args) >= 2 and isinstance(args[0], int) else str(inner)
    text = text.replace("\n", " ").strip()
    for prefix in ("connection failed: ",):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    lowered = text.lower()
    if "timeout expired" in lowered or "timed out" in lowered:
        text = f"timed out after {target.connect_timeout:g} s ({text})"
    if target.password:
        text = text.replace(target.password, "***")
    return text[:400] or type(inner).__name__
