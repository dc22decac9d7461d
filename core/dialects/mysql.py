"""MySQL and MariaDB: backtick quotes, caseless columns, table names by lower_case_table_names; databases as schemas."""

from __future__ import annotations

import math
from typing import Any

from core.dialects import Construct, DialectProfile, Fold, Match, Unsupported
from core.domain.schema import Dialect

READ_ONLY_STATEMENT = "SET SESSION TRANSACTION READ ONLY"


def connect_args(connect_timeout: int, statement_timeout: float) -> dict[str, Any]:
    """pymysql arguments: the session's transactions are read-only; socket timeouts bound every wait."""
    return {
        "connect_timeout": connect_timeout,
        "read_timeout": connect_timeout,
        "write_timeout": connect_timeout,
        "charset": "utf8mb4",
        "init_command": READ_ONLY_STATEMENT,
    }


def widen_read_timeout(engine: Any, statement_timeout: float) -> None:
    """Give catalog queries the statement timeout once the session is up.

    pymysql waits for the server greeting with ``read_timeout``, so it must be the connect timeout
    until the session is up; only then may a query wait as long as the statement timeout.
    """
    from sqlalchemy import event

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, _rec: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        conn = dialect.loaded_dbapi.connect(*cargs, **cparams)
        if hasattr(conn, "_read_timeout"):
            conn._read_timeout = max(cparams.get("read_timeout") or 0, math.ceil(statement_timeout))
        return conn


_NAME = "MySQL"

PROFILE = DialectProfile(
    dialect=Dialect.MYSQL,
    name=_NAME,
    products="MySQL/MariaDB",
    sqlglot="mysql",
    aliases=("mariadb",),
    url_schemes=("mysql", "mariadb"),
    sqlalchemy_driver="mysql+pymysql",
    drivers=frozenset({"pymysql", ""}),
    url_example="mysql://user@host/db",
    connect_args=connect_args,
    engine_hook="core.dialects.mysql:widen_read_timeout",
    read_only_session=(READ_ONLY_STATEMENT,),
    read_only_hint=(
        "CREATE USER 'sqldraft_reader'@'%' IDENTIFIED BY '...'; "
        "GRANT SELECT, SHOW VIEW ON {database}.* TO 'sqldraft_reader'@'%'"
    ),
    version_query="SELECT VERSION()",
    quote_char="`",
    identifier_quotes="`",
    fold=Fold.NONE,
    table_match=Match.SERVER,
    column_match=Match.CASELESS,
    system_schemas=frozenset({"information_schema", "mysql", "performance_schema", "sys"}),
    system_tables=frozenset({"dual"}),
    whitespace=" \t\n\r\f\v",
    # MySQL ends a -- or # comment at a newline only, not at a carriage return.
    line_ends="\n",
    dash_comment_needs_space=True,
    hash_comments=True,
    executable_comments=True,
    introspection="core.introspection.mysql:introspect_mysql",
    server_check="core.validation.server_check:mysql_session",
    explain="core.validation.explain:mysql_explain",
    read_runner="core.introspection.reads:mysql_read",
    # MySQL and MariaDB refuse to prepare DML in a read-only session.
    server_checked_kinds=frozenset({"select"}),
    prompt_hint=(
        "Quote identifiers with backticks. There is no ILIKE, no :: cast, no FULL JOIN, no DISTINCT ON and "
        "no NULLS FIRST; strings use single quotes; concatenate with CONCAT(). In ALTER TABLE say "
        "ALGORITHM= and LOCK=."
    ),
    unsupported={
        Construct.ILIKE: Unsupported(
            f"ILIKE does not exist in {_NAME}",
            "use LIKE (case-insensitive under the default collation) or LOWER(x) LIKE LOWER(y)",
        ),
        Construct.DOUBLE_COLON_CAST: Unsupported(f"'::' casts do not exist in {_NAME}", "use CAST(x AS type)"),
        Construct.DISTINCT_ON: Unsupported(
            f"DISTINCT ON does not exist in {_NAME}", "use a window function: ROW_NUMBER() OVER (PARTITION BY ...) = 1"
        ),
        Construct.FULL_JOIN: Unsupported("MySQL has no FULL OUTER JOIN", "UNION a LEFT JOIN and a RIGHT JOIN"),
        Construct.AGGREGATE_FILTER: Unsupported(
            "MySQL has no FILTER (WHERE ...) on aggregates", "use SUM(CASE WHEN ... THEN 1 ELSE 0 END)"
        ),
        # MariaDB has RETURNING on INSERT, REPLACE and DELETE; the rule reads properties.mariadb for that.
        Construct.RETURNING: Unsupported(
            "RETURNING is not supported here (MySQL has none; MariaDB only on INSERT, REPLACE and DELETE)",
            "read the rows back with a SELECT",
        ),
        Construct.NULLS_ORDER: Unsupported("MySQL has no NULLS FIRST/LAST", "order by (col IS NULL), col instead"),
    },
)
"""MySQL's profile (MariaDB is the same dialect, told apart by the snapshot's ``properties.mariadb``)."""
