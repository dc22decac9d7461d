"""Plan cost findings: the database's own estimate of a read, by plain EXPLAIN (never ANALYZE, nothing is run).

Only a statement that is one plain read is explained, and that is decided twice before anything is sent:
the validation must type it ``select`` with no error finding and a risk of at most low, and the text, parsed
again alone by the validator's own stages (lexer, splitter, parser, statement classification), must be
exactly one statement of kind read and type ``select`` with no EXPLAIN in front. A text that fails either is
refused as not a plain read and never reaches the server.

- PostgreSQL: the text alone is the payload of a protocol-level Parse (a named prepared statement, never
  bound nor executed by us), then sqldraft's own constant ``EXPLAIN (FORMAT JSON, VERBOSE) EXECUTE <name>(NULL...)``
  plans it with a generic plan: the user's text is never pasted into another statement. In ``BEGIN READ
  ONLY`` with short timeouts, rolled back; the statement is deallocated after.
- MySQL/MariaDB: ``EXPLAIN FORMAT=JSON`` followed by the text (MySQL cannot explain a prepared
  statement). The combined text is parsed again and must be one plain EXPLAIN of that read; the
  connection has no multi-statements, so the server refuses a second statement anyway. In ``START
  TRANSACTION READ ONLY`` with short timeouts, rolled back.

The plan is read by :mod:`core.validation.plan` and judged by the ``perf.plan_*`` rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import psycopg
import pymysql
from psycopg import pq
from sqlalchemy.engine import Connection
from sqlglot import exp

from core.dialects import load_entry, profile
from core.domain.schema import Dialect, SchemaModel
from core.errors import ConfigurationError, InvalidInput
from core.introspection.targets import TargetConfig, connect, explain_error
from core.validation.context import Settings
from core.validation.kinds import READ, classify
from core.validation.model import Finding, RiskLevel, Severity, Status, Validation
from core.validation.mysql_protocol import protocol_problem
from core.validation.plan import Plan, PlanContext, PlanFormatError, parse_plan, plan_findings
from core.validation.rules import RULES
from core.validation.script import Script
from core.validation.server_check import _PG_SETUP, _TIMEOUT_S, _mysql_query, _pg_error, _unreachable

_Explain = Callable[[str], Any]
"""Explain one plain read; returns the server's JSON plan (text or decoded)."""

_PG_STATEMENT = b"sqldraft_explain"


class NotAPlainRead(InvalidInput):
    """The text is not one plain read, so sqldraft refuses to ask the database for its plan."""


class PlanRefused(PlanFormatError):
    """The database refused to plan a read it had accepted to prepare (PostgreSQL: a write the planner
    tried while folding a function, in the read-only transaction; a constant that cannot be computed)."""


def plain_read_refusal(sql: str, dialect: Dialect) -> str | None:
    """Why ``sql`` must not be explained (None: it is exactly one plain read), judged by the validator's stages.

    >>> plain_read_refusal("SELECT 1", Dialect.POSTGRESQL) is None
    True
    >>> plain_read_refusal("EXPLAIN ANALYZE SELECT 1", Dialect.POSTGRESQL)
    'it is an EXPLAIN, not a plain read'
    """
    try:
        script = Script(sql, dialect)
    except RecursionError:
        return "it is too complex to parse"
    if script.token_error is not None:
        return f"it cannot be read: {script.token_error.message}"
    if len(script.statements) != 1:
        return f"it holds {len(script.statements)} statements, not one"
    stmt = script.statements[0]
    if stmt.explain is not None:
        return "it is an EXPLAIN, not a plain read"
    if stmt.tree is None or stmt.opaque or any(i.rule.startswith("syntax.") for i in stmt.issues):
        return "it cannot be analysed"
    kind, type_ = classify(stmt.tree, stmt.words)
    if kind != READ or type_ != "select":
        return f"it is a {type_} statement, not a read"
    inner = stmt.tree.find(*_NOT_READS)
    if inner is not None:
        return f"it holds {_WHAT.get(type(inner).__name__, type(inner).__name__.upper())}, not only reads"
    return None


