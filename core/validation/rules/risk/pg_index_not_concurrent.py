"""risk.pg_index_not_concurrent: CREATE INDEX or DROP INDEX without CONCURRENTLY blocks writes to the table while
it runs.
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
        if change.detail.get("concurrently"):
            continue
        if change.action == "create_index" and not change.new and change.table is not None:
            ctx.report(
                "risk.pg_index_not_concurrent",
                f"CREATE INDEX on {change.table.key}{rows_note(change)} without CONCURRENTLY blocks writes "
                "to the table while it builds",
                change.node,
                "use CREATE INDEX CONCURRENTLY (outside a transaction)",
            )
        elif change.action == "drop_index" and not change.new:
            ctx.report(
                "risk.pg_index_not_concurrent",
                f"DROP INDEX {change.name} without CONCURRENTLY blocks the table",
                change.node,
                "use DROP INDEX CONCURRENTLY (outside a transaction)",
            )


RULE = Rule(
    "risk.pg_index_not_concurrent",
    Category.RISK,
    Severity.WARNING,
    description=("CREATE INDEX or DROP INDEX without CONCURRENTLY blocks writes to the table while it runs."),
    example="CREATE INDEX ix_orders_status ON orders (status)",
    dialects=PG,
    risk=RiskLevel.MEDIUM,
    check=check,
)
