"""risk.drop_column: DROP COLUMN loses the data and breaks every query that reads it."""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    for change in ctx.changes:
        if change.action == "drop_column" and change.table is not None:
            ctx.report(
                "risk.drop_column",
                f"DROP COLUMN {change.table.key}.{change.name} loses its data",
                change.node,
                "deploy code that no longer reads it first",
            )


RULE = Rule(
    "risk.drop_column",
    Category.RISK,
    Severity.WARNING,
    description="DROP COLUMN loses the data and breaks every query that reads it.",
    example="ALTER TABLE orders DROP COLUMN status",
    risk=RiskLevel.HIGH,
    check=check,
)