_NOT_READS: tuple[type[exp.Expr], ...] = (
    exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter, exp.TruncateTable,
    exp.Into, exp.Lock, exp.Command,
)  # fmt: skip
"""Nodes anywhere in a read that make it more than one (a writable CTE, SELECT INTO, a locking read)."""
_WHAT = {"Into": "SELECT INTO", "Lock": "a locking clause", "Command": "a statement sqldraft cannot analyse"}


def explainable(validation: Validation, index: int) -> str | None:
    """Why statement ``index`` of a validated script is not explained (None: it is a plain read to explain)."""
    if validation.statement_types[index] != "select":
        return f"it is a {validation.statement_types[index]} statement, not a read"
    own = [f for f in validation.findings if f.statement == index]
    if any(f.severity is Severity.ERROR for f in own):
        return "it has errors"
    if any(f.risk is not None and f.risk.rank > RiskLevel.LOW.rank for f in own):
        return "its risk is above low"
    return None


def explain_on_server(
    validation: Validation,
    target: TargetConfig,
    settings: Settings,
    *,
    table_rows: Mapping[str, int] | None = None,
) -> None:
    """Explain each plain read of a validated script on its database; add the plan findings and estimates.

    Statements that are not plain reads are skipped without anything being sent; if none is left, no
    connection is opened. ``table_rows`` are the snapshot's row estimates (see :func:`table_rows_of`).

    Raises:
        TargetUnreachable: the database cannot be reached or the session was lost.
        ConfigurationError: the dialect has no EXPLAIN reader, or the connection enables multi-statements.
    """
    dialect = Dialect(validation.dialect)
    if profile(dialect).explain is None:
        return
    chosen = [
        s
        for s in validation.statements
        if explainable(validation, s.index) is None and plain_read_refusal(_text(s.text), dialect) is None
    ]
    if not chosen:
        return
    estimates = list(validation.plans or [])
    with explain_session(target) as explain:
        for stmt in chosen:
            try:
                plan = parse_plan(dialect.value, explain(_text(stmt.text)))
            except PlanRefused as refused:
                validation.findings.append(_rejected(str(refused), stmt.index, stmt.line, stmt.column))
                continue
            except (PlanFormatError, NotAPlainRead):
                continue  # no estimate for this one (MySQL cannot explain a text with ? placeholders)
            estimates.append(plan.estimate(stmt.index))
            ctx = PlanContext(
                plan, settings, stmt.index, stmt.line, stmt.column, table_rows or {},
                row_limit=streaming_limit(_text(stmt.text), dialect),
            )  # fmt: skip
            validation.findings.extend(plan_findings(ctx))
    validation.plans = estimates or None
    validation.findings.sort(key=lambda f: (f.line, f.column, -f.severity.rank))
    if any(f.severity is Severity.ERROR for f in validation.findings):
        validation.status = Status.FAIL
    elif validation.status is Status.PASS and any(f.severity is Severity.WARNING for f in validation.findings):
        validation.status = Status.WARN


def _rejected(message: str, index: int, line: int, column: int) -> Finding:
    rule = RULES["syntax.server_rejected"]
    return Finding(
        rule=rule.id,
        category=rule.category,
        severity=rule.severity,
        message=f"the database refused to plan it: {message}",
        line=line,
        column=column,
        statement=index,
    )


def streaming_limit(sql: str, dialect: Dialect) -> int | None:
    """The LIMIT of a read whose rows stream straight to it (no ORDER BY, grouping, DISTINCT, window, join).

    >>> streaming_limit("SELECT id FROM t WHERE v = 1 LIMIT 10", Dialect.MYSQL)
    10
    >>> streaming_limit("SELECT id FROM t ORDER BY v LIMIT 10", Dialect.MYSQL) is None
    True
    """
    script = Script(sql, dialect)
    tree = script.statements[0].tree if len(script.statements) == 1 else None
    if not isinstance(tree, exp.Select):
        return None
    limit = tree.args.get("limit")
    count = limit.expression if isinstance(limit, exp.Limit) else None
    if not isinstance(count, exp.Literal) or count.is_string or not count.this.isdigit():
        return None
    if any(tree.args.get(k) for k in ("order", "group", "having", "distinct", "joins", "offset")):
        return None
    if tree.find(exp.AggFunc, exp.Window):
        return None
    return int(count.this)


