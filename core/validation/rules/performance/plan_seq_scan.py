"""perf.plan_seq_scan: The database's plan reads a large table in full (a sequential scan; plain EXPLAIN, nothing
run).
"""

from __future__ import annotations

from core.validation.model import Category, Severity
from core.validation.plan import SEQ_SCAN, PlanContext, scanned_rows, tables_of
from core.validation.rules import MY, PG, Rule


def check_plan(ctx: PlanContext) -> None:
    threshold = ctx.settings.large_table_rows
    seen: set[str] = set()
    for node in ctx.plan.root.walk():
        if node.op != SEQ_SCAN or node.relation is None or node.relation in seen:
            continue
        rows = max(scanned_rows(node), ctx.rows_of(node.relation) or 0)
        if node.share < 1.0:  # under a LIMIT that stops the scan early (PostgreSQL)
            rows = int(rows * node.share)
        elif ctx.row_limit is not None and len(tables_of(ctx.plan)) == 1 and node.rows > 0:
            # MySQL: a single-table read that streams to its LIMIT stops after about limit / selectivity rows
            rows = min(rows, int(ctx.row_limit * scanned_rows(node) / node.rows))
        if rows >= threshold:
            seen.add(node.relation)
            ctx.report(
                "perf.plan_seq_scan",
                f"the plan reads all of {node.relation} (about {rows:,} rows) in a sequential scan",
                "filter on an indexed column, add an index for the filter, or add a LIMIT",
            )


RULE = Rule(
    "perf.plan_seq_scan",
    Category.PERFORMANCE,
    Severity.WARNING,
    description=(
        "The database's plan reads a large table in full (a sequential scan of a table whose row estimate "
        "reaches SQLDRAFT_LARGE_TABLE_ROWS; plain EXPLAIN, nothing is run)."
    ),
    example="SELECT * FROM events WHERE payload LIKE '%x%'",
    dialects=PG + MY,
    check_plan=check_plan,
    reported_by="core.validation.explain (--server-check or the connection's explain_costs)",
)
