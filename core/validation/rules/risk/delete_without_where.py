"""risk.delete_without_where: DELETE without WHERE removes every row."""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule
from core.validation.rules.support import report_every_row


def check(ctx: StatementContext) -> None:
    report_every_row(ctx, exp.Delete, "risk.delete_without_where")


RULE = Rule(
    "risk.delete_without_where",
    Category.RISK,
    Severity.WARNING,
    description="DELETE without WHERE removes every row.",
    example="DELETE FROM payments",
    risk=RiskLevel.HIGH,
    check=check,
)
