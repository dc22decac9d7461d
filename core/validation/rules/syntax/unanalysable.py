"""syntax.unanalysable: The parser can only keep the statement as opaque text, so nothing in it can be checked;
it is treated as unsafe, never as safe.
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule
from core.validation.rules.support import strict_in_query


def check(ctx: StatementContext) -> None:
    if ctx.opaque:
        ctx.report(
            "syntax.unanalysable",
            f"{ctx.statement.keyword or 'this statement'} can only be kept as opaque "
            "text: it cannot be checked and is treated as unsafe",
            ctx.statement.start,
            severity=strict_in_query(ctx),
        )


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
