"""risk.cascade: CASCADE reaches further than the object named; the finding lists the dependents from the
snapshot.
"""

from __future__ import annotations

from core.domain.schema import Dialect
from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    for change in ctx.changes:
        if not change.detail.get("cascade") or (ctx.dialect is Dialect.MYSQL and change.action == "drop_table"):
            continue  # MySQL and MariaDB accept CASCADE on DROP TABLE and ignore it
        reached = change.detail.get("dependents") or []
        if change.action == "drop_table" and change.table is not None:
            names = ", ".join(k for _, k, _ in reached) or (
                "unknown without a snapshot" if change.presumed else "nothing in the snapshot"
            )
            ctx.report("risk.cascade", f"CASCADE also drops or changes what depends on it: {names}", change.node)
        elif change.action == "drop_object":
            ctx.report("risk.cascade", f"CASCADE also drops every object that depends on {change.name}", change.node)
        elif change.action == "truncate" and change.table is not None:
            ctx.report(
                "risk.cascade",
                "TRUNCATE ... CASCADE also empties: "
                + (
                    ", ".join(k for _, k, _ in reached)
                    or ("every table with a foreign key to it" if change.presumed else "no other table in the snapshot")
                ),
                change.node,
            )


RULE = Rule(
    "risk.cascade",
    Category.RISK,
    Severity.WARNING,
    description=("CASCADE reaches further than the object named; the finding lists the dependents from the snapshot."),
    example="DROP TABLE customers CASCADE",
    risk=RiskLevel.CRITICAL,
    check=check,
)
