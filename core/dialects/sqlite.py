"""SQLite: one file, caseless names, no schemas (``main``/``temp`` mean the file), opened read-only."""

from __future__ import annotations

from typing import Any

from core.dialects import Construct, DialectProfile, Fold, Match, Unsupported
from core.domain.schema import Dialect

_NAME = "SQLite"


def open_read_only(path: str, timeout: float) -> Any:
    """A read-only sqlite3 connection to an existing file (``mode=ro``: the file is never created or written).

    Raises:
        sqlite3.OperationalError: the file does not exist or cannot be opened.
    """
    import sqlite3
    from pathlib import Path

    if not Path(path).exists():
        raise sqlite3.OperationalError(f"file not found: {path}")
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout, check_same_thread=False)


PROFILE = DialectProfile(
    dialect=Dialect.SQLITE,
    name=_NAME,
    products="SQLite",
    sqlglot="sqlite",
    url_schemes=("sqlite",),
    sqlalchemy_driver="sqlite",
    drivers=frozenset({"pysqlite", ""}),
    file_based=True,
    url_example="sqlite:///path/to/file.db",
    open_file="core.dialects.sqlite:open_read_only",
    read_only_session=("file:<path>?mode=ro",),
    read_only_hint=(
        "make the file read-only for the account sqldraft runs as (chmod a-w {database}); "
        "sqldraft opens SQLite files read-only anyway"
    ),
    hint_placeholder="FILE",
    version_query="SELECT 'SQLite ' || sqlite_version()",
    quote_char='"',
    identifier_quotes='"`[',
    fold=Fold.NONE,
    table_match=Match.CASELESS,
    column_match=Match.CASELESS,
    has_schemas=False,
    schema_aliases=frozenset({"main", "temp"}),
    system_tables=frozenset(
        {
            "sqlite_master",
            "sqlite_schema",
            "sqlite_temp_master",
            "sqlite_sequence",
            "sqlite_stat1",
            "pragma_table_info",
            "pragma_table_xinfo",
            "pragma_index_list",
            "pragma_foreign_key_list",
        }
    ),
    system_columns=frozenset({"rowid", "oid", "_rowid_"}),
    # SQLite skips a byte-order mark but not a vertical tab.
    whitespace=" \t\n\r\f\ufeff",
    line_ends="\n",
    open_comment_ends_text=True,
    parameter_prefixes="?:@$#",
    introspection="core.introspection.sqlite:introspect_sqlite",
    server_check="core.validation.server_check:sqlite_session",
    read_runner="core.introspection.reads:sqlite_read",
    prompt_hint=(
        "There is no ILIKE (LIKE is case-insensitive for ASCII), no RIGHT or FULL JOIN before 3.39, and "
        "dates are usually TEXT: compare them as ISO-8601 strings or use date()/strftime(). Strings use "
        "single quotes."
    ),
    unsupported={
        Construct.ILIKE: Unsupported(
            f"ILIKE does not exist in {_NAME}", "use LIKE (case-insensitive for ASCII in SQLite)"
        ),
        Construct.DOUBLE_COLON_CAST: Unsupported(f"'::' casts do not exist in {_NAME}", "use CAST(x AS type)"),
        Construct.DISTINCT_ON: Unsupported(
            f"DISTINCT ON does not exist in {_NAME}", "use a window function: ROW_NUMBER() OVER (PARTITION BY ...) = 1"
        ),
    },
)
"""SQLite's profile."""
