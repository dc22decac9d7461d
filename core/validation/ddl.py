"""DDL against the snapshot: conflicts, dependents reached by DROP and CASCADE, lock and rewrite hazards.

Each statement's effect is applied to the script's fork of the schema index, so a table created
earlier in a migration is known to the statements after it.
"""

from __future__ import annotations

import copy

from sqlglot import exp

from core.domain.schema import Column, Dialect, Table, TableKind
from core.validation.context import StatementContext
from core.validation.model import Access, RiskLevel, Severity
from core.validation.resolve import _ident, column_from_def, table_from_create
from core.validation.risk import function_name

VOLATILE_DEFAULTS = {
    "random",
    "clock_timestamp",
    "gen_random_uuid",
    "uuid_generate_v4",
    "uuid_generate_v1",
    "timeofday",
    "nextval",
    "rand",
}


def _table_name(node: exp.Expression) -> tuple[exp.Identifier | None, exp.Identifier | None]:
    if isinstance(node, exp.Schema):
        node = node.this
    if isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
        return _ident(node.args.get("db")), node.this
    return None, None


def _find(ctx: StatementContext, node: exp.Expression) -> Table | None:
    schema, name = _table_name(node)
    if name is None or ctx.index.empty:
        return None
    return ctx.index.lookup_table(schema, name).table


def dependents(ctx: StatementContext, table: Table) -> list[tuple[str, str, str]]:
    """(type, key, reason) of what depends on ``table``: foreign-key children and views."""
    out = []
    for other in ctx.index.tables():
        if other.key == table.key:
            continue
        if any(fk.ref_table == table.name and (fk.ref_schema in (None, table.schema)) for fk in other.foreign_keys):
            out.append(("table", other.key, f"has a foreign key to {table.key}"))
        if table.key in other.depends_on:
            out.append(("view", other.key, f"reads {table.key}"))
    return out


def ddl_rules(ctx: StatementContext) -> None:
    tree = ctx.tree
    if isinstance(tree, exp.Create):
        _create(ctx, tree)
    elif isinstance(tree, exp.Drop):
        _drop(ctx, tree)
    elif isinstance(tree, exp.TruncateTable):
        _truncate(ctx, tree)
    elif isinstance(tree, exp.Alter):
        _alter(ctx, tree)


def _create(ctx: StatementContext, tree: exp.Create) -> None:
    kind = str(tree.args.get("kind") or "").upper()
    exists_ok = bool(tree.args.get("exists")) or bool(tree.args.get("replace"))
    if kind in ("TABLE", "VIEW"):
        defined = table_from_create(ctx.index, tree)
        if defined is None:
            return
        schema, name, columns, table_kind = defined
        if kind == "VIEW" or not columns:
            columns = _query_columns(ctx, tree) or columns
        _, _name_ident = _table_name(tree.this)
        existing = _find(ctx, tree.this)
        if existing is not None and not exists_ok:
            ctx.report(
                "schema.create_existing",
                f"{kind.lower()} {existing.key!r} already exists",
                tree.this,
                "use CREATE ... IF NOT EXISTS, CREATE OR REPLACE, or another name",
            )
        ctx.touch(kind.lower(), existing.key if existing else name, Access.DDL)
        if existing is None:
            ctx.index.create_table(schema, name, columns, TableKind.VIEW if kind == "VIEW" else table_kind)
        elif kind == "VIEW" and tree.args.get("replace"):
            ctx.index.replace_table(existing, _with_columns(existing, columns))
    elif kind == "INDEX":
        index = tree.this
        if not isinstance(index, exp.Index):
            return
        table = _find(ctx, index.args.get("table")) if isinstance(index.args.get("table"), exp.Expression) else None
        name = index.name
        if name and ctx.index.index_table(name) is not None and not exists_ok:
            ctx.report(
                "schema.create_existing",
                f"index {name!r} already exists",
                index,
                "use CREATE INDEX IF NOT EXISTS or another name",
            )
        if table is not None:
            cols = ctx.index.column_map(table)
            params = index.args.get("params")
            for ordered in (params.args.get("columns") or []) if isinstance(params, exp.Expression) else []:
                for col in ordered.find_all(exp.Column):
                    if ctx.index.ident_column_key(col.this) not in cols:
                        ctx.report("schema.unknown_column", f"column {col.name!r} does not exist in {table.key!r}", col)
            ctx.touch("table", table.key, Access.DDL)
            if name:
                ctx.index.add_index(name, table)
            if (
                ctx.dialect is Dialect.POSTGRESQL
                and not tree.args.get("concurrently")
                and not _new_in_script(ctx, table)
            ):
                ctx.report(
                    "risk.pg_index_not_concurrent",
                    f"CREATE INDEX on {table.key} without CONCURRENTLY blocks writes to the table while it builds",
                    tree,
                    "use CREATE INDEX CONCURRENTLY (outside a transaction)",
                )
        if name:
            ctx.touch("index", name, Access.DDL)
    elif kind in ("SCHEMA", "DATABASE"):
        ctx.touch("schema", tree.this.sql(ctx.dialect.sqlglot), Access.DDL)
    elif kind in ("FUNCTION", "PROCEDURE", "TRIGGER"):
        ctx.report(
            "risk.dynamic_sql",
            f"CREATE {kind} installs code that sqldraft cannot check",
            tree,
            severity=Severity.WARNING,
            risk=RiskLevel.HIGH,
        )


