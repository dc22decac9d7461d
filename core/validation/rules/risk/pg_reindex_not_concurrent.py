"""risk.pg_reindex_not_concurrent: REINDEX without CONCURRENTLY blocks writes to the table (and reads that
use the index) while it rebuilds.
"""

from __future__ import annotations

from core.domain.schema import Dialect
from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import PG, Rule


def check(ctx: StatementContext) -> None:
    if ctx.dialect is not Dialect.POSTGRESQL:
        return
    for change in ctx.changes:
        if change.action == "reindex" and not change.detail.get("concurrently") and not change.new:
            ctx.report(
                "risk.pg_reindex_not_concurrent",
                f"REINDEX {change.detail.get('kind', '')} {change.name} without CONCURRENTLY blocks writes "
                "while it rebuilds",
                change.node,
                "use REINDEX ... CONCURRENTLY (PostgreSQL 12+, outside a transaction)",
            )


RULE = Rule(
    "risk.pg_reindex_not_concurrent",
    Category.RISK,
    Severity.WARNING,
    description=(
        "REINDEX without CONCURRENTLY blocks writes to the table (and reads that use the index) while it rebuilds."
    ),
    example="REINDEX TABLE orders",
    dialects=PG,
    risk=RiskLevel.MEDIUM,
    check=check,
)
