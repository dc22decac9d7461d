"""schema.missing_not_null: An INSERT that leaves out a NOT NULL column without a default."""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    ctx.report_problems("schema.missing_not_null")


RULE = Rule(
    "schema.missing_not_null",
    Category.SCHEMA,
    Severity.ERROR,
    description="An INSERT that leaves out a NOT NULL column without a default.",
    example="INSERT INTO customers (email) VALUES ('a@example.com')  -- full_name is NOT NULL",
    check=check,
)