def _with_columns(table: Table, columns: list[Column]) -> Table:
    clone = copy.copy(table)
    clone.columns = columns
    return clone


def _query_columns(ctx: StatementContext, tree: exp.Create) -> list[Column]:
    query = tree.args.get("expression")
    if not isinstance(query, exp.Select | exp.SetOperation):
        return []
    select = query if isinstance(query, exp.Select) else query.left
    if not isinstance(select, exp.Select):
        return []
    out = []
    for e in select.expressions:
        if isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star)):
            for ref in ctx.resolution.tables:
                out.extend(copy.copy(c) for c in ref.table.columns)
            continue
        if e.alias_or_name:
            out.append(Column(name=e.alias_or_name, type=""))
    return out


def _new_in_script(ctx: StatementContext, table: Table) -> bool:
    return table.key not in {t.key for t in ctx.index.model.tables}


def _drop(ctx: StatementContext, tree: exp.Drop) -> None:
    kind = str(tree.args.get("kind") or "").upper()
    exists_ok = bool(tree.args.get("exists"))
    cascade = bool(tree.args.get("cascade"))
    for target in tree.args.get("tables") or ([tree.this] if tree.this else []):
        if kind in ("TABLE", "VIEW", "MATERIALIZED VIEW"):
            table = _find(ctx, target)
            shown = target.sql(ctx.dialect.sqlglot)
            if table is None:
                if not exists_ok and not ctx.index.empty:
                    ctx.report(
                        "schema.ddl_missing_object",
                        f"{kind.lower()} {shown!r} does not exist",
                        target,
                        "use DROP ... IF EXISTS if that is expected",
                    )
                ctx.report("risk.drop", f"DROP {kind} {shown} removes it and its data", target)
                continue
            ctx.touch("view" if table.is_view else "table", table.key, Access.DDL)
            reached = dependents(ctx, table)
            _report_drop(ctx, target, f"DROP {kind} {table.key}", reached, cascade)
            ctx.index.drop_table(table)
        elif kind == "INDEX":
            name = target.name
            owner = ctx.index.index_table(name) if name else None
            if owner is None and not exists_ok and not ctx.index.empty:
                ctx.report(
                    "schema.ddl_missing_object",
                    f"index {name!r} does not exist",
                    target,
                    "use DROP INDEX IF EXISTS if that is expected",
                )
            ctx.touch("index", name, Access.DDL)
            ctx.report("risk.drop", f"DROP INDEX {name} removes the index", target, risk=RiskLevel.MEDIUM)
            if ctx.dialect is Dialect.POSTGRESQL and not tree.args.get("concurrently"):
                ctx.report(
                    "risk.pg_index_not_concurrent",
                    f"DROP INDEX {name} without CONCURRENTLY blocks the table",
                    target,
                    "use DROP INDEX CONCURRENTLY (outside a transaction)",
                )
            if name:
                ctx.index.drop_index(name)
        else:
            shown = target.sql(ctx.dialect.sqlglot)
            ctx.touch("schema" if kind in ("SCHEMA", "DATABASE") else kind.lower() or "object", shown, Access.DDL)
            level = RiskLevel.CRITICAL if kind in ("SCHEMA", "DATABASE") or cascade else RiskLevel.HIGH
            ctx.report(
                "risk.drop",
                f"DROP {kind} {shown} removes it" + (" and everything in it" if kind in ("SCHEMA", "DATABASE") else ""),
                target,
                risk=level,
            )
            if cascade:
                ctx.report("risk.cascade", f"CASCADE also drops every object that depends on {shown}", target)


