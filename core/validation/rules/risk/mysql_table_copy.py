"""risk.mysql_table_copy: An ALTER that makes MySQL copy the whole table (column type change, primary key change,
character set conversion).
"""

from __future__ import annotations

from core.domain.schema import Dialect
from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import MY, Rule
from core.validation.rules.support import rows_note


def check(ctx: StatementContext) -> None:
    if ctx.dialect is not Dialect.MYSQL:
        return
    for change in ctx.changes:
        if change.action == "alter_table" and not change.new and change.detail.get("copies") and change.table:
            verb = "may make" if change.presumed else "makes"
            unknown = " (without a snapshot the column's current type is unknown)" if change.presumed else ""
            ctx.report(
                "risk.mysql_table_copy",
                f"this ALTER {verb} MySQL copy the whole of {change.table.key}{rows_note(change)}{unknown}",
                change.node,
                "run it with an online schema change tool (gh-ost, pt-online-schema-change) on big tables",
            )


RULE = Rule(
    "risk.mysql_table_copy",
    Category.RISK,
    Severity.WARNING,
    description=(
        "An ALTER that makes MySQL copy the whole table (column type change, primary key change, "
        "character set conversion)."
    ),
    example="ALTER TABLE orders MODIFY total_amount decimal(14,2)",
    dialects=MY,
    risk=RiskLevel.HIGH,
    check=check,
)
