"""risk.pg_column_type_change: Changing a column's type rewrites the table under an ACCESS EXCLUSIVE lock (most
type changes).
"""

from __future__ import annotations

from core.domain.schema import Dialect
from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import PG, Rule
from core.validation.rules.support import rows_note


def check(ctx: StatementContext) -> None:
    if ctx.dialect is not Dialect.POSTGRESQL:
        return
    for change in ctx.changes:
        if change.action == "alter_type" and not change.new and change.table is not None:
            ctx.report(
                "risk.pg_column_type_change",
                f"changing the type of {change.table.key}.{change.name} rewrites the table{rows_note(change)} "
                "under an ACCESS EXCLUSIVE lock",
                change.node,
                "add a new column, backfill, and swap, for a big table",
            )


RULE = Rule(
    "risk.pg_column_type_change",
    Category.RISK,
    Severity.WARNING,
    description=("Changing a column's type rewrites the table under an ACCESS EXCLUSIVE lock (most type changes)."),
    example="ALTER TABLE orders ALTER COLUMN total_amount TYPE numeric(14, 2)",
    dialects=PG,
    risk=RiskLevel.HIGH,
    check=check,
)
