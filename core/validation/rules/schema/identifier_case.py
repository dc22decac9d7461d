"""schema.identifier_case: A name whose case does not match under the dialect's rules (PostgreSQL folds unquoted
names to lower case; MySQL table names are case-sensitive when lower_case_table_names is 0).
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    ctx.report_problems("schema.identifier_case")


RULE = Rule(
    "schema.identifier_case",
    Category.SCHEMA,
    Severity.ERROR,
    description=(
        "A name whose case does not match under the dialect's rules (PostgreSQL folds unquoted "
        "names to lower case; MySQL table names are case-sensitive when lower_case_table_names is "
        "0)."
    ),
    example='SELECT * FROM Orders  -- the table was created as "Orders"',
    check=check,
)
