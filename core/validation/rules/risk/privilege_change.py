"""risk.privilege_change: GRANT, REVOKE and role or user changes."""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.kinds import PRIVILEGE
from core.validation.model import Category, RiskLevel, ScriptMode, Severity
from core.validation.rules import Rule
from core.validation.rules.support import mode_applies, query_violation


def check(ctx: StatementContext) -> None:
    if not mode_applies(ctx) or query_violation(ctx, "risk.privilege_change") or ctx.kind != PRIVILEGE:
        return
    ddl = ctx.mode is ScriptMode.DDL
    ctx.report(
        "risk.privilege_change",
        f"{ctx.type.upper()} changes privileges or roles",
        ctx.statement.start,
        severity=Severity.WARNING if ddl else Severity.ERROR,
        risk=RiskLevel.HIGH if ddl else RiskLevel.CRITICAL,
    )


RULE = Rule(
    "risk.privilege_change",
    Category.RISK,
    Severity.ERROR,
    description="GRANT, REVOKE and role or user changes.",
    example="GRANT ALL ON orders TO public",
    risk=RiskLevel.CRITICAL,
    check=check,
)
