"""schema.ddl_missing_object: ALTER or DROP of a table, column or index that does not exist (without IF EXISTS),
or ADD of a column that already exists.
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    ctx.report_problems("schema.ddl_missing_object")


RULE = Rule(
    "schema.ddl_missing_object",
    Category.SCHEMA,
    Severity.ERROR,
    description=(
        "ALTER or DROP of a table, column or index that does not exist (without IF EXISTS), or "
        "ADD of a column that already exists."
    ),
    example="ALTER TABLE orders DROP COLUMN notes",
    check=check,
)
