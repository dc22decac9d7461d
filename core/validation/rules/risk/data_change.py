"""risk.data_change: The statement changes rows: the draft's risk level reflects it (INSERT low; UPDATE, DELETE
and MERGE medium).
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.kinds import DML
from core.validation.model import Category, RiskLevel, ScriptMode, Severity
from core.validation.rules import Rule
from core.validation.rules.support import mode_applies


def check(ctx: StatementContext) -> None:
    if not mode_applies(ctx) or ctx.kind != DML or ctx.mode is ScriptMode.QUERY:
        return
    level = RiskLevel.LOW if ctx.type == "insert" else RiskLevel.MEDIUM
    targets = sorted({r.table.key for r in ctx.resolution.tables if r.access.value == "write"})
    what = f" in {', '.join(targets)}" if targets else ""
    ctx.report("risk.data_change", f"{ctx.type.upper()} changes rows{what}", ctx.statement.start, risk=level)


RULE = Rule(
    "risk.data_change",
    Category.RISK,
    Severity.INFO,
    description=(
        "The statement changes rows: the draft's risk level reflects it (INSERT low; UPDATE, DELETE and MERGE medium)."
    ),
    example="UPDATE orders SET status = 'paid' WHERE id = 7",
    risk=RiskLevel.MEDIUM,
    check=check,
)
