"""The optional server-side check: the database prepares each statement, nothing is executed.

PostgreSQL: PREPARE / DEALLOCATE in the read-only session. MySQL/MariaDB: PREPARE ... FROM / DEALLOCATE
in a read-only session. SQLite: EXPLAIN on a read-only connection (compiles to bytecode, runs nothing).
Only reads and DML are checked (MySQL/MariaDB: reads only, since they refuse to prepare DML in a
read-only session), and only statements before any DDL in the script (the server does not know the
tables a script is about to create).
"""

from __future__ import annotations

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from core.domain.schema import Dialect
from core.introspection.targets import TargetConfig, connect, explain_error
from core.validation.catalog import RULES
from core.validation.model import Finding, Severity, Status, Validation

_CHECKED_TYPES = {"select", "insert", "update", "delete", "merge"}


def check_on_server(validation: Validation, target: TargetConfig, statements: list[tuple[int, str, int, int]]) -> None:
    """Add ``syntax.server_rejected`` findings for statements the server refuses to prepare.

    ``statements`` holds (index, text, line, column) for each statement of the script.

    Raises:
        TargetUnreachable: the database cannot be reached (the caller decides what that means).
    """
    rule = RULES["syntax.server_rejected"]
    erroneous = {f.statement for f in validation.findings if f.severity is Severity.ERROR}
    checkable = []
    types = {"select"} if target.dialect is Dialect.MYSQL else _CHECKED_TYPES
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
    with connect(target) as conn:
        for index, text, line, column in checkable:
            message = _prepare(conn, target, text.strip().rstrip(";"))
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


def _prepare(conn: Connection, target: TargetConfig, sql: str) -> str | None:
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        if target.dialect is Dialect.POSTGRESQL:
            cursor.execute("SAVEPOINT sqldraft_check")
            try:
                cursor.execute(f"PREPARE sqldraft_check AS {sql}")
                cursor.execute("DEALLOCATE sqldraft_check")
            finally:
                cursor.execute("ROLLBACK TO SAVEPOINT sqldraft_check")
        elif target.dialect is Dialect.MYSQL:
            cursor.execute("PREPARE sqldraft_check FROM %s", (sql,))
            cursor.execute("DEALLOCATE PREPARE sqldraft_check")
        else:
            cursor.execute(f"EXPLAIN {sql}")
            cursor.fetchall()
    except DBAPIError as exc:
        return explain_error(exc, target)
    except Exception as exc:  # the driver's own error classes: the server said no
        if type(exc).__module__.split(".")[0] in ("psycopg", "pymysql", "sqlite3"):
            return explain_error(exc, target)
        raise
    finally:
        cursor.close()
    return None
