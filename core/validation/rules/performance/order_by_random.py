"""perf.order_by_random: ORDER BY RANDOM()/RAND() sorts the whole result."""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.kinds import DML, READ
from core.validation.model import Category, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    if ctx.tree is None or ctx.kind not in (READ, DML):
        return
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


RULE = Rule(
    "perf.order_by_random",
    Category.PERFORMANCE,
    Severity.WARNING,
    description="ORDER BY RANDOM()/RAND() sorts the whole result.",
    example="SELECT id FROM products ORDER BY random() LIMIT 5",
    check=check,
)
