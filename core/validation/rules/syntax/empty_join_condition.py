"""syntax.empty_join_condition: A JOIN has ON with no condition after it."""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import Rule
from core.validation.rules.support import report_issues


def check(ctx: StatementContext) -> None:
    report_issues(ctx, "syntax.empty_join_condition")


RULE = Rule(
    "syntax.empty_join_condition",
    Category.SYNTAX,
    Severity.ERROR,
    description="A JOIN has ON with no condition after it.",
    example="SELECT * FROM orders o JOIN customers c ON WHERE o.id = 1",
    check=check,
)