def _text(sql: str) -> str:
    return sql.strip().rstrip(";").strip()


def table_rows_of(schema: SchemaModel) -> dict[str, int]:
    """The snapshot's row estimates by lower-case ``schema.table`` and ``table`` (what plan rules look up)."""
    rows: dict[str, int] = {}
    for table in schema.tables:
        if table.row_estimate is None:
            continue
        rows.setdefault(table.name.lower(), table.row_estimate)
        if table.schema:
            rows[f"{table.schema}.{table.name}".lower()] = table.row_estimate
    return rows


@contextmanager
def explain_session(target: TargetConfig) -> Iterator[_Explain]:
    """A function that returns the plan of one plain read; it refuses (:class:`NotAPlainRead`) anything else
    before sending a byte. The dialect profile's ``explain`` entry names the session.

    Raises:
        ConfigurationError: the dialect has no EXPLAIN.
    """
    facts = profile(target.dialect)
    if facts.explain is None:
        raise ConfigurationError(f"{facts.name} has no plan estimates: validate without them")
    session: Callable[[TargetConfig], AbstractContextManager[_Explain]] = load_entry(facts.explain)
    with session(target) as explain:

        def guarded(sql: str) -> Any:
            refusal = plain_read_refusal(sql, target.dialect)
            if refusal is not None:
                raise NotAPlainRead(f"not explained: {refusal}")
            return explain(sql)

        yield guarded


# --- PostgreSQL ---------------------------------------------------------------------------------


@contextmanager
def postgresql_explain(target: TargetConfig) -> Iterator[_Explain]:
    """PostgreSQL's EXPLAIN session (the ``explain`` entry of its profile)."""
    with connect(target) as conn:
        yield _postgresql_explain(conn, target)


def _postgresql_explain(conn: Connection, target: TargetConfig) -> _Explain:
    raw = conn.connection.dbapi_connection
    if not isinstance(raw, psycopg.Connection):
        raise TypeError(f"expected a psycopg connection, got {type(raw).__name__}")
    if raw.pgconn.transaction_status != pq.TransactionStatus.IDLE:
        raw.rollback()
    pgconn = raw.pgconn
    encoding = raw.info.encoding

    def command(sql: bytes) -> pq.abc.PGresult:
        try:
            result = pgconn.exec_(sql)
        except psycopg.Error as exc:
            raise _unreachable(target, exc, conn) from None
        if result.status not in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
            raise _unreachable(target, _pg_error(result, pgconn) or f"{sql.decode()} failed", conn)
        return result

    def explain(sql: str) -> Any:
        try:
            payload = sql.encode(encoding)
        except UnicodeEncodeError:
            raise NotAPlainRead(f"not explained: it cannot be sent in the connection's encoding ({encoding})") from None
        command(b"BEGIN READ ONLY")
        prepared = False
        try:
            for setting in _PG_SETUP:
                command(setting)
            command(b"SET LOCAL plan_cache_mode = force_generic_plan")
            try:
                parsed = pgconn.prepare(_PG_STATEMENT, payload)
            except psycopg.Error as exc:
                raise _unreachable(target, exc, conn) from None
            if parsed.status != pq.ExecStatus.COMMAND_OK:
                raise PlanRefused(explain_error(Exception(_pg_error(parsed, pgconn) or "refused"), target))
            prepared = True
            params = pgconn.describe_prepared(_PG_STATEMENT).nparams
            nulls = ", ".join(["NULL"] * params)
            call = (
                b"EXPLAIN (FORMAT JSON, VERBOSE) EXECUTE " + _PG_STATEMENT + (f"({nulls})".encode() if params else b"")
            )
            result = pgconn.exec_(call)
            if result.status != pq.ExecStatus.TUPLES_OK:
                if pgconn.status != pq.ConnStatus.OK:
                    raise _unreachable(target, _pg_error(result, pgconn) or "connection lost", conn)
                raise PlanRefused(explain_error(Exception(_pg_error(result, pgconn) or "no plan"), target))
            value = result.get_value(0, 0)
            return bytes(value or b"").decode("utf-8", "replace")
        finally:
            if not conn.invalidated and pgconn.status == pq.ConnStatus.OK:
                command(b"ROLLBACK")
                if prepared:  # prepared statements outlive the transaction
                    command(b"DEALLOCATE " + _PG_STATEMENT)

    return explain


