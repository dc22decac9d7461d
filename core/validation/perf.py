"""Performance rules, judged with the snapshot's row estimates and indexes."""

from __future__ import annotations

import itertools

from sqlglot import exp

from core.domain.schema import Table
from core.validation.context import StatementContext
from core.validation.resolve import ColumnRef, Scope, Source

_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.In, exp.Between, exp.Like, exp.ILike)
_WRAPPERS = (exp.Func, exp.Cast, exp.TryCast, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.DPipe)


def perf_rules(ctx: StatementContext) -> None:
    tree = ctx.tree
    if tree is None:
        return
    refs = {id(r.node): r for r in ctx.resolution.columns}
    _select_star(ctx, tree)
    _null_comparison(ctx, tree)
    _leading_wildcard(ctx, tree, refs)
    _order_by_random(ctx, tree)
    _large_offset(ctx, tree)
    _not_in_nullable(ctx, tree, refs)
    _non_sargable(ctx, tree, refs)
    _unindexed(ctx, refs)
    for scope in ctx.resolution.scopes:
        _cartesian(ctx, scope, refs)
    _unbounded(ctx, tree)


def _select_star(ctx: StatementContext, tree: exp.Expression) -> None:
    for select in ctx.find_all(exp.Select):
        if select.find_ancestor(exp.Exists) is not None:
            continue
        for e in select.expressions:
            if isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star)):
                ctx.report(
                    "perf.select_star",
                    "SELECT * reads every column; name the columns you need",
                    e,
                    "list the columns explicitly",
                )
                return


def _null_comparison(ctx: StatementContext, tree: exp.Expression) -> None:
    for node in ctx.find_all(exp.EQ, exp.NEQ):
        if isinstance(node.expression, exp.Null) or isinstance(node.this, exp.Null):
            op = "=" if isinstance(node, exp.EQ) else "<>"
            fix = "IS NULL" if op == "=" else "IS NOT NULL"
            if node.find_ancestor(exp.Update) is not None and isinstance(node.parent, exp.Update):
                continue  # SET col = NULL is an assignment
            ctx.report("perf.null_comparison", f"'{op} NULL' is never true", node, f"use {fix}")


def _leading_wildcard(ctx: StatementContext, tree: exp.Expression, refs: dict[int, ColumnRef]) -> None:
    for node in ctx.find_all(exp.Like, exp.ILike):
        pattern = node.expression
        if (
            isinstance(pattern, exp.Literal)
            and pattern.is_string
            and pattern.this[:1] in ("%", "_")
            and pattern.this != "%"
        ):
            ctx.report(
                "perf.leading_wildcard",
                f"LIKE '{pattern.this}' starts with a wildcard, so no B-tree index can be used",
                node,
                "anchor the pattern, or use full-text or trigram search",
            )


def _order_by_random(ctx: StatementContext, tree: exp.Expression) -> None:
    for order in ctx.find_all(exp.Order):
        if any(
            isinstance(n, exp.Rand) or (isinstance(n, exp.Anonymous) and n.name.lower() in ("random", "rand"))
            for n in order.walk()
        ):
            ctx.report(
                "perf.order_by_random",
                "ORDER BY random() sorts every row to pick a few",
                order,
                "sample with TABLESAMPLE or a random key range instead",
            )


def _large_offset(ctx: StatementContext, tree: exp.Expression) -> None:
    for node in ctx.find_all(exp.Offset):
        value = node.expression
        if isinstance(value, exp.Literal) and not value.is_string:
            try:
                number = int(value.this)
            except ValueError:
                continue
            if number >= ctx.settings.large_offset:
                ctx.report(
                    "perf.large_offset",
                    f"OFFSET {number} reads and discards {number} rows",
                    node,
                    "paginate by key (WHERE id > last_seen ORDER BY id LIMIT n)",
                )


def _not_in_nullable(ctx: StatementContext, tree: exp.Expression, refs: dict[int, ColumnRef]) -> None:
    for node in ctx.find_all(exp.Not):
        inner = node.this
        if not isinstance(inner, exp.In):
            continue
        query = inner.args.get("query")
        select = query.this if isinstance(query, exp.Subquery) else query
        if not isinstance(select, exp.Select) or len(select.expressions) != 1:
            continue
        projection = select.expressions[0]
        projection = projection.this if isinstance(projection, exp.Alias) else projection
        ref = refs.get(id(projection))
        if ref is not None and ref.column is not None and ref.column.nullable and not _filters_nulls(select, ref):
            ctx.report(
                "perf.not_in_nullable",
                f"NOT IN over {ref.table.name if ref.table else ''}.{ref.column.name}, "
                "which is nullable: one NULL makes the whole NOT IN return no rows",
                node,
                "use NOT EXISTS (SELECT 1 FROM ... WHERE ...)",
            )


def _filters_nulls(select: exp.Select, ref: ColumnRef) -> bool:
    where = select.args.get("where")
    if not isinstance(where, exp.Where):
        return False
    for node in where.find_all(exp.Not):
        if (
            isinstance(node.this, exp.Is)
            and isinstance(node.this.this, exp.Column)
            and node.this.this.name == ref.node.name
        ):
            return True
    return False


def _indexed_first_columns(table: Table) -> set[str]:
    return {ix.columns[0].lower() for ix in table.indexes if ix.columns} | (
        {table.primary_key[0].lower()} if table.primary_key else set()
    )


def _predicates(ctx: StatementContext) -> list[exp.Expression]:
    out: list[exp.Expression] = []
    for container in ctx.find_all(exp.Where, exp.Join):
        cond = container.this if isinstance(container, exp.Where) else container.args.get("on")
        if isinstance(cond, exp.Expression):
            out.extend(n for n in cond.walk() if isinstance(n, _COMPARISONS))
    return out


