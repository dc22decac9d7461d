"""risk.pg_missing_statement_timeout: A migration that locks existing tables without SET statement_timeout
first can hold its locks for as long as a slow rewrite or scan takes.

Reported once per script (info), at the first statement that locks a table that existed before it.
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import PG, Rule
from core.validation.rules.risk.pg_missing_lock_timeout import first_lock_without


def check_script(ctxs: list[StatementContext]) -> None:
    ctx = first_lock_without(ctxs, "statement_timeout")
    if ctx is not None:
        ctx.report(
            "risk.pg_missing_statement_timeout",
            "this migration locks existing tables without SET statement_timeout first",
            ctx.tree if ctx.tree is not None else ctx.statement.start,
            "start with SET statement_timeout = '...' so a slow step cannot hold its locks indefinitely",
        )


RULE = Rule(
    "risk.pg_missing_statement_timeout",
    Category.RISK,
    Severity.INFO,
    description=(
        "A migration that locks existing tables without SET statement_timeout first can hold its "
        "locks for as long as a slow rewrite or scan takes."
    ),
    example="SET lock_timeout = '5s'; ALTER TABLE orders ALTER COLUMN note TYPE varchar(200)",
    dialects=PG,
    risk=RiskLevel.LOW,
    check_script=check_script,
)
