"""risk.lock_table: LOCK TABLE in a migration holds an explicit lock (ACCESS EXCLUSIVE by default in
PostgreSQL) until the transaction ends, blocking everyone else.
"""

from __future__ import annotations

from core.domain.schema import Dialect
from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, ScriptMode, Severity
from core.validation.rules import MY, PG, Rule


def check(ctx: StatementContext) -> None:
    if ctx.mode is ScriptMode.QUERY:
        return  # risk.locking_read reports it as an error in a query
    for change in ctx.changes:
        if change.action == "lock_table" and not change.new:
            mode = change.detail.get("mode", "")
            shown = f"in {mode} mode " if ctx.dialect is Dialect.POSTGRESQL else ""
            ctx.report(
                "risk.lock_table",
                f"LOCK TABLE {change.name} {shown}blocks other sessions until the transaction ends",
                change.node,
                "keep the transaction short and SET lock_timeout first, or let each statement take its own lock",
            )


RULE = Rule(
    "risk.lock_table",
    Category.RISK,
    Severity.WARNING,
    description=(
        "LOCK TABLE in a migration holds an explicit lock (ACCESS EXCLUSIVE by default in "
        "PostgreSQL) until the transaction ends, blocking everyone else."
    ),
    example="LOCK TABLE orders IN ACCESS EXCLUSIVE MODE",
    dialects=PG + MY,
    risk=RiskLevel.HIGH,
    check=check,
)
