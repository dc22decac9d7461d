"""Statement classification and the risk rules: writes hidden in reads, dangerous functions, locks."""

from __future__ import annotations

import math
import re

from sqlglot import exp
from sqlglot.tokens import TokenType

from core.domain.schema import Dialect
from core.validation.context import StatementContext
from core.validation.functions import FunctionClass, judge_function
from core.validation.model import RiskLevel, ScriptMode, Severity

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

FILE_FUNCTIONS = {
    "pg_read_file",
    "pg_read_binary_file",
    "pg_ls_dir",
    "pg_stat_file",
    "pg_ls_logdir",
    "pg_ls_waldir",
    "pg_ls_tmpdir",
    "pg_ls_archive_statusdir",
    "pg_ls_logicalsnapdir",
    "pg_ls_logicalmapdir",
    "pg_ls_replslotdir",
    "lo_import",
    "lo_export",
    "lo_from_bytea",
    "lo_put",
    "lo_create",
    "lo_creat",
    "lo_unlink",
    "lo_open",
    "lowrite",
    "loread",
    "lo_get",
    "pg_file_write",
    "pg_file_rename",
    "pg_file_unlink",
    "pg_logdir_ls",
    "pg_file_sync",
    "load_file",
    "readfile",
    "writefile",
    "load_extension",
    "edit",
    "fts3_tokenizer",
}
DANGEROUS_FUNCTIONS = {
    # remote execution, session and server control
    "dblink": RiskLevel.CRITICAL,
    "dblink_exec": RiskLevel.CRITICAL,
    "dblink_connect": RiskLevel.CRITICAL,
    "dblink_connect_u": RiskLevel.CRITICAL,
    "dblink_send_query": RiskLevel.CRITICAL,
    "dblink_open": RiskLevel.CRITICAL,
    "set_config": RiskLevel.CRITICAL,
    "query_to_xml": RiskLevel.CRITICAL,
    "query_to_xml_and_xmlschema": RiskLevel.CRITICAL,
    "query_to_xmlschema": RiskLevel.CRITICAL,
    "cursor_to_xml": RiskLevel.HIGH,
    "pg_terminate_backend": RiskLevel.CRITICAL,
    "pg_cancel_backend": RiskLevel.HIGH,
    "pg_reload_conf": RiskLevel.CRITICAL,
    "pg_rotate_logfile": RiskLevel.HIGH,
    "pg_switch_wal": RiskLevel.HIGH,
    "pg_promote": RiskLevel.CRITICAL,
    "pg_create_restore_point": RiskLevel.HIGH,
    "pg_backup_start": RiskLevel.HIGH,
    "pg_backup_stop": RiskLevel.HIGH,
    "pg_start_backup": RiskLevel.HIGH,
    "pg_stop_backup": RiskLevel.HIGH,
    "pg_create_logical_replication_slot": RiskLevel.CRITICAL,
    "pg_create_physical_replication_slot": RiskLevel.CRITICAL,
    "pg_drop_replication_slot": RiskLevel.CRITICAL,
    "pg_logical_emit_message": RiskLevel.HIGH,
    "pg_notify": RiskLevel.HIGH,
    "nextval": RiskLevel.HIGH,
    "setval": RiskLevel.HIGH,
    "pg_import_system_collations": RiskLevel.HIGH,
    "txid_current": RiskLevel.LOW,
    # stalls and locks
    "pg_sleep": RiskLevel.HIGH,
    "pg_sleep_for": RiskLevel.HIGH,
    "pg_sleep_until": RiskLevel.HIGH,
    "sleep": RiskLevel.HIGH,
    "benchmark": RiskLevel.HIGH,
    "get_lock": RiskLevel.HIGH,
    "release_lock": RiskLevel.HIGH,
    "release_all_locks": RiskLevel.HIGH,
    "master_pos_wait": RiskLevel.HIGH,
    "source_pos_wait": RiskLevel.HIGH,
    "wait_for_executed_gtid_set": RiskLevel.HIGH,
    "sys_exec": RiskLevel.CRITICAL,
    "sys_eval": RiskLevel.CRITICAL,
    "pg_advisory_lock": RiskLevel.HIGH,
    "pg_advisory_lock_shared": RiskLevel.HIGH,
    "pg_advisory_xact_lock": RiskLevel.HIGH,
    "pg_advisory_xact_lock_shared": RiskLevel.HIGH,
    "pg_try_advisory_lock": RiskLevel.HIGH,
    "pg_try_advisory_lock_shared": RiskLevel.HIGH,
    "pg_try_advisory_xact_lock": RiskLevel.HIGH,
    "pg_try_advisory_xact_lock_shared": RiskLevel.HIGH,
    "pg_advisory_unlock": RiskLevel.HIGH,
    "pg_advisory_unlock_shared": RiskLevel.HIGH,
    "pg_advisory_unlock_all": RiskLevel.HIGH,
}
# Generators whose size argument can exhaust memory or CPU when it is a huge literal.
_SIZE_ARGUMENT = {"repeat": 1, "rpad": 1, "lpad": 1, "randomblob": 0, "zeroblob": 0, "space": 0}


