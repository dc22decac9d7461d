"""perf.plan_nested_loop: The database's plan joins two large inputs with a nested loop (plain EXPLAIN, nothing
run).
"""

from __future__ import annotations

from core.validation.model import Category, Severity
from core.validation.plan import NESTED_LOOP, PlanContext, scanned_rows
from core.validation.rules import MY, PG, Rule


def check_plan(ctx: PlanContext) -> None:
    threshold = ctx.settings.nested_loop_rows
    for node in ctx.plan.root.walk():
        if node.op != NESTED_LOOP or len(node.children) < 2:
            continue
        # The outer side's rows, then each inner side's rows per outer row (MySQL lists the join order).
        outer = node.children[0].rows
        for inner in node.children[1:]:
            per_loop = scanned_rows(inner)
            if outer >= threshold and per_loop >= threshold:
                name = inner.relation or inner.op
                ctx.report(
                    "perf.plan_nested_loop",
                    f"the plan loops over about {outer:,} rows and reads about {per_loop:,} rows of {name} for "
                    "each of them (a nested loop over large inputs)",
                    "join on indexed columns (an index on the inner side's join column) or filter both sides first",
                )
                return
            outer *= max(inner.rows, 1)


RULE = Rule(
    "perf.plan_nested_loop",
    Category.PERFORMANCE,
    Severity.WARNING,
    description=(
        "The database's plan joins two inputs of at least SQLDRAFT_PLAN_NESTED_LOOP_ROWS estimated rows each "
        "with a nested loop (plain EXPLAIN, nothing is run)."
    ),
    example="SELECT * FROM events a JOIN events b ON a.payload < b.payload",
    dialects=PG + MY,
    check_plan=check_plan,
    reported_by="core.validation.explain (--server-check or the connection's explain_costs)",
)
