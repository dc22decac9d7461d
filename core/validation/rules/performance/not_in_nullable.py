"""perf.not_in_nullable: NOT IN (subquery) on a nullable column returns no rows as soon as the subquery yields a
NULL; use NOT EXISTS.
"""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.kinds import DML, READ
from core.validation.model import Category, Severity
from core.validation.resolve import ColumnRef
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    if ctx.tree is None or ctx.kind not in (READ, DML):
        return
    refs = ctx.column_refs
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


RULE = Rule(
    "perf.not_in_nullable",
    Category.PERFORMANCE,
    Severity.WARNING,
    description=(
        "NOT IN (subquery) on a nullable column returns no rows as soon as the subquery yields a NULL; use NOT EXISTS."
    ),
    example="SELECT id FROM customers WHERE id NOT IN (SELECT customer_id FROM refunds)",
    check=check,
)
