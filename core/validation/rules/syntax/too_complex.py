"""syntax.too_complex: The statement nests or branches too deeply to analyse within bounded time and memory; it
fails closed (an error in query mode, high risk) instead of being assumed safe.
"""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule
from core.validation.rules.support import report_issues


def check(ctx: StatementContext) -> None:
    report_issues(ctx, "syntax.too_complex")


RULE = Rule(
    "syntax.too_complex",
    Category.SYNTAX,
    Severity.WARNING,
    description=(
        "The statement nests or branches too deeply to analyse within bounded time and memory; it "
        "fails closed (an error in query mode, high risk) instead of being assumed safe."
    ),
    example="SELECT * FROM (SELECT * FROM (SELECT * FROM ( ... 200 levels ... ) a) b) c",
    risk=RiskLevel.HIGH,
    check=check,
)
