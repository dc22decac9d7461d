"""The optional server-side check: the database compiles each statement, nothing is ever executed.

The user's text is never pasted into another statement (the one exception is SQLite's ``EXPLAIN``
prefix, explained in :func:`sqlite_session`): it travels alone, as the payload of the driver's
"prepare" message, and the statement is never executed.

- PostgreSQL: a protocol-level Parse of the unnamed prepared statement (libpq ``PQprepare``), in a
  ``BEGIN READ ONLY`` transaction with short statement/lock/idle timeouts, rolled back after each
  statement. Never Bind/Execute. The server refuses to prepare more than one command at a time.
- MySQL/MariaDB: the binary-protocol ``COM_STMT_PREPARE`` command on a connection without
  multi-statements, in a ``START TRANSACTION READ ONLY`` session with short timeouts, then
  ``COM_STMT_CLOSE``; never ``COM_STMT_EXECUTE``; rolled back at the end.
- SQLite: ``EXPLAIN`` on a separate read-only connection (``mode=ro``, ``PRAGMA query_only``, an
  authorizer refusing PRAGMA/ATTACH/DETACH); EXPLAIN compiles to bytecode and runs nothing.

Only reads and DML are checked (MySQL/MariaDB: reads only, since they refuse to prepare DML in a
read-only session), and only statements before any DDL in the script (the server does not know the
tables a script is about to create). A text holding several statements (a splitter mistake) is
refused by every server and reported as rejected.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pymysql
from psycopg import pq
from sqlalchemy.engine import Connection, make_url

from core.dialects import load_entry, profile
from core.domain.schema import Dialect
from core.errors import ConfigurationError, TargetUnreachable
from core.introspection.targets import TargetConfig, connect, explain_error
from core.validation import mysql_protocol
from core.validation.lex import Kind, LexError, lex, split
from core.validation.model import Finding, Severity, Status, Validation
from core.validation.mysql_protocol import protocol_problem
from core.validation.rules import RULES

_TIMEOUT_S = 5
"""Statement and lock timeout for the check (seconds); preparing is fast, waiting on locks is not."""

_PG_SETUP = (
    b"SET LOCAL statement_timeout = '5s'",
    b"SET LOCAL lock_timeout = '5s'",
    b"SET LOCAL idle_in_transaction_session_timeout = '15s'",
)

_SEVERAL = "the text holds several statements (the database prepares one at a time; check how it is split)"

_Prepare = Callable[[str], str | None]


def check_on_server(validation: Validation, target: TargetConfig, statements: list[tuple[int, str, int, int]]) -> None:
    """Add ``syntax.server_rejected`` findings for statements the server refuses to prepare.

    ``statements`` holds (index, text, line, column) for each statement of the script.

    Raises:
        TargetUnreachable: the database cannot be reached (the caller decides what that means).
        ConfigurationError: the connection enables multi-statements, so the check refuses to use it.
    """
    rule = RULES["syntax.server_rejected"]
    erroneous = {f.statement for f in validation.findings if f.severity is Severity.ERROR}
    checkable = []
    types = profile(target.dialect).server_checked_kinds
    for (index, text, line, column), kind in zip(statements, validation.statement_types, strict=True):
        if kind not in types:
            if kind in ("create", "alter", "drop", "truncate"):
                break
            continue
        if index not in erroneous:
            checkable.append((index, text, line, column))
    if not checkable:
        validation.server_checked = True
        return
    with _session(target) as prepare:
        for index, text, line, column in checkable:
            sql = text.strip().rstrip(";")
            message = "it contains a NUL character" if "\x00" in sql else prepare(sql)
            if message is not None and _several(sql, target.dialect):
                message = f"{_SEVERAL}: {message}"
            if message is not None:
                validation.findings.append(
                    Finding(
                        rule=rule.id,
                        category=rule.category,
                        severity=rule.severity,
                        message=f"the database rejected it: {message}",
                        line=line,
                        column=column,
                        suggestion=None,
                        risk=None,
                        statement=index,
                    )
                )
    validation.server_checked = True
    validation.findings.sort(key=lambda f: (f.line, f.column, -f.severity.rank))
    if any(f.severity is Severity.ERROR for f in validation.findings):
        validation.status = Status.FAIL


@contextmanager
def _session(target: TargetConfig) -> Iterator[_Prepare]:
    """A function that asks the server to prepare one text and returns its refusal (None: accepted).

    The dialect profile's ``server_check`` entry names the session.

    Raises:
        ConfigurationError: the dialect has no server check.
    """
    facts = profile(target.dialect)
    if facts.server_check is None:
        raise ConfigurationError(f"{facts.name} has no server check: validate without it")
    session: Callable[[TargetConfig], AbstractContextManager[_Prepare]] = load_entry(facts.server_check)
    with session(target) as prepare:
        yield prepare


def _unreachable(target: TargetConfig, exc: BaseException | str, conn: Connection | None = None) -> TargetUnreachable:
    """The error to raise when the session is lost or out of step; ``conn`` is then never reused."""
    if conn is not None and not conn.invalidated:
        conn.invalidate()
    reason = exc if isinstance(exc, str) else explain_error(exc, target)
    return TargetUnreachable(f"lost the connection to {target.name!r} ({target.describe()}) during the check: {reason}")


# --- PostgreSQL ---------------------------------------------------------------------------------


@contextmanager
def postgresql_session(target: TargetConfig) -> Iterator[_Prepare]:
    """PostgreSQL's server check session (the ``server_check`` entry of its profile)."""
    with connect(target) as conn:
        yield _postgresql_session(conn, target)


