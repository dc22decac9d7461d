"""risk.dynamic_sql: Dynamic or procedural SQL (PREPARE/EXECUTE, DO blocks, CALL) that cannot be checked."""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.kinds import DYNAMIC
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule
from core.validation.rules.support import mode_applies, query_violation


def check(ctx: StatementContext) -> None:
    for change in ctx.changes:
        if change.action == "create_code":
            ctx.report(
                "risk.dynamic_sql",
                f"CREATE {change.name} installs code that sqldraft cannot check",
                change.node,
                severity=Severity.WARNING,
                risk=RiskLevel.HIGH,
            )
    if not mode_applies(ctx) or query_violation(ctx, "risk.dynamic_sql") or ctx.kind != DYNAMIC:
        return
    ctx.report(
        "risk.dynamic_sql",
        f"{ctx.type.upper()} runs dynamic or procedural SQL that cannot be checked",
        ctx.statement.start,
    )


RULE = Rule(
    "risk.dynamic_sql",
    Category.RISK,
    Severity.ERROR,
    description="Dynamic or procedural SQL (PREPARE/EXECUTE, DO blocks, CALL) that cannot be checked.",
    example="DO $$ BEGIN EXECUTE 'DROP TABLE orders'; END $$",
    risk=RiskLevel.CRITICAL,
    check=check,
)
