"""risk.pg_vacuum_full: VACUUM FULL rewrites each table under an ACCESS EXCLUSIVE lock (no reads or writes
until it ends) and needs room for a second copy.
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
        if change.action == "vacuum" and change.detail.get("full") and not change.new:
            what = change.name or "every table of the database"
            ctx.report(
                "risk.pg_vacuum_full",
                f"VACUUM FULL rewrites {what}{rows_note(change)} under an ACCESS EXCLUSIVE lock",
                change.node,
                "use plain VACUUM, or pg_repack / pg_squeeze to reclaim space online",
            )


RULE = Rule(
    "risk.pg_vacuum_full",
    Category.RISK,
    Severity.WARNING,
    description=(
        "VACUUM FULL rewrites each table under an ACCESS EXCLUSIVE lock (no reads or writes until "
        "it ends) and needs room for a second copy."
    ),
    example="VACUUM FULL orders",
    dialects=PG,
    risk=RiskLevel.HIGH,
    check=check,
)