def _non_sargable(ctx: StatementContext, tree: exp.Expression, refs: dict[int, ColumnRef]) -> None:
    seen: set[str] = set()
    for pred in _predicates(ctx):
        for side in (pred.this, pred.args.get("expression")):
            if not isinstance(side, _WRAPPERS) or isinstance(side, exp.Subquery):
                continue
            for col in side.find_all(exp.Column):
                ref = refs.get(id(col))
                if ref is None or ref.table is None or ref.column is None:
                    continue
                name = ref.column.name.lower()
                if name not in _indexed_first_columns(ref.table):
                    continue
                expression_indexes = [c for ix in ref.table.indexes for c in ix.columns if c.startswith("(")]
                if any(name in e.lower() for e in expression_indexes):
                    continue
                key = f"{ref.table.key}.{ref.column.name}"
                if key in seen:
                    continue
                seen.add(key)
                ctx.report(
                    "perf.non_sargable_predicate",
                    f"{side.sql(ctx.dialect.sqlglot)[:60]} wraps the indexed column {key}, so its index cannot be used",
                    side,
                    "compare the bare column (e.g. a range on the column instead of a function of it)",
                )


def _unindexed(ctx: StatementContext, refs: dict[int, ColumnRef]) -> None:
    seen: set[str] = set()
    threshold = ctx.settings.large_table_rows
    for ref in ctx.resolution.columns:
        if ref.clause not in ("where", "join") or ref.table is None or ref.column is None:
            continue
        if (ref.table.row_estimate or 0) < threshold:
            continue
        parent = ref.node.parent
        if not isinstance(parent, _COMPARISONS):
            continue
        name = ref.column.name.lower()
        key = f"{ref.table.key}.{ref.column.name}"
        if name in _indexed_first_columns(ref.table) or key in seen:
            continue
        seen.add(key)
        ctx.report(
            "perf.unindexed_filter",
            f"{key} filters a table of about {ref.table.row_estimate:,} rows, and no index starts with it",
            ref.node,
            f"consider an index on {ref.table.name} ({ref.column.name})",
        )


def _cartesian(ctx: StatementContext, scope: Scope, refs: dict[int, ColumnRef]) -> None:
    node = scope.node
    if not isinstance(node, exp.Select):
        return
    sources = [s for s in scope.sources.values() if not _single_row(s)]
    if len(sources) < 2:
        return
    for join in node.args.get("joins") or []:
        if str(join.args.get("kind") or "").upper() == "CROSS" and not isinstance(join.this, exp.Table | exp.Subquery):
            return
    parent = {s.key: s.key for s in sources}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    keys = set(parent)
    for s in sources:
        if s.table is None and s.columns is None:
            for other in keys:
                union(s.key, other)  # a table function or lateral: it reads the sources before it
    if scope.using:
        ordered = list(keys)
        for a, b in itertools.pairwise(ordered):
            union(a, b)
    conditions: list[exp.Expression] = []
    where = node.args.get("where")
    if isinstance(where, exp.Where):
        conditions.append(where.this)
    for join in node.args.get("joins") or []:
        if isinstance(join.args.get("on"), exp.Expression):
            conditions.append(join.args["on"])
    for cond in conditions:
        for pred in cond.walk():
            if not isinstance(pred, exp.Predicate | exp.Binary):
                continue
            touched = {
                refs[id(c)].source.key
                for c in pred.find_all(exp.Column)
                if id(c) in refs and refs[id(c)].source is not None and refs[id(c)].source.key in keys
            }
            touched_list = list(touched)
            for a, b in itertools.pairwise(touched_list):
                union(a, b)
    groups = {find(k) for k in keys}
    if len(groups) > 1:
        names = ", ".join(s.alias for s in sources)
        ctx.report(
            "perf.cartesian_product",
            f"nothing links {names}: every row is paired with every row",
            node.args.get("joins")[0] if node.args.get("joins") else node,
            "add the join condition (JOIN ... ON a.id = b.a_id)",
        )


def _single_row(source: Source) -> bool:
    node = source.node
    if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select):
        select = node.this
        return not select.args.get("group") and any(
            isinstance(e, exp.AggFunc) or (isinstance(e, exp.Alias) and isinstance(e.this, exp.AggFunc))
            for e in select.expressions
        )
    return False


def _unbounded(ctx: StatementContext, tree: exp.Expression) -> None:
    if ctx.kind != "read":
        return
    selects = (
        [tree]
        if isinstance(tree, exp.Select)
        else (
            [s for s in (tree.left, tree.right) if isinstance(s, exp.Select)]
            if isinstance(tree, exp.SetOperation)
            else []
        )
    )
    threshold = ctx.settings.large_table_rows
    for select in selects:
        if (
            select.args.get("where")
            or select.args.get("limit")
            or select.args.get("group")
            or select.args.get("having")
            or any(isinstance(e, exp.AggFunc) or e.find(exp.AggFunc) for e in select.expressions)
        ):
            continue
        scope = next((s for s in ctx.resolution.scopes if s.node is select), None)
        if scope is None:
            continue
        for source in scope.sources.values():
            table = source.table
            if table is not None and (table.row_estimate or 0) >= threshold:
                ctx.report(
                    "perf.unbounded_large_read",
                    f"{table.key} has about {table.row_estimate:,} rows and this "
                    "read has no WHERE, LIMIT or aggregation",
                    select,
                    "filter, aggregate or add a LIMIT",
                )
                return
