"""risk.writable_cte: A data-modifying statement inside WITH: a write hidden in a read."""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, ScriptMode, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    query_mode = ctx.mode is ScriptMode.QUERY
    for cte in ctx.find_all(exp.CTE):
        if isinstance(cte.this, exp.Insert | exp.Update | exp.Delete | exp.Merge):
            ctx.report(
                "risk.writable_cte",
                f"the CTE {cte.alias!r} runs a {type(cte.this).__name__.upper()}: a write inside a query",
                cte,
                severity=Severity.ERROR if query_mode else Severity.INFO,
                risk=RiskLevel.CRITICAL if query_mode else RiskLevel.MEDIUM,
            )


RULE = Rule(
    "risk.writable_cte",
    Category.RISK,
    Severity.ERROR,
    description="A data-modifying statement inside WITH: a write hidden in a read.",
    example="WITH gone AS (DELETE FROM orders RETURNING id) SELECT count(*) FROM gone",
    risk=RiskLevel.CRITICAL,
    check=check,
)
