"""risk.maintenance: Maintenance and server commands (VACUUM, REINDEX, CLUSTER, REFRESH MATERIALIZED VIEW, PRAGMA
with a value, FLUSH, KILL, ...).
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.kinds import MAINTENANCE
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule
from core.validation.rules.support import mode_applies, query_violation


def check(ctx: StatementContext) -> None:
    if not mode_applies(ctx) or query_violation(ctx, "risk.maintenance") or ctx.kind != MAINTENANCE:
        return
    if any(c.detail.get("recognised") and not c.locks and c.action in ("vacuum", "reindex") for c in ctx.changes):
        return  # plain VACUUM and REINDEX CONCURRENTLY block neither reads nor writes
    ctx.report(
        "risk.maintenance",
        f"{ctx.type.upper()} is a maintenance or server command",
        ctx.statement.start,
        severity=Severity.WARNING,
    )


RULE = Rule(
    "risk.maintenance",
    Category.RISK,
    Severity.ERROR,
    description=(
        "Maintenance and server commands (VACUUM, REINDEX, CLUSTER, REFRESH MATERIALIZED VIEW, "
        "PRAGMA with a value, FLUSH, KILL, ...)."
    ),
    example="REINDEX TABLE orders",
    risk=RiskLevel.HIGH,
    check=check,
)
