"""risk.pg_cluster: CLUSTER rewrites the table in index order under an ACCESS EXCLUSIVE lock."""

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
        if change.action == "cluster" and not change.new:
            what = change.name or "every previously clustered table"
            ctx.report(
                "risk.pg_cluster",
                f"CLUSTER rewrites {what}{rows_note(change)} under an ACCESS EXCLUSIVE lock",
                change.node,
                "use pg_repack to reorder a table online",
            )


RULE = Rule(
    "risk.pg_cluster",
    Category.RISK,
    Severity.WARNING,
    description="CLUSTER rewrites the table in index order under an ACCESS EXCLUSIVE lock.",
    example="CLUSTER orders USING ix_orders_customer_id",
    dialects=PG,
    risk=RiskLevel.HIGH,
    check=check,
)