def _report_drop(
    ctx: StatementContext, node: exp.Expression, what: str, reached: list[tuple[str, str, str]], cascade: bool
) -> None:
    ctx.report("risk.drop", f"{what} removes it and its data", node, "make sure a backup exists")
    for type_, key, reason in reached:
        ctx.touch(type_, key, Access.DDL if cascade else Access.READ, reason)
    if cascade:
        names = ", ".join(k for _, k, _ in reached) or "nothing in the snapshot"
        ctx.report("risk.cascade", f"CASCADE also drops or changes what depends on it: {names}", node)
    elif reached:
        names = ", ".join(k for _, k, _ in reached)
        consequence = (
            "will make it fail without CASCADE"
            if ctx.dialect is not Dialect.SQLITE
            else "will be left pointing at a missing table"
        )
        ctx.report(
            "risk.drop", f"{what}: dependents in the snapshot ({names}) {consequence}", node, severity=Severity.WARNING
        )


def _truncate(ctx: StatementContext, tree: exp.TruncateTable) -> None:
    cascade = bool(tree.args.get("cascade"))
    for target in tree.expressions:
        table = _find(ctx, target)
        shown = table.key if table else target.sql(ctx.dialect.sqlglot)
        if table is None and not ctx.index.empty:
            ctx.report("schema.ddl_missing_object", f"table {shown!r} does not exist", target)
        ctx.report("risk.truncate", f"TRUNCATE {shown} removes every row", target)
        if table is not None:
            ctx.touch("table", table.key, Access.WRITE)
            if cascade:
                reached = [d for d in dependents(ctx, table) if d[0] == "table"]
                for type_, key, reason in reached:
                    ctx.touch(type_, key, Access.WRITE, reason)
                ctx.report(
                    "risk.cascade",
                    "TRUNCATE ... CASCADE also empties: "
                    + (", ".join(k for _, k, _ in reached) or "no other table in the snapshot"),
                    target,
                )


def _alter(ctx: StatementContext, tree: exp.Alter) -> None:
    if str(tree.args.get("kind") or "").upper() not in ("TABLE", ""):
        return
    table = _find(ctx, tree.this)
    shown = tree.this.sql(ctx.dialect.sqlglot) if isinstance(tree.this, exp.Expression) else "?"
    if table is None:
        if not tree.args.get("exists") and not ctx.index.empty:
            ctx.report(
                "schema.ddl_missing_object",
                f"table {shown!r} does not exist",
                tree.this,
                suggestion=_suggest_table(ctx, tree.this),
            )
        return
    ctx.touch("table", table.key, Access.DDL)
    working = _with_columns(table, [copy.copy(c) for c in table.columns])
    existing_new = _new_in_script(ctx, table)
    explicit_options = {type(o).__name__ for o in tree.args.get("options") or []}
    copies_table = False
    for action in tree.args.get("actions") or []:
        copies_table |= _alter_action(ctx, tree, working, action, existing_new)
    if ctx.dialect is Dialect.MYSQL and not existing_new:
        if copies_table:
            ctx.report(
                "risk.mysql_table_copy",
                f"this ALTER makes MySQL copy the whole of {table.key}",
                tree,
                "run it with an online schema change tool (gh-ost, pt-online-schema-change) on big tables",
            )
        if not {"AlgorithmProperty", "LockProperty"} <= explicit_options:
            ctx.report(
                "risk.mysql_online_ddl",
                f"ALTER TABLE {table.key} does not say ALGORITHM= and LOCK=",
                tree,
                "add ALGORITHM=INSTANT (or INPLACE), LOCK=NONE so MySQL refuses a blocking copy",
            )
    ctx.index.replace_table(table, working)


def _suggest_table(ctx: StatementContext, node: exp.Expression) -> str | None:
    _, name = _table_name(node)
    close = ctx.index.table_suggestions(name.this) if name else []
    return f"did you mean {', '.join(close)}?" if close else None


def _col_key(ctx: StatementContext, ident: exp.Expression | str | None) -> str:
    if isinstance(ident, exp.Column):
        ident = ident.this
    if isinstance(ident, exp.Identifier):
        return ctx.index.ident_column_key(ident)
    return ctx.index.ident_column_key(str(ident or ""))


def _column(working: Table, ctx: StatementContext, key: str) -> Column | None:
    return next((c for c in working.columns if ctx.index.column_key(c.name) == key), None)


