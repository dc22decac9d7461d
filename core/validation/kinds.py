"""What kind of statement a statement is: read, dml, ddl, privilege, session, transaction, lock, ... .

The kind is read from the parsed tree; statements sqlglot keeps as opaque text are classified by their
leading keywords (from the normalised text, so comments and quoting cannot disguise them).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from core.validation.lex import Kind, Lexeme

READ, DML, DDL = "read", "dml", "ddl"
PRIVILEGE, SESSION, TRANSACTION, LOCK = "privilege", "session", "transaction", "lock"
DYNAMIC, MAINTENANCE, FILE = "dynamic", "maintenance", "file"

_KEYWORDS = {
    "SELECT": READ,
    "WITH": READ,
    "VALUES": READ,
    "TABLE": READ,
    "SHOW": READ,
    "DESCRIBE": READ,
    "DESC": READ,
    "EXPLAIN": READ,
    "PRAGMA": READ,
    "INSERT": DML,
    "UPDATE": DML,
    "DELETE": DML,
    "MERGE": DML,
    "REPLACE": DML,
    "UPSERT": DML,
    "CREATE": DDL,
    "ALTER": DDL,
    "DROP": DDL,
    "TRUNCATE": DDL,
    "RENAME": DDL,
    "COMMENT": DDL,
    "GRANT": PRIVILEGE,
    "REVOKE": PRIVILEGE,
    "SET": SESSION,
    "RESET": SESSION,
    "USE": SESSION,
    "DISCARD": SESSION,
    "LISTEN": SESSION,
    "UNLISTEN": SESSION,
    "NOTIFY": SESSION,
    "BEGIN": TRANSACTION,
    "START": TRANSACTION,
    "COMMIT": TRANSACTION,
    "ROLLBACK": TRANSACTION,
    "END": TRANSACTION,
    "ABORT": TRANSACTION,
    "SAVEPOINT": TRANSACTION,
    "RELEASE": TRANSACTION,
    "XA": TRANSACTION,
    "LOCK": LOCK,
    "UNLOCK": LOCK,
    "LOCK TABLES": LOCK,
    "UNLOCK TABLES": LOCK,
    "DO": DYNAMIC,
    "CALL": DYNAMIC,
    "EXECUTE": DYNAMIC,
    "EXEC": DYNAMIC,
    "PREPARE": DYNAMIC,
    "DEALLOCATE": DYNAMIC,
    "HANDLER": DYNAMIC,
    "VACUUM": MAINTENANCE,
    "ANALYZE": MAINTENANCE,
    "REINDEX": MAINTENANCE,
    "CLUSTER": MAINTENANCE,
    "REFRESH": MAINTENANCE,
    "CHECKPOINT": MAINTENANCE,
    "CHECK": MAINTENANCE,
    "CHECKSUM": MAINTENANCE,
    "OPTIMIZE": MAINTENANCE,
    "REPAIR": MAINTENANCE,
    "FLUSH": MAINTENANCE,
    "KILL": MAINTENANCE,
    "SHUTDOWN": MAINTENANCE,
    "INSTALL": MAINTENANCE,
    "UNINSTALL": MAINTENANCE,
    "PURGE": MAINTENANCE,
    "CHANGE": MAINTENANCE,
    "DETACH": MAINTENANCE,
    "SECURITY": MAINTENANCE,
    "REASSIGN": PRIVILEGE,
    "IMPORT": FILE,
    "LOAD": FILE,
    "COPY": FILE,
    "ATTACH": FILE,
}
_PRIVILEGE_OBJECTS = {"ROLE", "USER", "GROUP"}


def classify_keyword(words: Sequence[Lexeme]) -> str:
    """The kind of a statement sqlglot keeps as text, from its leading lexemes (comments never count)."""
    first = words[0].text.upper() if words else ""
    second = words[1].upper if len(words) > 1 else ""
    fourth = words[3].upper if len(words) > 3 else ""
    if first in ("CREATE", "ALTER", "DROP") and (
        second in _PRIVILEGE_OBJECTS or (second == "OR" and fourth in _PRIVILEGE_OBJECTS)
    ):
        return PRIVILEGE
    if first == "ALTER" and second == "SYSTEM":
        return MAINTENANCE
    if first == "SET" and second == "ROLE":
        return PRIVILEGE
    if first == "SET" and second == "SESSION" and any(w.upper == "AUTHORIZATION" for w in words):
        return PRIVILEGE
    if first == "PRAGMA":
        return pragma_kind(words)
    if first == "LOCK" and second in ("TABLE", "TABLES", "IN"):
        return LOCK
    return _KEYWORDS.get(first, DYNAMIC)


_READ_PRAGMAS = {
    "table_info",
    "table_xinfo",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "database_list",
    "collation_list",
    "function_list",
    "pragma_list",
    "compile_options",
    "foreign_key_check",
    "table_list",
    "module_list",
    "integrity_check",
    "quick_check",
}


def pragma_kind(words: Sequence[Lexeme]) -> str:
    """SQLite PRAGMA: reading a setting or a table's layout is a read; setting a value is maintenance."""
    name, valued = "", False
    for w in words[1:]:
        if w.kind is Kind.OP and w.text in ("=", "("):
            valued = True
            break
        if w.kind in (Kind.WORD, Kind.QUOTED):
            name = (w.value or "") if w.kind is Kind.QUOTED else w.text  # schema.name: the last name counts
    name = name.lower()
    if name in _READ_PRAGMAS:
        return READ
    if name in _ACTION_PRAGMAS:
        return MAINTENANCE
    return MAINTENANCE if valued else READ


# PRAGMAs that act when named without a value (they are commands, not settings to read).
_ACTION_PRAGMAS = {"optimize", "wal_checkpoint", "incremental_vacuum", "shrink_memory", "vacuum", "analysis_limit"}


def classify(tree: exp.Expr | None, words: Sequence[Lexeme]) -> tuple[str, str]:
    """(kind, statement type) of a statement: from its tree, or from its words when sqlglot has none."""
    if tree is None or isinstance(tree, exp.Command | exp.Alias):
        keyword = words[0].text.lower() if words else ""
        return classify_keyword(words), (keyword or "unknown")
    if isinstance(tree, exp.Select | exp.SetOperation | exp.Subquery | exp.Values):
        return READ, "select"
    if isinstance(tree, exp.Show | exp.Describe):
        return READ, type(tree).__name__.lower()
    if isinstance(tree, exp.Pragma):
        return pragma_kind(words), "pragma"
    if isinstance(tree, exp.Insert | exp.Update | exp.Delete | exp.Merge):
        return DML, type(tree).__name__.lower()
    if isinstance(tree, exp.Copy):
        return FILE, "copy"
    if isinstance(tree, exp.Grant | exp.Revoke):
        return PRIVILEGE, type(tree).__name__.lower()
    if isinstance(tree, exp.Create | exp.Alter | exp.Drop | exp.TruncateTable | exp.Comment):
        name = {"TruncateTable": "truncate"}.get(type(tree).__name__, type(tree).__name__.lower())
        return DDL, name
    if isinstance(tree, exp.Transaction | exp.Commit | exp.Rollback):
        return TRANSACTION, type(tree).__name__.lower()
    if isinstance(tree, exp.Set | exp.Use):
        return SESSION, type(tree).__name__.lower()
    if isinstance(tree, exp.Attach):
        return FILE, "attach"
    if isinstance(tree, exp.Detach | exp.Kill | exp.Analyze):
        return MAINTENANCE, type(tree).__name__.lower()
    if isinstance(tree, exp.Lock):
        return LOCK, "lock"
    return classify_keyword(words), type(tree).__name__.lower()
