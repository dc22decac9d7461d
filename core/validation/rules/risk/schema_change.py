"""risk.schema_change: The statement changes the schema: the draft's risk level reflects it (CREATE low, ALTER
medium).
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.kinds import DDL
from core.validation.model import Category, RiskLevel, ScriptMode, Severity
from core.validation.rules import Rule
from core.validation.rules.support import mode_applies


def check(ctx: StatementContext) -> None:
    if not mode_applies(ctx) or ctx.kind != DDL or ctx.mode is ScriptMode.QUERY:
        return
    if ctx.type in ("create", "alter", "comment"):
        level = RiskLevel.LOW if ctx.type in ("create", "comment") else RiskLevel.MEDIUM
        ctx.report("risk.schema_change", f"{ctx.type.upper()} changes the schema", ctx.statement.start, risk=level)


RULE = Rule(
    "risk.schema_change",
    Category.RISK,
    Severity.INFO,
    description=("The statement changes the schema: the draft's risk level reflects it (CREATE low, ALTER medium)."),
    example="CREATE TABLE notes (id int PRIMARY KEY, body text)",
    risk=RiskLevel.MEDIUM,
    check=check,
)
