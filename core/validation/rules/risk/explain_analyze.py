"""risk.explain_analyze: EXPLAIN ANALYZE runs the statement it explains."""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.kinds import READ
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    explain = ctx.statement.explain
    if explain is None or not explain.analyze or ctx.statement.tree is None:
        return
    ctx.report(
        "risk.explain_analyze",
        f"EXPLAIN ANALYZE runs the {ctx.type.upper()} it explains, so it is judged as that statement",
        ctx.statement.start,
        "use EXPLAIN without ANALYZE to see the plan without running it",
        severity=Severity.ERROR if ctx.kind != READ else Severity.INFO,
        risk=RiskLevel.CRITICAL if ctx.kind != READ else RiskLevel.LOW,
    )


RULE = Rule(
    "risk.explain_analyze",
    Category.RISK,
    Severity.ERROR,
    description="EXPLAIN ANALYZE runs the statement it explains.",
    example="EXPLAIN ANALYZE DELETE FROM orders",
    risk=RiskLevel.CRITICAL,
    check=check,
)
