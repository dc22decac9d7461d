"""schema.create_existing: CREATE of a table, view or index that already exists (without IF NOT EXISTS / OR
REPLACE).
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    ctx.report_problems("schema.create_existing")


RULE = Rule(
    "schema.create_existing",
    Category.SCHEMA,
    Severity.ERROR,
    description=("CREATE of a table, view or index that already exists (without IF NOT EXISTS / OR REPLACE)."),
    example="CREATE TABLE orders (id int)",
    check=check,
)
