"""perf.unbounded_large_read: A read of a large table (row estimate from the snapshot) without WHERE, LIMIT or
aggregation.
"""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.kinds import DML, READ
from core.validation.model import Category, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    if ctx.tree is None or ctx.kind not in (READ, DML):
        return
    _unbounded(ctx, ctx.tree)


def _unbounded(ctx: StatementContext, tree: exp.Expr) -> None:
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


RULE = Rule(
    "perf.unbounded_large_read",
    Category.PERFORMANCE,
    Severity.WARNING,
    description=("A read of a large table (row estimate from the snapshot) without WHERE, LIMIT or aggregation."),
    example="SELECT id, status FROM events",
    check=check,
)
