"""schema.alias_not_allowed: A select-list alias used where the dialect does not allow it (WHERE in PostgreSQL
and MySQL, HAVING in PostgreSQL).
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    ctx.report_problems("schema.alias_not_allowed")


RULE = Rule(
    "schema.alias_not_allowed",
    Category.SCHEMA,
    Severity.ERROR,
    description=(
        "A select-list alias used where the dialect does not allow it (WHERE in PostgreSQL and "
        "MySQL, HAVING in PostgreSQL)."
    ),
    example="SELECT total_amount * 2 AS doubled FROM orders WHERE doubled > 10  -- PostgreSQL",
    check=check,
)
