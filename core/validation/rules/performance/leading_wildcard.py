"""perf.leading_wildcard: LIKE with a leading wildcard cannot use a B-tree index."""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.kinds import DML, READ
from core.validation.model import Category, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    if ctx.tree is None or ctx.kind not in (READ, DML):
        return
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


RULE = Rule(
    "perf.leading_wildcard",
    Category.PERFORMANCE,
    Severity.WARNING,
    description="LIKE with a leading wildcard cannot use a B-tree index.",
    example="SELECT id FROM customers WHERE email LIKE '%@example.com'",
    check=check,
)
