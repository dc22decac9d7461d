"""syntax.unanalysable: The parser can only keep the statement as opaque text, so nothing in it can be checked;
it is treated as unsafe, never as safe.
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, ScriptMode, Severity
from core.validation.rules import Rule
from core.validation.rules.support import strict_in_query


def check(ctx: StatementContext) -> None:
    if ctx.opaque and not _recognised(ctx):
        ctx.report(
            "syntax.unanalysable",
            f"{ctx.statement.keyword or 'this statement'} can only be kept as opaque "
            "text: it cannot be checked and is treated as unsafe",
            ctx.statement.start,
            severity=strict_in_query(ctx),
        )


def _recognised(ctx: StatementContext) -> bool:
    """A change script's statement that core.validation.commands read in full (every lexeme accounted for)."""
    return ctx.mode is not ScriptMode.QUERY and any(c.detail.get("recognised") for c in ctx.changes)


RULE = Rule(
    "syntax.unanalysable",
    Category.SYNTAX,
    Severity.WARNING,
    description=(
        "The parser can only keep the statement as opaque text, so nothing in it can be checked; "
        "it is treated as unsafe, never as safe."
    ),
    example="VACUUM FULL orders",
    risk=RiskLevel.HIGH,
    check=check,
)