def _postgresql_session(conn: Connection, target: TargetConfig) -> _Prepare:
    raw = conn.connection.dbapi_connection
    if not isinstance(raw, psycopg.Connection):
        raise TypeError(f"expected a psycopg connection, got {type(raw).__name__}")
    # Everything below goes through the same libpq connection, so psycopg's own view of the
    # transaction (it reads pgconn.transaction_status) stays right: idle before, idle after.
    if raw.pgconn.transaction_status != pq.TransactionStatus.IDLE:
        raw.rollback()
    pgconn = raw.pgconn
    encoding = raw.info.encoding

    def command(sql: bytes) -> None:
        try:
            result = pgconn.exec_(sql)
        except psycopg.Error as exc:
            raise _unreachable(target, exc, conn) from None
        if result.status != pq.ExecStatus.COMMAND_OK:
            raise _unreachable(target, _pg_error(result, pgconn) or f"{sql.decode()} failed", conn)

    def prepare(sql: str) -> str | None:
        try:
            payload = sql.encode(encoding)
        except UnicodeEncodeError:
            return f"it cannot be sent in the connection's encoding ({encoding})"
        command(b"BEGIN READ ONLY")
        try:
            for setting in _PG_SETUP:
                command(setting)
            # Parse only (then Sync): the unnamed statement is never bound nor executed. The next
            # Parse of the unnamed statement replaces it, and the connection is closed after the check.
            try:
                result = pgconn.prepare(b"", payload)
            except psycopg.Error as exc:
                raise _unreachable(target, exc, conn) from None
            if result.status == pq.ExecStatus.COMMAND_OK:
                return None
            if pgconn.status != pq.ConnStatus.OK:
                raise _unreachable(target, _pg_error(result, pgconn) or "connection lost", conn)
            message = _pg_error(result, pgconn) or "refused to prepare it"
            return explain_error(Exception(message), target)
        finally:
            if not conn.invalidated and pgconn.status == pq.ConnStatus.OK:
                command(b"ROLLBACK")

    return prepare


def _pg_error(result: pq.abc.PGresult, pgconn: pq.abc.PGconn) -> str:
    primary = result.error_field(pq.DiagnosticField.MESSAGE_PRIMARY)
    raw = primary or result.error_message or pgconn.error_message
    return raw.decode("utf-8", "replace").strip()


# --- MySQL / MariaDB ----------------------------------------------------------------------------


@contextmanager
def mysql_session(target: TargetConfig) -> Iterator[_Prepare]:
    """MySQL's and MariaDB's server check session (the ``server_check`` entry of its profile)."""
    with connect(target) as conn, _mysql_session(conn, target) as prepare:
        yield prepare


@contextmanager
def _mysql_session(conn: Connection, target: TargetConfig) -> Iterator[_Prepare]:
    raw = conn.connection.dbapi_connection
    if not isinstance(raw, pymysql.connections.Connection):
        raise TypeError(f"expected a pymysql connection, got {type(raw).__name__}")
    problem = protocol_problem(raw)
    if problem is not None:
        raise ConfigurationError(
            f"connection {target.name!r} cannot be checked by the server: {problem}; drop client_flag from "
            "the connection URL"
        )
    mariadb = "mariadb" in raw.get_server_info().lower()
    saved_timeout = raw._read_timeout
    try:
        _mysql_query(conn, raw, target, "ROLLBACK")
        if mariadb:  # seconds
            _mysql_query(conn, raw, target, f"SET SESSION max_statement_time = {_TIMEOUT_S}")
        else:  # milliseconds, MySQL 5.7.8+ (older servers lack it: the socket timeout below still holds)
            _mysql_query(conn, raw, target, f"SET SESSION max_execution_time = {_TIMEOUT_S * 1000}", optional=True)
        _mysql_query(conn, raw, target, f"SET SESSION lock_wait_timeout = {_TIMEOUT_S}")
        raw._read_timeout = _TIMEOUT_S * 3
        _mysql_query(conn, raw, target, "START TRANSACTION READ ONLY")
        yield lambda sql: _mysql_prepare(conn, raw, target, sql)
    finally:
        raw._read_timeout = saved_timeout
        if not conn.invalidated and raw.open:
            _mysql_query(conn, raw, target, "ROLLBACK")


