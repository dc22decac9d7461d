"""risk.transaction_control: Transaction control in a query (COMMIT ends the read-only transaction a tool may
have opened).
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule
from core.validation.rules.support import mode_applies, query_violation


def check(ctx: StatementContext) -> None:
    if mode_applies(ctx):
        query_violation(ctx, "risk.transaction_control")


RULE = Rule(
    "risk.transaction_control",
    Category.RISK,
    Severity.ERROR,
    description=("Transaction control in a query (COMMIT ends the read-only transaction a tool may have opened)."),
    example="COMMIT; SELECT 1",
    risk=RiskLevel.HIGH,
    check=check,
)
