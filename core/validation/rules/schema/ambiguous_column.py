"""schema.ambiguous_column: An unqualified column that more than one table in scope has."""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    ctx.report_problems("schema.ambiguous_column")


RULE = Rule(
    "schema.ambiguous_column",
    Category.SCHEMA,
    Severity.ERROR,
    description="An unqualified column that more than one table in scope has.",
    example="SELECT id FROM orders JOIN customers ON customers.id = orders.customer_id",
    check=check,
)
