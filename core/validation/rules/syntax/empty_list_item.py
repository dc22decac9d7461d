"""syntax.empty_list_item: A list has an empty item (two commas in a row, or a comma before a closing parenthesis
or FROM).
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import Rule
from core.validation.rules.support import report_issues


def check(ctx: StatementContext) -> None:
    report_issues(ctx, "syntax.empty_list_item")


RULE = Rule(
    "syntax.empty_list_item",
    Category.SYNTAX,
    Severity.ERROR,
    description=("A list has an empty item (two commas in a row, or a comma before a closing parenthesis or FROM)."),
    example="SELECT id,, email FROM customers",
    check=check,
)
