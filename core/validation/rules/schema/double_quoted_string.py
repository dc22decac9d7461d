"""schema.double_quoted_string: Double-quoted text that the database reads as a string literal (MySQL always,
SQLite when no column has that name); use single quotes for strings.
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    ctx.report_problems("schema.double_quoted_string")


RULE = Rule(
    "schema.double_quoted_string",
    Category.SCHEMA,
    Severity.WARNING,
    description=(
        "Double-quoted text that the database reads as a string literal (MySQL always, SQLite "
        "when no column has that name); use single quotes for strings."
    ),
    example='SELECT * FROM customers WHERE country = "FR"',
    dialects=("mysql", "sqlite"),
    check=check,
)
