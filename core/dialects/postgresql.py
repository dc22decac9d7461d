"""PostgreSQL: unquoted names fold to lower case, quoted ones match exactly; schemas; read-only by session default."""

from __future__ import annotations

from typing import Any

from core.dialects import DialectProfile, Fold, Match
from core.domain.schema import Dialect

READ_ONLY_SETTING = "default_transaction_read_only=on"


def connect_args(connect_timeout: int, statement_timeout: float) -> dict[str, Any]:
    """psycopg arguments: every transaction of the session is read-only and statements time out."""
    return {
        "connect_timeout": connect_timeout,
        "application_name": "sqldraft",
        "options": f"-c {READ_ONLY_SETTING} -c statement_timeout={int(statement_timeout * 1000)}",
    }


PROFILE = DialectProfile(
    dialect=Dialect.POSTGRESQL,
    name="PostgreSQL",
    products="PostgreSQL",
    sqlglot="postgres",
    aliases=("postgres", "pg"),
    url_schemes=("postgresql", "postgres"),
    sqlalchemy_driver="postgresql+psycopg",
    drivers=frozenset({"psycopg", ""}),
    url_example="postgresql://user@host:5432/db",
    connect_args=connect_args,
    read_only_session=(f"-c {READ_ONLY_SETTING}", "-c statement_timeout=<ms>"),
    read_only_hint=(
        "CREATE ROLE sqldraft_reader LOGIN PASSWORD '...'; GRANT CONNECT ON DATABASE {database} TO sqldraft_reader; "
        "GRANT USAGE ON SCHEMA public TO sqldraft_reader; GRANT SELECT ON ALL TABLES IN SCHEMA public TO "
        "sqldraft_reader (or GRANT pg_read_all_data TO sqldraft_reader on PostgreSQL 14+)"
    ),
    version_query="SHOW server_version",
    quote_char='"',
    identifier_quotes='"',
    fold=Fold.LOWER,
    table_match=Match.EXACT,
    column_match=Match.EXACT,
    default_schema="public",
    system_schemas=frozenset({"pg_catalog", "information_schema"}),
    system_table_prefixes=("pg_",),
    system_columns=frozenset({"ctid", "xmin", "xmax", "cmin", "cmax", "tableoid"}),
    # PostgreSQL skips a vertical tab from version 16; version 15 refuses it, which runs nothing.
    whitespace=" \t\n\r\f\v",
    line_ends="\n\r",
    nested_block_comments=True,
    dollar_quotes=True,
    introspection="core.introspection.postgres:introspect_postgres",
    server_check="core.validation.server_check:postgresql_session",
    explain="core.validation.explain:postgresql_explain",
    read_runner="core.introspection.reads:postgresql_read",
    prompt_hint=(
        "Quote identifiers with double quotes only when needed. ILIKE, :: casts, RETURNING and "
        "DISTINCT ON are available. In migrations, SET lock_timeout first and create indexes "
        "CONCURRENTLY."
    ),
    unsupported={},
)
"""PostgreSQL's profile. It lacks none of the constructs in :class:`~core.dialects.Construct`."""
