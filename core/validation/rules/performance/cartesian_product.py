"""perf.cartesian_product: Tables joined with no condition linking them (a cartesian product)."""

from __future__ import annotations

import itertools

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.kinds import DML, READ
from core.validation.model import Category, Severity
from core.validation.resolve import ColumnRef, Scope, Source
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    if ctx.tree is None or ctx.kind not in (READ, DML):
        return
    for scope in ctx.resolution.scopes:
        _cartesian(ctx, scope, ctx.column_refs)


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
    conditions: list[exp.Expr] = []
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
                source.key
                for c in pred.find_all(exp.Column)
                if (ref := refs.get(id(c))) is not None and (source := ref.source) is not None and source.key in keys
            }
            touched_list = list(touched)
            for a, b in itertools.pairwise(touched_list):
                union(a, b)
    groups = {find(k) for k in keys}
    if len(groups) > 1:
        names = ", ".join(s.alias for s in sources)
        joins = node.args.get("joins")
        ctx.report(
            "perf.cartesian_product",
            f"nothing links {names}: every row is paired with every row",
            joins[0] if joins else node,
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


RULE = Rule(
    "perf.cartesian_product",
    Category.PERFORMANCE,
    Severity.WARNING,
    description="Tables joined with no condition linking them (a cartesian product).",
    example="SELECT * FROM orders, customers",
    check=check,
)