def _mysql_query(conn: Connection, raw: Any, target: TargetConfig, sql: str, *, optional: bool = False) -> None:
    """One of the check's own constant statements (never user text)."""
    try:
        raw.query(sql)
    except pymysql.MySQLError as exc:
        if optional and raw.open and exc.args and exc.args[0] == 1193:  # unknown system variable
            return
        raise _unreachable(target, exc, conn) from None


def _mysql_prepare(conn: Connection, raw: Any, target: TargetConfig, sql: str) -> str | None:
    """COM_STMT_PREPARE the text, read the whole reply, COM_STMT_CLOSE it. Never executed."""
    try:
        payload = sql.encode(raw.encoding)
    except UnicodeEncodeError:
        return f"it cannot be sent in the connection's encoding ({raw.encoding})"
    try:
        result = mysql_protocol.prepare(raw, payload)
    except (pymysql.MySQLError, mysql_protocol.OutOfStep) as exc:
        # The socket failed or the reply was out of step with the server: never reuse the connection.
        raise _unreachable(target, exc, conn) from None
    return None if result.error is None else explain_error(result.error, target)


def _several(sql: str, dialect: Dialect) -> bool:
    """Whether our own lexer sees more than one statement in a refused text (the server refused it anyway:
    this only says why, without reading the server's localised error text)."""
    try:
        return len(split(sql, dialect)) > 1
    except LexError:
        return False


# --- SQLite -------------------------------------------------------------------------------------

_SQLITE_DENIED = {
    sqlite3.SQLITE_PRAGMA: "PRAGMA",
    sqlite3.SQLITE_ATTACH: "ATTACH",
    sqlite3.SQLITE_DETACH: "DETACH",
}


class _Nulls(dict[str, None]):
    """Named parameters of a statement under check: every one is NULL (nothing runs, only the compile)."""

    def __missing__(self, key: str) -> None:
        return None


def _null_bindings(sql: str) -> Sequence[None] | Mapping[str, None]:
    """NULL for each parameter (``?``, ``?NNN``, ``:name``...), so SQLite compiles a parameterised read."""
    try:
        params = [x.text for x in lex(sql, Dialect.SQLITE) if x.kind is Kind.PARAM]
    except LexError:
        return ()
    if not params:
        return ()
    if not all(p.startswith("?") for p in params):
        return _Nulls()
    count = last = 0
    for p in params:
        last = last + 1 if p == "?" else int(p[1:])
        count = max(count, last)
    return [None] * count


@contextmanager
def sqlite_session(target: TargetConfig) -> Iterator[_Prepare]:
    """SQLite's server check session (the ``server_check`` entry of its profile)."""
    path = Path(make_url(target.url).database or "").resolve()
    if not path.is_file():
        raise TargetUnreachable(f"cannot connect to {target.name!r} ({target.describe()}): file not found: {path}")
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise TargetUnreachable(f"cannot connect to {target.name!r} ({target.describe()}): {exc}") from None
    denied: list[str] = []

    def authorizer(action: int, *_args: object) -> int:
        # SQLite applies some PRAGMAs (query_only among them) while compiling, even under EXPLAIN.
        if action in _SQLITE_DENIED:
            denied.append(_SQLITE_DENIED[action])
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    try:
        db.execute("PRAGMA query_only = ON")
        db.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        db.set_authorizer(authorizer)

        def prepare(sql: str) -> str | None:
            denied.clear()
            cursor = db.cursor()
            try:
                # The one place a prefix is added to the user's text. It is safe: EXPLAIN makes SQLite
                # compile the statement and list its bytecode instead of running it; sqlite3 compiles one
                # statement per execute() and refuses the call (before stepping anything) when text is
                # left over, so nothing can be smuggled after it; the authorizer refuses the compile-time
                # side effects (PRAGMA, ATTACH); and the connection is mode=ro with query_only on anyway.
                cursor.execute("EXPLAIN " + sql, _null_bindings(sql))
                cursor.fetchall()
            except (sqlite3.Error, sqlite3.Warning) as exc:
                text = str(exc)
                if denied:
                    return f"{denied[0]} is not checked: SQLite applies it while compiling ({text})"
                return explain_error(exc, target)
            finally:
                cursor.close()
            return None

        yield prepare
    finally:
        try:
            if db.in_transaction:
                db.rollback()
        finally:
            db.close()
