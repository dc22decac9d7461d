"""schema.insert_count_mismatch: An INSERT whose rows have a different number of values than columns."""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    ctx.report_problems("schema.insert_count_mismatch")


RULE = Rule(
    "schema.insert_count_mismatch",
    Category.SCHEMA,
    Severity.ERROR,
    description="An INSERT whose rows have a different number of values than columns.",
    example="INSERT INTO products (sku, name) VALUES ('A-1')",
    check=check,
)
