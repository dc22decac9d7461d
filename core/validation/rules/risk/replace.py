"""risk.replace: REPLACE deletes the conflicting row before inserting (cascading deletes, lost columns)."""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import MY, Rule


def check(ctx: StatementContext) -> None:
    if ctx.statement.replace:
        ctx.report(
            "risk.replace",
            "REPLACE deletes the row that conflicts before inserting the new one",
            ctx.statement.start,
            "use INSERT ... ON DUPLICATE KEY UPDATE",
        )


RULE = Rule(
    "risk.replace",
    Category.RISK,
    Severity.WARNING,
    description="REPLACE deletes the conflicting row before inserting (cascading deletes, lost columns).",
    example="REPLACE INTO products (id, sku) VALUES (1, 'X')",
    dialects=MY,
    risk=RiskLevel.HIGH,
    check=check,
)