# --- MySQL / MariaDB ----------------------------------------------------------------------------

_MY_PREFIX = "EXPLAIN FORMAT=JSON "


@contextmanager
def mysql_explain(target: TargetConfig) -> Iterator[_Explain]:
    """MySQL's and MariaDB's EXPLAIN session (the ``explain`` entry of its profile)."""
    with connect(target) as conn:
        raw = conn.connection.dbapi_connection
        if not isinstance(raw, pymysql.connections.Connection):
            raise TypeError(f"expected a pymysql connection, got {type(raw).__name__}")
        problem = protocol_problem(raw)
        if problem is not None:
            raise ConfigurationError(
                f"connection {target.name!r} cannot be explained: {problem}; drop client_flag from the connection URL"
            )
        mariadb = "mariadb" in raw.get_server_info().lower()
        saved_timeout = raw._read_timeout
        try:
            _mysql_query(conn, raw, target, "ROLLBACK")
            if mariadb:
                _mysql_query(conn, raw, target, f"SET SESSION max_statement_time = {_TIMEOUT_S}")
            else:
                _mysql_query(conn, raw, target, f"SET SESSION max_execution_time = {_TIMEOUT_S * 1000}", optional=True)
            _mysql_query(conn, raw, target, f"SET SESSION lock_wait_timeout = {_TIMEOUT_S}")
            raw._read_timeout = _TIMEOUT_S * 3
            _mysql_query(conn, raw, target, "START TRANSACTION READ ONLY")
            yield lambda sql: _mysql_explain(conn, raw, target, sql)
        finally:
            raw._read_timeout = saved_timeout
            if not conn.invalidated and raw.open:
                _mysql_query(conn, raw, target, "ROLLBACK")


def _mysql_explain(conn: Connection, raw: Any, target: TargetConfig, sql: str) -> Any:
    text = _MY_PREFIX + sql
    combined = Script(text, Dialect.MYSQL)
    stmt = combined.statements[0] if len(combined.statements) == 1 else None
    if stmt is None or stmt.explain is None or stmt.explain.analyze or stmt.tree is None:
        raise NotAPlainRead("not explained: with EXPLAIN in front it is not one plain EXPLAIN of a read")
    try:
        payload = text.encode(raw.encoding)
    except UnicodeEncodeError:
        raise NotAPlainRead(f"not explained: it cannot be sent in the connection's encoding ({raw.encoding})") from None
    cursor = raw.cursor()
    try:
        cursor.execute(payload)  # no arguments: pymysql sends the bytes as they are
        row = cursor.fetchone()
    except pymysql.MySQLError as exc:
        if not raw.open:
            raise _unreachable(target, exc, conn) from None
        raise PlanFormatError(explain_error(exc, target)) from None
    finally:
        cursor.close()
    if not row:
        raise PlanFormatError("the server returned no plan")
    return row[0]


def plan_of(target: TargetConfig, sql: str) -> Plan:
    """The plan of one plain read (tests and benchmarks); refused before anything is sent if it is not one.

    Raises:
        NotAPlainRead, PlanFormatError, TargetUnreachable.
    """
    refusal = plain_read_refusal(sql, target.dialect)
    if refusal is not None:
        raise NotAPlainRead(f"not explained: {refusal}")
    with explain_session(target) as explain:
        return parse_plan(target.dialect.value, explain(sql))