def _alter_action(
    ctx: StatementContext, tree: exp.Alter, working: Table, action: exp.Expression, new_table: bool
) -> bool:
    """Check one ALTER TABLE action against the working table and apply it; True if MySQL copies the table."""
    pg = ctx.dialect is Dialect.POSTGRESQL
    if isinstance(action, exp.ColumnDef):
        key = _col_key(ctx, action.this)
        name = action.this.this if isinstance(action.this, exp.Identifier) else action.name
        if pg and isinstance(action.this, exp.Identifier) and not action.this.quoted:
            name = name.lower()
        if _column(working, ctx, key) is not None:
            if not action.args.get("exists"):
                ctx.report("schema.ddl_missing_object", f"column {name!r} already exists in {working.key}", action)
            return False
        col = column_from_def(action, name)
        working.columns.append(col)
        ctx.touch("column", f"{working.key}.{name}", Access.DDL)
        default = next(
            (
                c.args["kind"]
                for c in action.args.get("constraints") or []
                if isinstance(c.args.get("kind"), exp.DefaultColumnConstraint)
            ),
            None,
        )
        if not col.nullable and default is None and col.identity is None and not new_table:
            if ctx.dialect is Dialect.MYSQL:
                ctx.report(
                    "risk.add_column_not_null",
                    f"NOT NULL column {name} without a default: MySQL fills "
                    "existing rows with the type's implicit default (0, '')",
                    action,
                    severity=Severity.WARNING,
                    risk=RiskLevel.MEDIUM,
                )
            else:
                ctx.report(
                    "risk.add_column_not_null",
                    f"ADD COLUMN {name} NOT NULL without a default fails if {working.key} has rows",
                    action,
                    "add a DEFAULT, or add it nullable, backfill, then SET NOT NULL",
                )
        if pg and isinstance(default, exp.DefaultColumnConstraint) and not new_table:
            volatile = {f for f in (function_name(n) for n in default.find_all(exp.Func)) if f in VOLATILE_DEFAULTS}
            if volatile:
                ctx.report(
                    "risk.pg_volatile_default",
                    f"the default {', '.join(sorted(volatile))}() is volatile, so "
                    f"ADD COLUMN {name} rewrites {working.key}",
                    action,
                    "add the column without a default, then backfill in batches",
                )
        return False
    if isinstance(action, exp.Drop) and str(action.args.get("kind") or "").upper() == "COLUMN":
        for target in action.args.get("tables") or []:
            key = _col_key(ctx, target)
            col = _column(working, ctx, key)
            shown = target.name if isinstance(target, exp.Expression) else str(target)
            if col is None:
                if not action.args.get("exists"):
                    ctx.report("schema.ddl_missing_object", f"column {shown!r} does not exist in {working.key}", target)
                continue
            working.columns.remove(col)
            ctx.touch("column", f"{working.key}.{col.name}", Access.DDL)
            ctx.report(
                "risk.drop_column",
                f"DROP COLUMN {working.key}.{col.name} loses its data",
                target,
                "deploy code that no longer reads it first",
            )
        return False
    if isinstance(action, exp.AlterColumn):
        key = _col_key(ctx, action.this)
        col = _column(working, ctx, key)
        if col is None:
            ctx.report("schema.ddl_missing_object", f"column {action.name!r} does not exist in {working.key}", action)
            return False
        ctx.touch("column", f"{working.key}.{col.name}", Access.DDL)
        if action.args.get("dtype") is not None:
            col.type = action.args["dtype"].sql(ctx.dialect.sqlglot)
            if pg and not new_table:
                ctx.report(
                    "risk.pg_column_type_change",
                    f"changing the type of {working.key}.{col.name} rewrites the table under an ACCESS EXCLUSIVE lock",
                    action,
                    "add a new column, backfill, and swap, for a big table",
                )
        if action.args.get("allow_null") is False:
            col.nullable = False
            if pg and not new_table:
                ctx.report(
                    "risk.set_not_null",
                    f"SET NOT NULL on {working.key}.{col.name} scans the table under a lock and fails if a NULL exists",
                    action,
                    "add a CHECK (col IS NOT NULL) NOT VALID constraint and validate it first",
                )
        return False
    if isinstance(action, exp.RenameColumn):
        key = _col_key(ctx, action.this)
        col = _column(working, ctx, key)
        if col is None:
            if not action.args.get("exists"):
                ctx.report(
                    "schema.ddl_missing_object", f"column {action.name!r} does not exist in {working.key}", action
                )
            return False
        new_name = (
            action.args["to"].name if isinstance(action.args.get("to"), exp.Expression) else str(action.args.get("to"))
        )
        ctx.report(
            "risk.rename", f"renaming {working.key}.{col.name} to {new_name} breaks what reads the old name", action
        )
        ctx.touch("column", f"{working.key}.{col.name}", Access.DDL)
        col.name = new_name
        return False
    if isinstance(action, exp.AlterRename):
        ctx.report("risk.rename", f"renaming {working.key} breaks every query and view that uses it", action)
        return False
    if isinstance(action, exp.AddConstraint):
        for constraint in action.find_all(exp.ForeignKey, exp.CheckColumnConstraint, exp.Check):
            if pg and not tree.args.get("not_valid") and not new_table:
                kind = "FOREIGN KEY" if isinstance(constraint, exp.ForeignKey) else "CHECK"
                ctx.report(
                    "risk.pg_constraint_validation",
                    f"ADD {kind} on {working.key} validates every row under a lock",
                    action,
                    "add it NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT",
                )
                break
        return ctx.dialect is Dialect.MYSQL and any(True for _ in action.find_all(exp.PrimaryKey))
    if isinstance(action, exp.ModifyColumn):
        coldef = action.this
        old_key = _col_key(
            ctx, action.args.get("column") or (coldef.this if isinstance(coldef, exp.ColumnDef) else None)
        )
        col = _column(working, ctx, old_key)
        if col is None and isinstance(coldef, exp.ColumnDef):
            col = _column(working, ctx, _col_key(ctx, coldef.this))
        if col is None:
            ctx.report("schema.ddl_missing_object", f"column does not exist in {working.key}", action)
            return False
        ctx.touch("column", f"{working.key}.{col.name}", Access.DDL)
        if isinstance(coldef, exp.ColumnDef):
            new_type = coldef.args["kind"].sql(ctx.dialect.sqlglot) if coldef.args.get("kind") else col.type
            changed = new_type.lower().replace(" ", "") != col.type.lower().replace(" ", "")
            col.name = coldef.name or col.name
            col.type = new_type
            return changed
        return True
    return bool(isinstance(action, exp.DropPrimaryKey))


