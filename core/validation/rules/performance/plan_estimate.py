"""perf.plan_estimate: The database's plan estimates more rows or a higher cost than the thresholds (plain
EXPLAIN, nothing run).
"""

from __future__ import annotations

from core.validation.model import Category, Severity
from core.validation.plan import PlanContext
from core.validation.rules import MY, PG, Rule


def check_plan(ctx: PlanContext) -> None:
    plan, settings = ctx.plan, ctx.settings
    over = []
    if plan.rows >= settings.plan_max_rows:
        over.append(f"about {plan.rows:,} rows (threshold {settings.plan_max_rows:,})")
    if plan.cost is not None and plan.cost >= settings.plan_max_cost:
        over.append(f"a cost of {plan.cost:,.0f} (threshold {settings.plan_max_cost:,.0f})")
    if over:
        ctx.report(
            "perf.plan_estimate",
            "the database estimates " + " and ".join(over) + " for this statement",
            "narrow the filter, aggregate, or add a LIMIT",
        )


RULE = Rule(
    "perf.plan_estimate",
    Category.PERFORMANCE,
    Severity.WARNING,
    description=(
        "The database's plan estimates at least SQLDRAFT_PLAN_MAX_ROWS rows or a cost of at least "
        "SQLDRAFT_PLAN_MAX_COST for the statement (plain EXPLAIN, nothing is run)."
    ),
    example="SELECT a.id FROM events a JOIN events b ON a.id < b.id",
    dialects=PG + MY,
    check_plan=check_plan,
    reported_by="core.validation.explain (--server-check or the connection's explain_costs)",
)
