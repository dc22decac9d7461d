"""risk.drop: DROP of a table, view, schema, database or index."""

from __future__ import annotations

from core.domain.schema import Dialect
from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    for change in ctx.changes:
        kind = str(change.detail.get("kind", ""))
        if change.action == "drop_table" and change.table is None:
            ctx.report("risk.drop", f"DROP {kind} {change.name} removes it and its data", change.node)
        elif change.action == "drop_table":
            what = f"DROP {kind} {change.name}"
            ctx.report("risk.drop", f"{what} removes it and its data", change.node, "make sure a backup exists")
            reached = change.detail.get("dependents") or []
            if reached and not change.detail.get("cascade"):
                names = ", ".join(k for _, k, _ in reached)
                consequence = (
                    "will make it fail without CASCADE"
                    if ctx.dialect is not Dialect.SQLITE
                    else "will be left pointing at a missing table"
                )
                ctx.report(
                    "risk.drop",
                    f"{what}: dependents in the snapshot ({names}) {consequence}",
                    change.node,
                    severity=Severity.WARNING,
                )
        elif change.action == "drop_index":
            ctx.report("risk.drop", f"DROP INDEX {change.name} removes the index", change.node, risk=RiskLevel.MEDIUM)
        elif change.action == "drop_object":
            whole = kind in ("SCHEMA", "DATABASE")
            level = RiskLevel.CRITICAL if whole or change.detail.get("cascade") else RiskLevel.HIGH
            ctx.report(
                "risk.drop",
                f"DROP {kind} {change.name} removes it" + (" and everything in it" if whole else ""),
                change.node,
                risk=level,
            )


RULE = Rule(
    "risk.drop",
    Category.RISK,
    Severity.WARNING,
    description="DROP of a table, view, schema, database or index.",
    example="DROP TABLE payments",
    risk=RiskLevel.HIGH,
    check=check,
)
