"""Reaching a target database: URL parsing, read-only engines, connection errors users can act on."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import NullPool

from core.dialects import by_scheme, load_entry, profile, profiles
from core.domain.schema import Dialect
from core.errors import ConfigurationError, InvalidInput, TargetUnreachable


def read_only_hint(dialect: Dialect, database: str | None) -> str:
    """The read-only setup advice for ``dialect``, naming the connection's own database.

    >>> read_only_hint(Dialect.MYSQL, "shop").endswith("ON shop.* TO 'sqldraft_reader'@'%'")
    True
    """
    return profile(dialect).read_only_advice(database)


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
    found = by_scheme(scheme)
    if found is None:
        schemes = [s for p in profiles() for s in p.url_schemes]
        raise InvalidInput(
            f"unknown dialect {scheme!r}: sqldraft reads {', '.join(schemes[:-1])} and {schemes[-1]}"
        )
    if driver not in found.drivers:
        raise InvalidInput(
            f"driver {driver!r} is not supported for {scheme}: leave it out (sqldraft uses {found.sqlalchemy_driver})"
        )
    dialect, drivername = found.dialect, found.sqlalchemy_driver
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
    if found.file_based:
        if not url.database or url.database == ":memory:":
            raise InvalidInput(
                f"a {scheme} URL needs a file path: {scheme}:///relative/path.db or {scheme}:////abs/path.db"
            )
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
        if profile(self.dialect).file_based:
            return f"{self.dialect.value} file {u.database}"
        where = f"{u.host}:{u.port}" if u.port else f"{u.host}"
        return f"{self.dialect.value} at {where}/{u.database or ''}"


def open_engine(target: TargetConfig) -> Engine:
    """A short-lived engine that opens read-only sessions on the target (as its dialect's profile says)."""
    url = make_url(target.url)
    facts = profile(target.dialect)
    if facts.open_file is not None:
        path, open_file = url.database or "", load_entry(facts.open_file)

        def creator() -> Any:
            return open_file(path, target.connect_timeout)

        return create_engine(f"{facts.sqlalchemy_driver}://", creator=creator, poolclass=NullPool)
    if facts.connect_args is None:
        raise ConfigurationError(f"dialect {target.dialect} says neither how to open a file nor a session")
    if target.password is not None:
        url = url.set(password=target.password)
    timeout = max(2, math.ceil(target.connect_timeout))
    engine = create_engine(url, poolclass=NullPool, connect_args=facts.connect_args(timeout, target.statement_timeout))
    if facts.engine_hook is not None:
        load_entry(facts.engine_hook)(engine, target.statement_timeout)
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
