"""Running one validated read on a target database: read-only, capped, always rolled back.

Each dialect's profile names its runner (``read_runner``); every runner opens the session the way
:func:`core.introspection.targets.connect` does for snapshots (read-only by the profile's session
settings), adds its own read-only transaction and time cap, sends the one statement through the
driver's single-statement path, reads at most ``max_rows + 1`` rows in ``fetchmany`` batches, and
rolls back.

- PostgreSQL: ``BEGIN READ ONLY``, ``SET LOCAL statement_timeout`` and
  ``idle_in_transaction_session_timeout``; the statement goes by the extended protocol (Parse/Bind/
  Execute, which refuses more than one command) in single-row streaming mode, so the client holds at
  most the rows it keeps; leaving early cancels the rest on the server.
- MySQL/MariaDB: ``START TRANSACTION READ ONLY`` with ``max_statement_time`` (MariaDB, seconds) or
  ``max_execution_time`` (MySQL, ms), on a connection without multi-statements (one statement per
  COM_QUERY), an unbuffered cursor, and a socket read timeout just past the cap.
- SQLite: the profile's ``mode=ro`` file, ``PRAGMA query_only``, an authorizer refusing PRAGMA, ATTACH
  and DETACH, sqlite3's one-statement ``execute``, and a progress handler that interrupts at the cap.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from core.dialects import load_entry, profile
from core.errors import ConfigurationError, QueryFailed, TargetUnreachable
from core.introspection.targets import TargetConfig, connect, explain_error


@dataclass(slots=True)
class RawRun:
    """What the database returned, before cells are made JSON-safe."""

    columns: list[tuple[str, str]]
    rows: list[tuple[Any, ...]]
    more: bool
    """A row beyond ``max_rows`` exists (the result is cut)."""
    elapsed_ms: int
    notes: list[str] = field(default_factory=list)


Runner = Callable[[TargetConfig, str, int, float], RawRun]
"""runner(target, sql, max_rows, timeout_s) -> RawRun."""


def run_read(target: TargetConfig, sql: str, *, max_rows: int, timeout: float) -> RawRun:
    """Run one read on ``target`` under the caps (the dialect profile's ``read_runner``).

    Raises:
        TargetUnreachable: the database cannot be reached or refused the login.
        QueryFailed: the database refused the statement, or cancelled it at the time cap.
        ConfigurationError: the dialect cannot run reads, or the connection enables multi-statements.
    """
    facts = profile(target.dialect)
    if facts.read_runner is None:
        raise ConfigurationError(f"{facts.name} connections cannot run reads")
    runner: Runner = load_entry(facts.read_runner)
    return runner(target, sql, max_rows, timeout)


def _timed_out(target: TargetConfig, timeout: float) -> QueryFailed:
    return QueryFailed(f"the read on {target.name!r} ran longer than the time cap ({timeout:g} s) and was cancelled")


def _failed(target: TargetConfig, exc: BaseException) -> QueryFailed:
    return QueryFailed(f"the database {target.name!r} refused the read: {explain_error(exc, target)}")


@contextmanager
def _session(target: TargetConfig, timeout: float) -> Iterator[Any]:
    """The raw DB-API connection of a read-only session (statement timeout = the run's cap)."""
    capped = TargetConfig(
        name=target.name, dialect=target.dialect, url=target.url, password=target.password,
        connect_timeout=target.connect_timeout, statement_timeout=timeout,
    )  # fmt: skip
    with connect(capped) as conn:
        try:
            yield conn
        except BaseException:
            raw = conn.connection.dbapi_connection
            if not conn.invalidated and (getattr(raw, "broken", False) or getattr(raw, "open", True) is False):
                conn.invalidate()  # a lost session is never rolled back nor reused
            raise


def _fetch(fetchmany: Callable[[int], Any], max_rows: int) -> tuple[list[tuple[Any, ...]], bool]:
    rows: list[tuple[Any, ...]] = []
    while len(rows) <= max_rows:
        batch = fetchmany(min(1000, max_rows + 1 - len(rows)))
        if not batch:
            return rows, False
        rows.extend(tuple(r) for r in batch)
    return rows[:max_rows], True


# --- PostgreSQL ---------------------------------------------------------------------------------


def postgresql_read(target: TargetConfig, sql: str, max_rows: int, timeout: float) -> RawRun:
    """PostgreSQL's runner (the ``read_runner`` entry of its profile)."""
    import psycopg

    with _session(target, timeout) as conn:
        raw = conn.connection.dbapi_connection
        if not isinstance(raw, psycopg.Connection):
            raise TypeError(f"expected a psycopg connection, got {type(raw).__name__}")
        raw.rollback()
        raw.autocommit = True  # the transaction below is ours: BEGIN READ ONLY ... ROLLBACK
        ms = max(1, int(timeout * 1000))
        started = time.monotonic()
        try:
            with raw.cursor() as cur:
                cur.execute("BEGIN READ ONLY")
                try:
                    cur.execute(f"SET LOCAL statement_timeout = {ms}")
                    cur.execute(f"SET LOCAL idle_in_transaction_session_timeout = {ms + 5000}")
                    rows, more, columns = _pg_stream(raw, cur, sql, max_rows)
                finally:
                    if not raw.closed and not raw.broken:
                        cur.execute("ROLLBACK")
        except psycopg.errors.QueryCanceled:
            raise _timed_out(target, timeout) from None
        except psycopg.OperationalError as exc:
            if raw.broken or raw.closed:
                raise TargetUnreachable(
                    f"lost the connection to {target.name!r} ({target.describe()}) during the read: "
                    f"{explain_error(exc, target)}"
                ) from None
            raise _failed(target, exc) from None
        except psycopg.Error as exc:
            raise _failed(target, exc) from None
        return RawRun(columns, rows, more, int((time.monotonic() - started) * 1000))


def _pg_stream(
    raw: Any, cur: Any, sql: str, max_rows: int
) -> tuple[list[tuple[Any, ...]], bool, list[tuple[str, str]]]:
    rows: list[tuple[Any, ...]] = []
    more = False
    columns: list[tuple[str, str]] = []
    # stream() sends the text alone with the extended protocol (one command only) in single-row mode;
    # leaving the loop early cancels the rest of the query on the server.
    stream = cur.stream(sql)
    try:
        for row in stream:
            if not columns:
                columns = _pg_columns(raw, cur)
            if len(rows) == max_rows:
                more = True
                break
            rows.append(tuple(row))
    finally:
        stream.close()
    if not columns and cur.description:
        columns = _pg_columns(raw, cur)
    return rows, more, columns


def _pg_columns(raw: Any, cur: Any) -> list[tuple[str, str]]:
    out = []
    for d in cur.description or []:
        info = raw.adapters.types.get(d.type_code)
        out.append((d.name, info.name if info is not None else str(d.type_code)))
    return out


# --- MySQL / MariaDB ----------------------------------------------------------------------------


def mysql_read(target: TargetConfig, sql: str, max_rows: int, timeout: float) -> RawRun:
    """MySQL's and MariaDB's runner (the ``read_runner`` entry of its profile)."""
    import math

    import pymysql
    from pymysql.constants import FIELD_TYPE

    from core.validation.mysql_protocol import protocol_problem

    names = {v: k for k, v in vars(FIELD_TYPE).items() if k.isupper() and isinstance(v, int)}
    with _session(target, timeout) as conn:
        raw = conn.connection.dbapi_connection
        problem = protocol_problem(raw)
        if problem is not None:
            raise ConfigurationError(
                f"connection {target.name!r} cannot run reads: {problem}; drop client_flag from the connection URL"
            )
        mariadb = "mariadb" in raw.get_server_info().lower()
        started = time.monotonic()
        try:
            raw.query("ROLLBACK")
            if mariadb:
                raw.query(f"SET SESSION max_statement_time = {timeout:g}")
            else:
                raw.query(f"SET SESSION max_execution_time = {max(1, int(timeout * 1000))}")
            raw._read_timeout = math.ceil(timeout) + 5  # the socket gives up just after the server should
            raw.query("START TRANSACTION READ ONLY")
            cur = raw.cursor(pymysql.cursors.SSCursor)
            cur.execute(sql)
            columns = [(d[0], names.get(d[1], str(d[1]))) for d in cur.description or []]
            rows, more = _fetch(cur.fetchmany, max_rows)
            if more:
                # Unread rows are left on the wire: dropping the session (not draining it) ends the query
                # and its transaction on the server. The cursor is detached first, or pymysql would try
                # to drain it from the closed socket when it is collected.
                cur.connection = None
                conn.invalidate()
            else:
                cur.close()
                raw.query("ROLLBACK")
        except pymysql.err.OperationalError as exc:
            code = exc.args[0] if exc.args else 0
            if code in (1969, 3024, 1317):  # max_statement_time / max_execution_time exceeded, interrupted
                raise _timed_out(target, timeout) from None
            if code in (2006, 2013, 2003, 2055) or not raw.open:
                raise TargetUnreachable(
                    f"lost the connection to {target.name!r} ({target.describe()}) during the read: "
                    f"{explain_error(exc, target)}"
                ) from None
            raise _failed(target, exc) from None
        except pymysql.MySQLError as exc:
            raise _failed(target, exc) from None
        return RawRun(columns, rows, more, int((time.monotonic() - started) * 1000))


# --- SQLite -------------------------------------------------------------------------------------

_SQLITE_DENIED = {sqlite3.SQLITE_PRAGMA, sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH}


def sqlite_read(target: TargetConfig, sql: str, max_rows: int, timeout: float) -> RawRun:
    """SQLite's runner (the ``read_runner`` entry of its profile)."""
    with _session(target, timeout) as conn:
        db = conn.connection.dbapi_connection
        if not isinstance(db, sqlite3.Connection):
            raise TypeError(f"expected a sqlite3 connection, got {type(db).__name__}")
        started = time.monotonic()
        deadline = started + timeout
        db.execute("PRAGMA query_only = ON")
        db.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        db.set_authorizer(lambda action, *_: sqlite3.SQLITE_DENY if action in _SQLITE_DENIED else sqlite3.SQLITE_OK)
        db.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)
        cur = db.cursor()
        try:
            cur.execute(sql)  # sqlite3 runs one statement per execute() and refuses leftover text
            columns = [(d[0], "") for d in cur.description or []]
            rows, more = _fetch(cur.fetchmany, max_rows)
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc) and time.monotonic() > deadline:
                raise _timed_out(target, timeout) from None
            raise _failed(target, exc) from None
        except (sqlite3.Error, sqlite3.Warning) as exc:
            raise _failed(target, exc) from None
        finally:
            cur.close()
            db.set_progress_handler(None, 0)
            if db.in_transaction:
                db.rollback()
        return RawRun(columns, rows, more, int((time.monotonic() - started) * 1000))


__all__ = ["RawRun", "Runner", "run_read"]
