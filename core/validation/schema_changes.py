"""The schema-change stage: each DDL statement is applied to the script's working schema.

A table created earlier in a migration is known to the statements after it. What a statement does
is recorded as :class:`Change` facts (and :class:`~core.validation.context.Problem` facts for missing
or existing objects) for the rules to judge; this stage reports nothing itself.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from core.domain.schema import Column, Dialect, Table, TableKind
from core.validation import commands
from core.validation.context import Problem, StatementContext
from core.validation.model import Access
from core.validation.resolve import _ident, column_from_def, table_from_create


@dataclass(slots=True)
class Change:
    """One thing a DDL statement does, as the rules need to know it."""

    action: str
    """create_table, create_view, create_index, create_code, drop_table, drop_index, drop_object, truncate,
    add_column, drop_column, alter_type, set_not_null, rename_column, rename_table, add_constraint, alter_table;
    from statements read by their words (:mod:`core.validation.commands`): vacuum, cluster, reindex,
    lock_table, validate_constraint, add_constraint_using_index."""
    node: exp.Expr | int
    """The node to point at, or an offset (for statements judged by their words)."""
    table: Table | None = None
    """The table acted on, as it was before the statement."""
    new: bool = False
    """The table was created earlier in the same script (no rows, nobody reads it yet)."""
    name: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    presumed: bool = False
    """No snapshot: the table is presumed to exist, its columns, rows and indexes are unknown."""
    locks: bool = False
    """The statement takes a lock on a table that existed before the script (it can block others)."""


def _problem(ctx: StatementContext, rule: str, message: str, node: Any, suggestion: str | None = None) -> None:
    ctx.problems.append(Problem(rule, message, node, suggestion))


def _change(ctx: StatementContext, action: str, node: exp.Expr | int, **kwargs: Any) -> None:
    table = kwargs.get("table")
    if table is not None and "presumed" not in kwargs:
        kwargs["presumed"] = ctx.index.is_presumed(table)
    ctx.changes.append(Change(action, node, **kwargs))


def _table_name(node: exp.Expr) -> tuple[exp.Identifier | None, exp.Identifier | None]:
    if isinstance(node, exp.Schema):
        node = node.this
    if isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
        return _ident(node.args.get("db")), node.this
    return None, None


def _find(ctx: StatementContext, node: exp.Expr, *, presume: bool = True) -> Table | None:
    """The table a name refers to in the working schema.

    Without a snapshot, a table the script did not create is presumed to exist (``presume``), so the
    hazard rules judge the statement alone; a table created earlier in the script is known as new.
    """
    schema, name = _table_name(node)
    if name is None:
        return None
    found = ctx.index.lookup_table(schema, name).table
    if found is None and presume:
        found = ctx.index.presume_table(schema, name)
    return found


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


def apply(ctx: StatementContext) -> None:
    """Apply a DDL, maintenance or lock statement to the working schema, recording what it does."""
    tree = ctx.tree
    if tree is None and ctx.opaque:
        _command(ctx)
    elif isinstance(tree, exp.Create):
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
        existing = _find(ctx, tree.this, presume=False)
        if existing is not None and not exists_ok:
            _problem(
                ctx,
                "schema.create_existing",
                f"{kind.lower()} {existing.key!r} already exists",
                tree.this,
                "use CREATE ... IF NOT EXISTS, CREATE OR REPLACE, or another name",
            )
        ctx.touch(kind.lower(), existing.key if existing else name, Access.DDL)
        _change(ctx, f"create_{kind.lower()}", tree, table=existing, name=name)
        if existing is None:
            ctx.index.create_table(schema, name, columns, TableKind.VIEW if kind == "VIEW" else table_kind)
        elif kind == "VIEW" and tree.args.get("replace"):
            ctx.index.replace_table(existing, _with_columns(existing, columns))
    elif kind == "INDEX":
        index = tree.this
        if not isinstance(index, exp.Index):
            return
        on = index.args.get("table")
        table = _find(ctx, on) if isinstance(on, exp.Expression) else None
        name = index.name
        if name and ctx.index.index_table(name) is not None and not exists_ok:
            _problem(
                ctx,
                "schema.create_existing",
                f"index {name!r} already exists",
                index,
                "use CREATE INDEX IF NOT EXISTS or another name",
            )
        if table is not None:
            cols = ctx.index.column_map(table)
            params = index.args.get("params")
            checked = (params.args.get("columns") or []) if isinstance(params, exp.Expression) else []
            for ordered in [] if ctx.index.is_presumed(table) else checked:
                for col in ordered.find_all(exp.Column):
                    if ctx.index.ident_column_key(col.this) not in cols:
                        _problem(
                            ctx, "schema.unknown_column", f"column {col.name!r} does not exist in {table.key!r}", col
                        )
            ctx.touch("table", table.key, Access.DDL)
            concurrently = bool(tree.args.get("concurrently"))
            new = _new_in_script(ctx, table)
            _change(
                ctx,
                "create_index",
                tree,
                table=table,
                new=new,
                name=name,
                detail={"concurrently": concurrently, "unique": bool(tree.args.get("unique"))},
                locks=not new and not concurrently,
            )
            if name:
                ctx.index.add_index(name, table)
        if name:
            ctx.touch("index", name, Access.DDL)
    elif kind in ("SCHEMA", "DATABASE"):
        ctx.touch("schema", tree.this.sql(ctx.dialect.sqlglot), Access.DDL)
    elif kind in ("FUNCTION", "PROCEDURE", "TRIGGER"):
        _change(ctx, "create_code", tree, name=kind)


_STRONG = {"vacuum": "full", "reindex": "concurrently"}


def _command(ctx: StatementContext) -> None:
    """A statement sqlglot keeps as text, read by :mod:`core.validation.commands` (nothing if unrecognised)."""
    command = commands.read(ctx.statement, ctx.dialect)
    if command is None:
        return
    detail = dict(command.detail, recognised=True)
    targets = [t for t in (_find(ctx, table) for table in command.tables) if t is not None]
    for table in targets:
        ctx.touch("table", table.key, Access.DDL)
    if command.action == "vacuum":
        locks = bool(detail["full"])
    elif command.action == "reindex":
        locks = not detail["concurrently"]
    else:
        locks = command.action in ("cluster", "lock_table", "add_constraint_using_index")
    existing = [t for t in targets if not _new_in_script(ctx, t)]
    locks = locks and (bool(existing) or not command.tables)
    first = targets[0] if targets else None
    _change(
        ctx,
        command.action,
        ctx.statement.start,
        table=first,
        new=first is not None and not existing,
        name=", ".join(t.key for t in targets) or str(detail.get("name", "")),
        detail=detail,
        locks=locks,
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
    out: list[Column] = []
    for e in select.expressions:
        if isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star)):
            for ref in ctx.resolution.tables:
                out.extend(copy.copy(c) for c in ref.table.columns)
            continue
        if e.alias_or_name:
            out.append(Column(name=e.alias_or_name, type=""))
    return out


def _new_in_script(ctx: StatementContext, table: Table) -> bool:
    return ctx.index.is_new(table)


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
                    _problem(
                        ctx,
                        "schema.ddl_missing_object",
                        f"{kind.lower()} {shown!r} does not exist",
                        target,
                        "use DROP ... IF EXISTS if that is expected",
                    )
                _change(ctx, "drop_table", target, name=shown, detail={"kind": kind, "cascade": cascade})
                continue
            ctx.touch("view" if table.is_view else "table", table.key, Access.DDL)
            reached = dependents(ctx, table)
            for type_, key, reason in reached:
                ctx.touch(type_, key, Access.DDL if cascade else Access.READ, reason)
            _change(
                ctx,
                "drop_table",
                target,
                table=table,
                new=_new_in_script(ctx, table),
                name=table.key,
                detail={"kind": kind, "cascade": cascade, "dependents": reached},
                locks=not _new_in_script(ctx, table),
            )
            ctx.index.drop_table(table)
        elif kind == "INDEX":
            name = target.name
            owner = ctx.index.index_table(name) if name else None
            if owner is None and not exists_ok and not ctx.index.empty:
                _problem(
                    ctx,
                    "schema.ddl_missing_object",
                    f"index {name!r} does not exist",
                    target,
                    "use DROP INDEX IF EXISTS if that is expected",
                )
            ctx.touch("index", name, Access.DDL)
            concurrently = bool(tree.args.get("concurrently"))
            new = bool(name) and ctx.index.index_is_new(name)
            on = ctx.index.table_by_key(owner) if owner is not None else None
            _change(
                ctx,
                "drop_index",
                target,
                table=on,
                new=new,
                name=name,
                detail={"concurrently": concurrently},
                presumed=owner is None,
                locks=not new and not concurrently and (on is None or not _new_in_script(ctx, on)),
            )
            if name:
                ctx.index.drop_index(name)
        else:
            shown = target.sql(ctx.dialect.sqlglot)
            ctx.touch("schema" if kind in ("SCHEMA", "DATABASE") else kind.lower() or "object", shown, Access.DDL)
            _change(ctx, "drop_object", target, name=shown, detail={"kind": kind, "cascade": cascade})


def _truncate(ctx: StatementContext, tree: exp.TruncateTable) -> None:
    option = tree.args.get("option")
    cascade = bool(tree.args.get("cascade")) or (
        str(option.this if isinstance(option, exp.Expression) else option or "").upper() == "CASCADE"
    )
    for target in tree.expressions:
        table = _find(ctx, target)
        shown = table.key if table else target.sql(ctx.dialect.sqlglot)
        if table is None and not ctx.index.empty:
            _problem(ctx, "schema.ddl_missing_object", f"table {shown!r} does not exist", target)
        reached: list[tuple[str, str, str]] = []
        if table is not None:
            ctx.touch("table", table.key, Access.WRITE)
            if cascade:
                reached = [d for d in dependents(ctx, table) if d[0] == "table"]
                for type_, key, reason in reached:
                    ctx.touch(type_, key, Access.WRITE, reason)
        new = table is not None and _new_in_script(ctx, table)
        _change(
            ctx,
            "truncate",
            target,
            table=table,
            new=new,
            name=shown,
            detail={"cascade": cascade, "dependents": reached},
            locks=not new,
        )


def _alter(ctx: StatementContext, tree: exp.Alter) -> None:
    if str(tree.args.get("kind") or "").upper() not in ("TABLE", ""):
        return
    table = _find(ctx, tree.this)
    shown = tree.this.sql(ctx.dialect.sqlglot) if isinstance(tree.this, exp.Expression) else "?"
    if table is None:
        if not tree.args.get("exists") and not ctx.index.empty:
            _problem(
                ctx,
                "schema.ddl_missing_object",
                f"table {shown!r} does not exist",
                tree.this,
                suggestion=_suggest_table(ctx, tree.this),
            )
        return
    ctx.touch("table", table.key, Access.DDL)
    working = _with_columns(table, [copy.copy(c) for c in table.columns])
    new = _new_in_script(ctx, table)
    copies_table = False
    for action in tree.args.get("actions") or []:
        copies_table |= _alter_action(ctx, tree, working, action, table, new)
    options = {type(o).__name__ for o in tree.args.get("options") or []}
    _change(
        ctx,
        "alter_table",
        tree,
        table=table,
        new=new,
        detail={"copies": copies_table, "options": options},
        locks=not new,
    )
    ctx.index.replace_table(table, working)


def _suggest_table(ctx: StatementContext, node: exp.Expr) -> str | None:
    _, name = _table_name(node)
    close = ctx.index.table_suggestions(name.this) if name else []
    return f"did you mean {', '.join(close)}?" if close else None


def _col_key(ctx: StatementContext, ident: exp.Expr | str | None) -> str:
    if isinstance(ident, exp.Column):
        ident = ident.this
    if isinstance(ident, exp.Identifier):
        return ctx.index.ident_column_key(ident)
    return ctx.index.ident_column_key(str(ident or ""))


def _column(working: Table, ctx: StatementContext, key: str, ident: Any = None) -> Column | None:
    """The column of the working table; on a table presumed to exist (no snapshot), presumed too."""
    found = next((c for c in working.columns if ctx.index.column_key(c.name) == key), None)
    if found is None and ident is not None and ctx.index.is_presumed(working):
        found = Column(name=_shown(ident, key), type="")
        working.columns.append(found)
    return found


def _shown(ident: Any, key: str) -> str:
    if isinstance(ident, exp.Column):
        ident = ident.this
    return ident.this if isinstance(ident, exp.Identifier) and ident.quoted else key


def _alter_action(
    ctx: StatementContext, tree: exp.Alter, working: Table, action: exp.Expr, table: Table, new: bool
) -> bool:
    """Apply one ALTER TABLE action to the working table and record it; True if MySQL copies the table."""
    pg = ctx.dialect is Dialect.POSTGRESQL
    if isinstance(action, exp.ColumnDef):
        key = _col_key(ctx, action.this)
        name = action.this.this if isinstance(action.this, exp.Identifier) else action.name
        if pg and isinstance(action.this, exp.Identifier) and not action.this.quoted:
            name = name.lower()
        if _column(working, ctx, key) is not None:
            if not action.args.get("exists"):
                _problem(ctx, "schema.ddl_missing_object", f"column {name!r} already exists in {working.key}", action)
            return False
        added = column_from_def(action, name)
        working.columns.append(added)
        ctx.touch("column", f"{working.key}.{name}", Access.DDL)
        default = next(
            (
                c.args["kind"]
                for c in action.args.get("constraints") or []
                if isinstance(c.args.get("kind"), exp.DefaultColumnConstraint)
            ),
            None,
        )
        _change(
            ctx, "add_column", action, table=table, new=new, name=name, detail={"column": added, "default": default}
        )
        for c in action.args.get("constraints") or []:
            kind = _constraint_kind(c.args.get("kind"))
            if kind is not None:
                not_valid = bool(tree.args.get("not_valid"))
                _change(ctx, "add_constraint", c, table=table, new=new, name=name, detail=_constraint(kind, not_valid))
        return False
    if isinstance(action, exp.Drop) and str(action.args.get("kind") or "").upper() == "COLUMN":
        for target in action.args.get("tables") or []:
            key = _col_key(ctx, target)
            col = _column(working, ctx, key, target)
            shown = target.name if isinstance(target, exp.Expression) else str(target)
            if col is None:
                if not action.args.get("exists"):
                    _problem(
                        ctx, "schema.ddl_missing_object", f"column {shown!r} does not exist in {working.key}", target
                    )
                continue
            working.columns.remove(col)
            ctx.touch("column", f"{working.key}.{col.name}", Access.DDL)
            _change(ctx, "drop_column", target, table=table, new=new, name=col.name)
        return False
    if isinstance(action, exp.AlterColumn):
        key = _col_key(ctx, action.this)
        col = _column(working, ctx, key, action.this)
        if col is None:
            _problem(
                ctx, "schema.ddl_missing_object", f"column {action.name!r} does not exist in {working.key}", action
            )
            return False
        ctx.touch("column", f"{working.key}.{col.name}", Access.DDL)
        if action.args.get("dtype") is not None:
            col.type = action.args["dtype"].sql(ctx.dialect.sqlglot)
            _change(ctx, "alter_type", action, table=table, new=new, name=col.name)
        if action.args.get("allow_null") is False:
            col.nullable = False
            _change(ctx, "set_not_null", action, table=table, new=new, name=col.name)
        return False
    if isinstance(action, exp.RenameColumn):
        key = _col_key(ctx, action.this)
        col = _column(working, ctx, key, action.this)
        if col is None:
            if not action.args.get("exists"):
                _problem(
                    ctx, "schema.ddl_missing_object", f"column {action.name!r} does not exist in {working.key}", action
                )
            return False
        new_name = (
            action.args["to"].name if isinstance(action.args.get("to"), exp.Expression) else str(action.args.get("to"))
        )
        _change(ctx, "rename_column", action, table=table, new=new, name=col.name, detail={"to": new_name})
        ctx.touch("column", f"{working.key}.{col.name}", Access.DDL)
        col.name = new_name
        return False
    if isinstance(action, exp.AlterRename):
        _change(ctx, "rename_table", action, table=table, new=new, name=working.key)
        return False
    if isinstance(action, exp.AddConstraint):
        named = action.find(exp.Constraint)
        cname = named.name if isinstance(named, exp.Constraint) else ""
        for node in action.find_all(
            exp.ForeignKey, exp.CheckColumnConstraint, exp.Check, exp.UniqueColumnConstraint, exp.PrimaryKey
        ):
            kind = _constraint_kind(node)
            if kind is None:
                continue
            detail = _constraint(kind, bool(tree.args.get("not_valid")), cname)
            if kind == "CHECK":
                detail["not_null_of"] = _is_not_null_check(ctx, node)
            _change(ctx, "add_constraint", action, table=table, new=new, name=cname, detail=detail)
            break
        return ctx.dialect is Dialect.MYSQL and any(True for _ in action.find_all(exp.PrimaryKey))
    if isinstance(action, exp.ModifyColumn):
        coldef = action.this
        old_key = _col_key(
            ctx, action.args.get("column") or (coldef.this if isinstance(coldef, exp.ColumnDef) else None)
        )
        old_ident = action.args.get("column") or (coldef.this if isinstance(coldef, exp.ColumnDef) else None)
        col = _column(working, ctx, old_key, old_ident)
        if col is None and isinstance(coldef, exp.ColumnDef):
            col = _column(working, ctx, _col_key(ctx, coldef.this))
        if col is None:
            _problem(ctx, "schema.ddl_missing_object", f"column does not exist in {working.key}", action)
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


def _constraint_kind(node: object) -> str | None:
    if isinstance(node, exp.ForeignKey | exp.Reference):
        return "FOREIGN KEY"
    if isinstance(node, exp.CheckColumnConstraint | exp.Check):
        return "CHECK"
    if isinstance(node, exp.UniqueColumnConstraint):
        return "UNIQUE"
    if isinstance(node, exp.PrimaryKey | exp.PrimaryKeyColumnConstraint):
        return "PRIMARY KEY"
    return None


def _constraint(kind: str, not_valid: bool, name: str = "") -> dict[str, Any]:
    return {"kind": kind, "not_valid": not_valid, "constraint": name}


def _is_not_null_check(ctx: StatementContext, node: exp.Expr) -> str | None:
    """The column key of a ``CHECK (col IS NOT NULL)`` constraint, else None."""
    body = node.this if isinstance(node, exp.CheckColumnConstraint | exp.Check) else None
    while isinstance(body, exp.Paren):
        body = body.this
    if isinstance(body, exp.Not) and isinstance(body.this, exp.Is):
        body = exp.Is(this=body.this.this, expression=body.this.expression, negate=True)
    negated = isinstance(body, exp.Is) and body.args.get("negate") and isinstance(body.expression, exp.Null)
    if negated and isinstance(body, exp.Is) and isinstance(body.this, exp.Column):
        return _col_key(ctx, body.this)
    return None
