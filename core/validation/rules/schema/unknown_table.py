"""schema.unknown_table: A table or view that is not in the snapshot (CTE names and aliases are not tables)."""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    ctx.report_problems("schema.unknown_table")


RULE = Rule(
    "schema.unknown_table",
    Category.SCHEMA,
    Severity.ERROR,
    description="A table or view that is not in the snapshot (CTE names and aliases are not tables).",
    example="SELECT * FROM custmers",
    check=check,
)
