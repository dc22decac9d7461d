"""risk.mysql_online_ddl: ALTER TABLE without explicit ALGORITHM= and LOCK= may silently fall back to a blocking
copy; say ALGORITHM=INSTANT or INPLACE, LOCK=NONE.
"""

from __future__ import annotations

from core.domain.schema import Dialect
from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import MY, Rule


def check(ctx: StatementContext) -> None:
    if ctx.dialect is not Dialect.MYSQL:
        return
    for change in ctx.changes:
        if change.action != "alter_table" or change.new or change.table is None:
            continue
        if not {"AlgorithmProperty", "LockProperty"} <= change.detail.get("options", set()):
            ctx.report(
                "risk.mysql_online_ddl",
                f"ALTER TABLE {change.table.key} does not say ALGORITHM= and LOCK=",
                change.node,
                "add ALGORITHM=INSTANT (or INPLACE), LOCK=NONE so MySQL refuses a blocking copy",
            )


RULE = Rule(
    "risk.mysql_online_ddl",
    Category.RISK,
    Severity.WARNING,
    description=(
        "ALTER TABLE without explicit ALGORITHM= and LOCK= may silently fall back to a blocking "
        "copy; say ALGORITHM=INSTANT or INPLACE, LOCK=NONE."
    ),
    example="ALTER TABLE orders ADD COLUMN note text",
    dialects=MY,
    risk=RiskLevel.MEDIUM,
    check=check,
)
