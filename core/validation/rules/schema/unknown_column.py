"""schema.unknown_column: A column that none of the tables in scope has, in SELECT, WHERE, UPDATE SET, INSERT
column lists and everywhere else; with 'did you mean' suggestions.
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    ctx.report_problems("schema.unknown_column")


RULE = Rule(
    "schema.unknown_column",
    Category.SCHEMA,
    Severity.ERROR,
    description=(
        "A column that none of the tables in scope has, in SELECT, WHERE, UPDATE SET, INSERT "
        "column lists and everywhere else; with 'did you mean' suggestions."
    ),
    example="UPDATE orders SET statuz = 'paid' WHERE id = 7",
    check=check,
)
