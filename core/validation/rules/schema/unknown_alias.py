"""schema.unknown_alias: A qualifier (`x.col`) that names no table or alias in scope."""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    ctx.report_problems("schema.unknown_alias")


RULE = Rule(
    "schema.unknown_alias",
    Category.SCHEMA,
    Severity.ERROR,
    description="A qualifier (`x.col`) that names no table or alias in scope.",
    example="SELECT o.id FROM orders AS ord",
    check=check,
)
