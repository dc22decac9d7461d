"""risk.select_into: SELECT ."""

from __future__ import annotations

from sqlglot import exp

from core.domain.schema import Dialect
from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, ScriptMode, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    for select in ctx.find_all(exp.Select):
        into = select.args.get("into")
        if not isinstance(into, exp.Expression):
            continue
        if ctx.dialect is Dialect.MYSQL and any(isinstance(n, exp.Parameter) for n in into.walk()):
            continue  # INTO @variable: risk.session_change
        target = into.sql(dialect=ctx.dialect.sqlglot)
        ctx.report(
            "risk.select_into",
            f"SELECT ... INTO {target} creates a table",
            into,
            "use CREATE TABLE ... AS in a ddl draft",
            severity=Severity.ERROR if ctx.mode is not ScriptMode.DDL else Severity.WARNING,
        )


RULE = Rule(
    "risk.select_into",
    Category.RISK,
    Severity.ERROR,
    description="SELECT ... INTO creates a table (PostgreSQL) or assigns variables (MySQL).",
    example="SELECT * INTO orders_copy FROM orders",
    risk=RiskLevel.CRITICAL,
    check=check,
)
