"""risk.rename: Renaming a table or column breaks every query, view and application that uses the old name."""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    for change in ctx.changes:
        if change.action == "rename_column" and change.table is not None:
            ctx.report(
                "risk.rename",
                f"renaming {change.table.key}.{change.name} to {change.detail['to']} breaks what reads the old name",
                change.node,
            )
        elif change.action == "rename_table":
            ctx.report("risk.rename", f"renaming {change.name} breaks every query and view that uses it", change.node)


RULE = Rule(
    "risk.rename",
    Category.RISK,
    Severity.WARNING,
    description=("Renaming a table or column breaks every query, view and application that uses the old name."),
    example="ALTER TABLE orders RENAME COLUMN status TO state",
    risk=RiskLevel.MEDIUM,
    check=check,
)
