"""risk.pg_missing_lock_timeout: A migration that takes strong locks without SET lock_timeout first can queue
behind a long query and block everything behind it.

A statement counts when it locks a table that existed before the script (a table created earlier in the
script is new; without a snapshot, a table the script did not create is presumed to exist). Reported
once per script, at the first such statement.
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import PG, Rule
from core.validation.rules.support import sets_setting


def first_lock_without(ctxs: list[StatementContext], setting: str) -> StatementContext | None:
    """The first statement that locks an existing table before any SET of ``setting``."""
    for ctx in ctxs:
        if sets_setting(ctx.tree, setting):
            return None
        if any(change.locks for change in ctx.changes):
            return ctx
    return None


def check_script(ctxs: list[StatementContext]) -> None:
    ctx = first_lock_without(ctxs, "lock_timeout")
    if ctx is not None:
        ctx.report(
            "risk.pg_missing_lock_timeout",
            "this migration takes strong locks without SET lock_timeout first",
            ctx.tree if ctx.tree is not None else ctx.statement.start,
            "start with SET lock_timeout = '5s' so it gives up instead of blocking others",
        )


RULE = Rule(
    "risk.pg_missing_lock_timeout",
    Category.RISK,
    Severity.WARNING,
    description=(
        "A migration that takes strong locks without SET lock_timeout first can queue behind a "
        "long query and block everything behind it."
    ),
    example="ALTER TABLE orders ADD COLUMN note text",
    dialects=PG,
    risk=RiskLevel.MEDIUM,
    check_script=check_script,
)
