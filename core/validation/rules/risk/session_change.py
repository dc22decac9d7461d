"""risk.session_change: A statement that changes session state in a query (SET, RESET, SELECT ."""

from __future__ import annotations

from sqlglot import exp

from core.domain.schema import Dialect
from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule
from core.validation.rules.support import mode_applies, query_violation, strict_in_query


def check(ctx: StatementContext) -> None:
    if mode_applies(ctx):
        query_violation(ctx, "risk.session_change")
    if ctx.dialect is Dialect.MYSQL:
        for select in ctx.find_all(exp.Select):
            into = select.args.get("into")
            if isinstance(into, exp.Expression) and any(isinstance(n, exp.Parameter) for n in into.walk()):
                ctx.report(
                    "risk.session_change",
                    f"SELECT ... INTO {into.sql(dialect=ctx.dialect.sqlglot)} assigns session variables",
                    into,
                    severity=strict_in_query(ctx),
                    risk=RiskLevel.HIGH,
                )
    for assignment in ctx.find_all(exp.PropertyEQ):
        if isinstance(assignment.this, exp.Parameter):
            ctx.report(
                "risk.session_change",
                f"{assignment.this.sql(dialect=ctx.dialect.sqlglot)} := ... assigns a session variable",
                assignment,
                "read the value without assigning it",
                severity=strict_in_query(ctx),
                risk=RiskLevel.HIGH,
            )


RULE = Rule(
    "risk.session_change",
    Category.RISK,
    Severity.ERROR,
    description=("A statement that changes session state in a query (SET, RESET, SELECT ... INTO @var, set_config)."),
    example="SET search_path = evil, public",
    risk=RiskLevel.HIGH,
    check=check,
)