def script_ddl_rules(ctxs: list[StatementContext]) -> None:
    """PostgreSQL migrations: CONCURRENTLY inside BEGIN, locks taken without lock_timeout."""
    if not ctxs or ctxs[0].dialect is not Dialect.POSTGRESQL:
        return
    in_transaction = False
    lock_timeout = False
    warned = False
    for ctx in ctxs:
        tree = ctx.tree
        if isinstance(tree, exp.Transaction) or ctx.statement.keyword in ("BEGIN", "START"):
            in_transaction = True
        elif isinstance(tree, exp.Commit | exp.Rollback):
            in_transaction = False
        if isinstance(tree, exp.Set) and _sets(tree, "lock_timeout"):
            lock_timeout = True
        concurrently = isinstance(tree, exp.Create | exp.Drop) and tree.args.get("concurrently")
        if concurrently and in_transaction:
            ctx.report(
                "risk.pg_concurrently_in_transaction",
                "CONCURRENTLY cannot run inside a transaction block",
                tree,
                "run this statement outside BEGIN ... COMMIT",
            )
        takes_lock = isinstance(tree, (exp.Alter, exp.Drop | exp.TruncateTable)) or (
            isinstance(tree, exp.Create)
            and str(tree.args.get("kind")).upper() == "INDEX"
            and not tree.args.get("concurrently")
        )
        touches_existing = any(
            o.access in (Access.DDL, Access.WRITE)
            and o.type == "table"
            and o.name in {t.key for t in ctx.index.model.tables}
            for o in ctx.impacted
        )
        if takes_lock and touches_existing and not lock_timeout and not warned:
            ctx.report(
                "risk.pg_missing_lock_timeout",
                "this migration takes strong locks without SET lock_timeout first",
                tree,
                "start with SET lock_timeout = '5s' so it gives up instead of blocking others",
            )
            warned = True


def _sets(tree: exp.Set, name: str) -> bool:
    """Whether a SET statement assigns the named setting (read from the tree, not the text)."""
    for item in tree.expressions:
        target = item.this.this if isinstance(item, exp.SetItem) and isinstance(item.this, exp.EQ) else None
        if isinstance(target, exp.Column | exp.Identifier) and target.name.lower() == name:
            return True
    return False
