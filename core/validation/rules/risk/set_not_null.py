"""risk.set_not_null: SET NOT NULL scans the whole table under a lock and fails if a NULL exists."""

from __future__ import annotations

from core.domain.schema import Dialect
from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import PG, Rule


def check(ctx: StatementContext) -> None:
    if ctx.dialect is not Dialect.POSTGRESQL:
        return
    for change in ctx.changes:
        if change.action == "set_not_null" and not change.new and change.table is not None:
            ctx.report(
                "risk.set_not_null",
                f"SET NOT NULL on {change.table.key}.{change.name} scans the table under a lock "
                "and fails if a NULL exists",
                change.node,
                "add a CHECK (col IS NOT NULL) NOT VALID constraint and validate it first",
            )


RULE = Rule(
    "risk.set_not_null",
    Category.RISK,
    Severity.WARNING,
    description="SET NOT NULL scans the whole table under a lock and fails if a NULL exists.",
    example="ALTER TABLE customers ALTER COLUMN country SET NOT NULL",
    dialects=PG,
    risk=RiskLevel.MEDIUM,
    check=check,
)
