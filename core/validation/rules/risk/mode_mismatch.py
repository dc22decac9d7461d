"""risk.mode_mismatch: A statement that does not belong in the requested mode (DDL in a dml draft; data changes
in a ddl draft are a warning).
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.kinds import DDL, DML
from core.validation.model import Category, RiskLevel, ScriptMode, Severity
from core.validation.rules import Rule
from core.validation.rules.support import article, mode_applies


def check(ctx: StatementContext) -> None:
    if not mode_applies(ctx):
        return
    stmt_type = ctx.type.upper()
    if ctx.mode is ScriptMode.DML and ctx.kind == DDL:
        ctx.report(
            "risk.mode_mismatch",
            f"{article(stmt_type)} statement changes the schema in a dml draft",
            ctx.statement.start,
            "ask for a ddl draft for schema changes",
        )
    elif ctx.mode is ScriptMode.DDL and ctx.kind == DML:
        ctx.report(
            "risk.mode_mismatch",
            f"{article(stmt_type)} statement changes data in a ddl draft",
            ctx.statement.start,
            severity=Severity.WARNING,
            risk=RiskLevel.MEDIUM,
        )


RULE = Rule(
    "risk.mode_mismatch",
    Category.RISK,
    Severity.ERROR,
    description=(
        "A statement that does not belong in the requested mode (DDL in a dml draft; data changes "
        "in a ddl draft are a warning)."
    ),
    example="DROP TABLE orders  -- mode dml",
    risk=RiskLevel.HIGH,
    check=check,
)
