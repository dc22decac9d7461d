"""syntax.mysql_pipes: In MySQL `||` means OR unless sql_mode has PIPES_AS_CONCAT; use CONCAT()."""

from __future__ import annotations

from sqlglot.tokenizer_core import TokenType

from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import MY, Rule


def check(ctx: StatementContext) -> None:
    if ctx.tree is None:
        return
    mode = ctx.index.sql_mode.upper()
    if "PIPES_AS_CONCAT" in mode or "ANSI" in mode:
        return
    for tok in ctx.statement.tokens:
        if tok.token_type == TokenType.DPIPE:
            ctx.report(
                "syntax.mysql_pipes",
                "|| means OR in MySQL (sql_mode has no PIPES_AS_CONCAT)",
                tok.start,
                "use CONCAT(a, b)",
            )
            return


RULE = Rule(
    "syntax.mysql_pipes",
    Category.SYNTAX,
    Severity.WARNING,
    description="In MySQL `||` means OR unless sql_mode has PIPES_AS_CONCAT; use CONCAT().",
    example="SELECT first_name || ' ' || last_name FROM customers",
    dialects=MY,
    check=check,
)
