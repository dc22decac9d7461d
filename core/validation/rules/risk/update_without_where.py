"""risk.update_without_where: UPDATE without WHERE changes every row."""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule
from core.validation.rules.support import report_every_row


def check(ctx: StatementContext) -> None:
    report_every_row(ctx, exp.Update, "risk.update_without_where")


RULE = Rule(
    "risk.update_without_where",
    Category.RISK,
    Severity.WARNING,
    description="UPDATE without WHERE changes every row.",
    example="UPDATE products SET active = 0",
    risk=RiskLevel.HIGH,
    check=check,
)
