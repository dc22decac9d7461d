"""risk.mysql_executable_comment: A MySQL executable comment (/*! ."""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import MY, Rule


def check_script(ctxs: list[StatementContext]) -> None:
    if not ctxs:
        return
    first = ctxs[0]
    for offset in first.script.executable_comments:
        owner = next((c for c in ctxs if c.statement.start <= offset < c.statement.end + 1), first)
        owner.report(
            "risk.mysql_executable_comment",
            "a MySQL executable comment (/*! ... */): the server runs its content",
            offset,
            "remove the comment or write its content as plain SQL",
        )


RULE = Rule(
    "risk.mysql_executable_comment",
    Category.RISK,
    Severity.ERROR,
    description="A MySQL executable comment (/*! ... */): the server runs what looks like a comment.",
    example="SELECT 1 /*!50000 , (SELECT LOAD_FILE('/etc/passwd')) */",
    dialects=MY,
    risk=RiskLevel.CRITICAL,
    check_script=check_script,
)
