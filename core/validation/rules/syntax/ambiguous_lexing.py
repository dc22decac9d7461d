"""syntax.ambiguous_lexing: Where the statements end, or what is a comment, depends on a server setting sqldraft
does not know (MySQL's NO_BACKSLASH_ESCAPES without a snapshot), or the parser would read the text differently
from the database; nothing in it can be trusted, so it fails closed.
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule
from core.validation.rules.support import report_issues


def check(ctx: StatementContext) -> None:
    report_issues(ctx, "syntax.ambiguous_lexing")


RULE = Rule(
    "syntax.ambiguous_lexing",
    Category.SYNTAX,
    Severity.WARNING,
    description=(
        "Where the statements end, or what is a comment, depends on a server setting sqldraft "
        "does not know (MySQL's NO_BACKSLASH_ESCAPES without a snapshot), or the parser would "
        "read the text differently from the database; nothing in it can be trusted, so it fails "
        "closed."
    ),
    example="SELECT '\\'; DROP TABLE t; -- '   -- MySQL, sql_mode unknown",
    risk=RiskLevel.HIGH,
    check=check,
)
