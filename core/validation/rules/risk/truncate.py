"""risk.truncate: TRUNCATE removes every row at once (and cannot be rolled back in MySQL)."""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    for change in ctx.changes:
        if change.action == "truncate":
            ctx.report("risk.truncate", f"TRUNCATE {change.name} removes every row", change.node)


RULE = Rule(
    "risk.truncate",
    Category.RISK,
    Severity.WARNING,
    description="TRUNCATE removes every row at once (and cannot be rolled back in MySQL).",
    example="TRUNCATE orders",
    risk=RiskLevel.HIGH,
    check=check,
)
