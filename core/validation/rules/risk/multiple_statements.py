"""risk.multiple_statements: More than one statement in a query (stacked statements are how read-only checks are
bypassed).
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.kinds import READ
from core.validation.model import Category, RiskLevel, ScriptMode, Severity
from core.validation.rules import Rule


def check_script(ctxs: list[StatementContext]) -> None:
    if len(ctxs) < 2 or ctxs[0].mode is not ScriptMode.QUERY:
        return
    worst = any(c.kind != READ for c in ctxs)
    second = ctxs[1]
    second.report(
        "risk.multiple_statements",
        f"the query holds {len(ctxs)} statements; a query must be a single statement",
        second.statement.start,
        "send one statement",
        risk=RiskLevel.CRITICAL if worst else RiskLevel.HIGH,
    )


RULE = Rule(
    "risk.multiple_statements",
    Category.RISK,
    Severity.ERROR,
    description=("More than one statement in a query (stacked statements are how read-only checks are bypassed)."),
    example="SELECT 1; DROP TABLE orders",
    risk=RiskLevel.HIGH,
    check_script=check_script,
)
