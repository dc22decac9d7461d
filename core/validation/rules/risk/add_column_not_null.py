"""risk.add_column_not_null: ADD COLUMN ."""

from __future__ import annotations

from core.domain.schema import Dialect
from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    for change in ctx.changes:
        if change.action != "add_column" or change.new or change.table is None:
            continue
        col = change.detail["column"]
        if col.nullable or change.detail.get("default") is not None or col.identity is not None:
            continue
        if ctx.dialect is Dialect.MYSQL:
            ctx.report(
                "risk.add_column_not_null",
                f"NOT NULL column {change.name} without a default: MySQL fills "
                "existing rows with the type's implicit default (0, '')",
                change.node,
                severity=Severity.WARNING,
                risk=RiskLevel.MEDIUM,
            )
        else:
            ctx.report(
                "risk.add_column_not_null",
                f"ADD COLUMN {change.name} NOT NULL without a default fails if {change.table.key} has rows",
                change.node,
                "add a DEFAULT, or add it nullable, backfill, then SET NOT NULL",
            )


RULE = Rule(
    "risk.add_column_not_null",
    Category.RISK,
    Severity.ERROR,
    description=(
        "ADD COLUMN ... NOT NULL without a default fails on a table that has rows (PostgreSQL, "
        "SQLite); MySQL fills in the type's implicit default."
    ),
    example="ALTER TABLE orders ADD COLUMN channel text NOT NULL",
    risk=RiskLevel.HIGH,
    check=check,
)
