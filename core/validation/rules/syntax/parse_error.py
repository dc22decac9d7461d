"""syntax.parse_error: The statement does not parse in the connection's dialect."""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import Rule
from core.validation.rules.support import report_issues


def check(ctx: StatementContext) -> None:
    report_issues(ctx, "syntax.parse_error")


RULE = Rule(
    "syntax.parse_error",
    Category.SYNTAX,
    Severity.ERROR,
    description="The statement does not parse in the connection's dialect.",
    example="SELECT name FROM customers WHERE (id = 1",
    check=check,
)