def function_name(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return ""


def classify_keyword(statement_text: str, keyword: str) -> str:
    words = statement_text.split()
    first = keyword or (words[0].upper() if words else "")
    second = words[1].upper() if len(words) > 1 else ""
    if first in ("CREATE", "ALTER", "DROP") and (
        second in _PRIVILEGE_OBJECTS or (second == "OR" and len(words) > 3 and words[3].upper() in _PRIVILEGE_OBJECTS)
    ):
        return PRIVILEGE
    if first == "ALTER" and second == "SYSTEM":
        return MAINTENANCE
    if first == "SET" and second in ("ROLE", "SESSION") and "AUTHORIZATION" in statement_text.upper():
        return PRIVILEGE
    if first == "SET" and second == "ROLE":
        return PRIVILEGE
    if first == "PRAGMA":
        return pragma_kind(statement_text)
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


def pragma_kind(text: str) -> str:
    """SQLite PRAGMA: reading a setting or a table's layout is a read; setting a value is maintenance."""
    body = text.strip()[len("PRAGMA") :].strip()
    name = body.split("(", 1)[0].split("=", 1)[0].strip().split(".")[-1].lower()
    if name in _READ_PRAGMAS:
        return READ
    if name in _ACTION_PRAGMAS:
        return MAINTENANCE
    return MAINTENANCE if "=" in body or "(" in body else READ


# PRAGMAs that act when named without a value (they are commands, not settings to read).
_ACTION_PRAGMAS = {"optimize", "wal_checkpoint", "incremental_vacuum", "shrink_memory", "vacuum", "analysis_limit"}


def classify(tree: exp.Expression | None, text: str, keyword: str) -> tuple[str, str]:
    """(kind, statement type) of a statement."""
    if tree is None or isinstance(tree, exp.Command | exp.Alias):
        kind = classify_keyword(text, keyword)
        return kind, (keyword.lower() or "unknown")
    if isinstance(tree, exp.Select | exp.SetOperation | exp.Subquery | exp.Values):
        return READ, "select"
    if isinstance(tree, exp.Show | exp.Describe):
        return READ, type(tree).__name__.lower()
    if isinstance(tree, exp.Pragma):
        return pragma_kind(text), "pragma"
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
    return classify_keyword(text, keyword), type(tree).__name__.lower()


# --- mode expectations -------------------------------------------------------------------------

_QUERY_MODE = {
    DML: ("risk.write_in_query", "changes data"),
    DDL: ("risk.write_in_query", "changes the schema"),
    PRIVILEGE: ("risk.privilege_change", "changes privileges or roles"),
    SESSION: ("risk.session_change", "changes session state"),
    TRANSACTION: ("risk.transaction_control", "controls the transaction"),
    LOCK: ("risk.locking_read", "takes table locks"),
    DYNAMIC: ("risk.dynamic_sql", "runs dynamic or procedural SQL that cannot be checked"),
    MAINTENANCE: ("risk.maintenance", "is a maintenance or server command"),
    FILE: ("risk.file_access", "reads or writes files on the database server"),
}


def _a(word: str) -> str:
    return f"an {word}" if word[:1].upper() in "AEIOU" else f"a {word}"


def mode_rules(ctx: StatementContext) -> None:
    kind, mode, stmt_type = ctx.kind, ctx.mode, ctx.type.upper()
    node = ctx.statement.start
    if kind == FILE and ctx.tree is not None and not isinstance(ctx.tree, exp.Command | exp.Alias):
        return  # Copy and Attach get a finding that says exactly what they touch
    if mode is ScriptMode.QUERY and kind != READ:
        rule_id, what = _QUERY_MODE[kind]
        ctx.report(
            rule_id,
            f"{_a(stmt_type)} statement {what}, but the request is a read-only query",
            node,
            "ask for a dml or ddl draft if a change is intended",
            severity=Severity.ERROR,
        )
        return
    if kind == PRIVILEGE:
        ctx.report(
            "risk.privilege_change",
            f"{stmt_type} changes privileges or roles",
            node,
            severity=Severity.WARNING if mode is ScriptMode.DDL else Severity.ERROR,
            risk=RiskLevel.HIGH if mode is ScriptMode.DDL else RiskLevel.CRITICAL,
        )
    elif kind == DYNAMIC:
        ctx.report("risk.dynamic_sql", f"{stmt_type} runs dynamic or procedural SQL that cannot be checked", node)
    elif kind == FILE:
        pass  # reported with details by file_rules
    elif kind == MAINTENANCE:
        ctx.report(
            "risk.maintenance", f"{stmt_type} is a maintenance or server command", node, severity=Severity.WARNING
        )
    elif kind == LOCK:
        ctx.report("risk.locking_read", f"{stmt_type} takes table locks that block other sessions", node)
    elif mode is ScriptMode.DML and kind == DDL:
        ctx.report(
            "risk.mode_mismatch",
            f"{_a(stmt_type)} statement changes the schema in a dml draft",
            node,
            "ask for a ddl draft for schema changes",
        )
    elif mode is ScriptMode.DDL and kind == DML:
        ctx.report(
            "risk.mode_mismatch",
            f"{_a(stmt_type)} statement changes data in a ddl draft",
            node,
            severity=Severity.WARNING,
            risk=RiskLevel.MEDIUM,
        )
    if kind == DML and mode is not ScriptMode.QUERY:
        level = RiskLevel.LOW if ctx.type == "insert" else RiskLevel.MEDIUM
        targets = sorted({r.table.key for r in ctx.resolution.tables if r.access.value == "write"})
        what = f" in {', '.join(targets)}" if targets else ""
        ctx.report("risk.data_change", f"{stmt_type} changes rows{what}", node, risk=level)
    if kind == DDL and mode is not ScriptMode.QUERY and ctx.type in ("create", "alter", "comment"):
        level = RiskLevel.LOW if ctx.type in ("create", "comment") else RiskLevel.MEDIUM
        ctx.report("risk.schema_change", f"{stmt_type} changes the schema", node, risk=level)


# --- hidden writes and dangerous calls ----------------------------------------------------------


def tree_rules(ctx: StatementContext) -> None:
    tree = ctx.tree
    if tree is None:
        return
    query_mode = ctx.mode is ScriptMode.QUERY
    for cte in ctx.find_all(exp.CTE):
        if isinstance(cte.this, exp.Insert | exp.Update | exp.Delete | exp.Merge):
            ctx.report(
                "risk.writable_cte",
                f"the CTE {cte.alias!r} runs a {type(cte.this).__name__.upper()}: a write inside a query",
                cte,
                severity=Severity.ERROR if query_mode else Severity.INFO,
                risk=RiskLevel.CRITICAL if query_mode else RiskLevel.MEDIUM,
            )
    for select in ctx.find_all(exp.Select):
        into = select.args.get("into")
        if isinstance(into, exp.Expression):
            target = into.sql(dialect=ctx.dialect.sqlglot)
            if ctx.dialect is Dialect.MYSQL and any(isinstance(n, exp.Parameter) for n in into.walk()):
                ctx.report(
                    "risk.session_change",
                    f"SELECT ... INTO {target} assigns session variables",
                    into,
                    severity=Severity.ERROR if query_mode else Severity.WARNING,
                    risk=RiskLevel.HIGH,
                )
            else:
                ctx.report(
                    "risk.select_into",
                    f"SELECT ... INTO {target} creates a table",
                    into,
                    "use CREATE TABLE ... AS in a ddl draft",
                    severity=Severity.ERROR if ctx.mode is not ScriptMode.DDL else Severity.WARNING,
                )
        for lock in select.args.get("locks") or []:
            kind = "FOR UPDATE" if lock.args.get("update") else "FOR SHARE"
            ctx.report(
                "risk.locking_read",
                f"SELECT ... {kind} locks the rows it reads",
                lock,
                "remove the locking clause for a plain read",
                severity=Severity.ERROR if query_mode else Severity.WARNING,
            )
    for assignment in ctx.find_all(exp.PropertyEQ):
        if isinstance(assignment.this, exp.Parameter):
            ctx.report(
                "risk.session_change",
                f"{assignment.this.sql(dialect=ctx.dialect.sqlglot)} := ... assigns a session variable",
                assignment,
                "read the value without assigning it",
                severity=Severity.ERROR if query_mode else Severity.WARNING,
                risk=RiskLevel.HIGH,
            )
    _function_rules(ctx, tree)
    if ctx.kind == READ:
        resource_rules(ctx)
    if isinstance(tree, exp.Copy):
        _copy_rules(ctx, tree)
    if isinstance(tree, exp.Attach):
        ctx.report("risk.file_access", "ATTACH DATABASE opens or creates a database file on the server", tree)


def _function_rules(ctx: StatementContext, tree: exp.Expression) -> None:
    """Functions by allowlist: dangerous is critical, volatile or unknown is high (in a read), safe is fine."""
    query_mode = ctx.mode is ScriptMode.QUERY
    for node in ctx.find_all(exp.Func):
        call = called_function(ctx, node)
        if call is None:
            if isinstance(node, exp.ExplodingGenerateSeries | exp.GenerateSeries):
                _huge_argument(ctx, node, "generate_series")
            continue
        name, schema, quoted = call
        folded = name if quoted and ctx.dialect is Dialect.POSTGRESQL else name.lower()
        if folded in FILE_FUNCTIONS:
            ctx.report("risk.file_access", f"{folded}() reads or writes files or large objects on the server", node)
            continue
        verdict = judge_function(
            ctx.dialect, name, schema, ctx.index.model.functions, ctx.settings.safe_functions, quoted=quoted
        )
        shown = f"{schema}.{name}" if schema else name
        if verdict.cls is FunctionClass.DANGEROUS:
            ctx.report(
                "risk.dangerous_function",
                f"{shown}() has side effects or can stall the server ({verdict.reason})",
                node,
                "leave it out of the draft",
                risk=RiskLevel.CRITICAL,
                severity=Severity.ERROR,
            )
        elif verdict.cls in (FunctionClass.VOLATILE, FunctionClass.UNKNOWN) and query_mode:
            ctx.report(
                "risk.unknown_function",
                f"{shown}() is not known to be free of side effects ({verdict.reason})",
                node,
                "use a built-in function, or add it to the connection's safe functions "
                "(sqldraft connections set NAME --safe-functions ...) if it only reads",
            )
        elif folded in _SIZE_ARGUMENT or isinstance(node, exp.ExplodingGenerateSeries | exp.GenerateSeries):
            _huge_argument(ctx, node, folded)


_NAME = re.compile(r'^(?:[A-Za-z_\u0080-\U0010ffff][\w$\u0080-\U0010ffff]*|"(?:[^"]|"")+"|`(?:[^`]|``)+`)$')


def called_function(ctx: StatementContext, node: exp.Func) -> tuple[str, str | None, bool] | None:
    """(name as called, schema qualifier, quoted) of a function call; None for a syntax form (CAST, EXTRACT).

    The name is read from the statement's (normalised) text where the parser found the call, not from
    sqlglot's own function class, so ``strpos`` stays ``strpos`` and ``"PG_SLEEP"`` keeps its quotes.
    """
    start, end = node.meta.get("start"), node.meta.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    text = ctx.script.sql[start : end + 1]
    if not _NAME.match(text):
        return None
    quoted = text[:1] in ('"', "`")
    name = text[1:-1].replace(text[0] * 2, text[0]) if quoted else text
    schema = None
    parent = node.parent
    if isinstance(parent, exp.Dot) and parent.expression is node:
        schema = parent.this.name if isinstance(parent.this, exp.Expression) else None
    return name, schema or None, quoted


def _huge_argument(ctx: StatementContext, node: exp.Func, name: str) -> None:
    args = [a for a in node.iter_expressions()]
    numbers = []
    for arg in args:
        if isinstance(arg, exp.Literal) and not arg.is_string:
            try:
                numbers.append(float(arg.this))
            except ValueError:
                continue
    if isinstance(node, exp.ExplodingGenerateSeries | exp.GenerateSeries):
        size = abs(numbers[1] - numbers[0]) if len(numbers) >= 2 else 0.0
    else:
        size = max(numbers, default=0.0)
    if size >= ctx.settings.huge_literal:
        ctx.report(
            "risk.dangerous_function",
            f"{name}() with a size of {size:,.0f} can exhaust the server's memory or CPU",
            node,
            severity=Severity.ERROR if ctx.mode is ScriptMode.QUERY else Severity.WARNING,
        )


_SEQUENCE_TABLE = re.compile(r"^seq_(\d+)_to_(\d+)(?:_step_(\d+))?$", re.IGNORECASE)


def resource_rules(ctx: StatementContext) -> None:
    """Reads that make the server generate or pair an enormous number of rows or bytes."""
    huge = ctx.settings.huge_literal
    for select in ctx.find_all(exp.Select):
        sizes = [_generated_rows(ctx, source) for source in _from_sources(select)]
        generated = [s for s in sizes if s is not None]
        total = math.prod(generated) if generated else 0
        alone = len(generated) == 1 and not _is_series(select)
        if total >= huge and (len(generated) > 1 or alone):
            ctx.report(
                "risk.resource_exhaustion",
                f"the FROM clause generates about {total:,.0f} rows",
                select,
                "generate fewer rows, or bound them with a WHERE or LIMIT",
            )
    for node in ctx.find_all(exp.Func):
        call = called_function(ctx, node)
        name = call[0].lower() if call else ""
        if name in _BYTE_SIZED:
            numbers = _literal_numbers(node)
            if name == "array_fill":
                numbers = [math.prod(_literal_numbers(a)) for a in node.expressions if isinstance(a, exp.Array)]
            size = max(numbers, default=0.0)
            if size >= huge:
                ctx.report(
                    "risk.resource_exhaustion",
                    f"{name}() with a size of {size:,.0f} can exhaust the server's memory",
                    node,
                    "use a small size",
                )
    for cte in ctx.find_all(exp.CTE):
        with_ = cte.parent
        if isinstance(with_, exp.With) and with_.args.get("recursive") and _unbounded(cte, ctx.tree):
            ctx.report(
                "risk.resource_exhaustion",
                f"the recursive CTE {cte.alias!r} has no condition that ends the recursion and nothing limits it",
                cte,
                "add a WHERE to its recursive part (e.g. WHERE n < 100) or a LIMIT",
            )


_BYTE_SIZED = {"printf", "format", "array_fill"}


def _is_series(select: exp.Select) -> bool:
    """A single generate_series is judged by its own size rule (risk.dangerous_function)."""
    sources = _from_sources(select)
    return len(sources) == 1 and isinstance(sources[0], exp.GenerateSeries | exp.ExplodingGenerateSeries)


def _from_sources(select: exp.Select) -> list[exp.Expression]:
    from_ = select.args.get("from_") or select.args.get("from")
    sources = [from_.this] if isinstance(from_, exp.From) else []
    for join in select.args.get("joins") or []:
        if join.args.get("on") is None and not join.args.get("using"):
            sources.append(join.this)
    out = []
    for source in sources:
        inner = source.this if isinstance(source, exp.Table) and isinstance(source.this, exp.Func) else source
        out.append(inner.unnest() if isinstance(inner, exp.Expression) else inner)
    return out


def _generated_rows(ctx: StatementContext, source: exp.Expression) -> float | None:
    if isinstance(source, exp.GenerateSeries | exp.ExplodingGenerateSeries):
        numbers = _literal_numbers(source)
        return abs(numbers[1] - numbers[0]) + 1 if len(numbers) >= 2 else None
    if isinstance(source, exp.Table) and ctx.dialect is Dialect.MYSQL:
        m = _SEQUENCE_TABLE.match(source.name)
        if m:
            step = int(m.group(3) or 1) or 1
            return abs(int(m.group(2)) - int(m.group(1))) / step + 1
    if isinstance(source, exp.Table):
        estimate = next((r.table.row_estimate for r in ctx.resolution.tables if r.node is source), None)
        return float(estimate) if estimate else None
    return None


def _literal_numbers(node: exp.Expression) -> list[float]:
    numbers = []
    for arg in node.iter_expressions():
        if isinstance(arg, exp.Literal) and not arg.is_string:
            try:
                numbers.append(float(arg.this))
            except ValueError:
                continue
    return numbers


def _unbounded(cte: exp.CTE, tree: exp.Expression | None) -> bool:
    body = cte.this
    if not isinstance(body, exp.Union) or tree is None:
        return False
    recursive = body.expression
    if not isinstance(recursive, exp.Select) or recursive.args.get("where") or recursive.args.get("limit"):
        return False
    return not any(s.args.get("limit") for s in tree.find_all(exp.Select) if s is not recursive)


def _copy_rules(ctx: StatementContext, tree: exp.Copy) -> None:
    files = tree.args.get("files") or []
    to_program = any(isinstance(f, exp.Identifier) and not f.quoted and f.this.upper() == "PROGRAM" for f in files)
    endpoints = [f for f in files if not (isinstance(f, exp.Identifier) and f.this.upper() in ("STDIN", "STDOUT"))]
    direction = "FROM" if tree.args.get("kind") else "TO"
    if to_program or endpoints:
        what = "runs a program" if to_program else "reads or writes a file"
        ctx.report("risk.file_access", f"COPY ... {direction} {what} on the database server", tree)
    elif direction == "FROM" and ctx.mode is ScriptMode.QUERY:
        ctx.report("risk.write_in_query", "COPY ... FROM STDIN loads rows into a table", tree, severity=Severity.ERROR)


def token_rules(ctx: StatementContext) -> None:
    """Rules that need the tokens: MySQL INTO OUTFILE/DUMPFILE (sqlglot cannot parse them)."""
    toks = ctx.statement.tokens
    for i, tok in enumerate(toks[:-1]):
        if tok.token_type == TokenType.INTO and toks[i + 1].text.upper() in ("OUTFILE", "DUMPFILE"):
            ctx.report(
                "risk.file_access", f"INTO {toks[i + 1].text.upper()} writes a file on the database server", tok.start
            )
        if tok.text.upper() == "LOAD" and toks[i + 1].text.upper() in ("DATA", "XML"):
            ctx.report("risk.file_access", "LOAD DATA reads a file into a table", tok.start)
        if i == 0 and tok.text.upper() == "VACUUM" and toks[i + 1].token_type == TokenType.INTO:
            ctx.report("risk.file_access", "VACUUM INTO writes a copy of the database to a file", tok.start)


def where_rules(ctx: StatementContext) -> None:
    tree = ctx.tree
    if not isinstance(tree, exp.Update | exp.Delete):
        return
    where = tree.args.get("where")
    name = type(tree).__name__.upper()
    limited = bool(
        tree.args.get("from_")
        or tree.args.get("from")
        or tree.args.get("using")
        or (isinstance(tree.this, exp.Table) and tree.this.args.get("joins"))
    )
    if where is None and not limited:
        rule_id = "risk.update_without_where" if name == "UPDATE" else "risk.delete_without_where"
        ctx.report(
            rule_id,
            f"{name} without WHERE changes every row of {tree.this.sql(ctx.dialect.sqlglot)}",
            tree,
            "add a WHERE clause, or confirm that every row is meant",
        )
    elif isinstance(where, exp.Where) and always_true(where.this):
        ctx.report(
            "risk.always_true_where",
            f"the WHERE of this {name} is always true, so it changes every row",
            where,
            "fix the condition",
        )


def always_true(node: exp.Expression) -> bool:
    """Whether a predicate is true for every row (ignoring NULLs)."""
    if isinstance(node, exp.Paren):
        return always_true(node.this)
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return float(node.this) != 0
        except ValueError:
            return False
    if isinstance(node, exp.Or):
        return always_true(node.this) or always_true(node.expression)
    if isinstance(node, exp.And):
        return always_true(node.this) and always_true(node.expression)
    if isinstance(node, exp.Not):
        inner = node.this.this if isinstance(node.this, exp.Paren) else node.this
        return isinstance(inner, exp.Boolean) and not inner.this
    if isinstance(node, exp.EQ | exp.GTE | exp.LTE | exp.NullSafeEQ):
        return node.this == node.expression and not any(isinstance(n, exp.Func) for n in node.walk())
    if isinstance(node, exp.Like) and isinstance(node.expression, exp.Literal):
        return node.expression.this == "%"
    return False


def script_rules(ctxs: list[StatementContext]) -> None:
    """Rules over the whole script: stacked statements, MySQL executable comments, CONCURRENTLY in BEGIN."""
    if not ctxs:
        return
    first = ctxs[0]
    script = first.script
    if first.mode is ScriptMode.QUERY and len(ctxs) > 1:
        worst = any(c.kind != READ for c in ctxs)
        second = ctxs[1]
        second.report(
            "risk.multiple_statements",
            f"the query holds {len(ctxs)} statements; a query must be a single statement",
            second.statement.start,
            "send one statement",
            risk=RiskLevel.CRITICAL if worst else RiskLevel.HIGH,
        )
    for offset in script.executable_comments:
        owner = next((c for c in ctxs if c.statement.start <= offset < c.statement.end + 1), first)
        owner.report(
            "risk.mysql_executable_comment",
            "a MySQL executable comment (/*! ... */): the server runs its content",
            offset,
            "remove the comment or write its content as plain SQL",
        )
