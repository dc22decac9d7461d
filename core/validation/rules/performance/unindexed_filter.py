"""perf.unindexed_filter: A filter or join column of a large table that no index starts with."""

from __future__ import annotations

from core.validation.context import StatementContext
from core.validation.kinds import DML, READ
from core.validation.model import Category, Severity
from core.validation.rules import Rule
from core.validation.rules.support_perf import COMPARISONS, indexed_first_columns


def check(ctx: StatementContext) -> None:
    if ctx.tree is None or ctx.kind not in (READ, DML):
        return
    seen: set[str] = set()
    threshold = ctx.settings.large_table_rows
    for ref in ctx.resolution.columns:
        if ref.clause not in ("where", "join") or ref.table is None or ref.column is None:
            continue
        if (ref.table.row_estimate or 0) < threshold:
            continue
        parent = ref.node.parent
        if not isinstance(parent, COMPARISONS):
            continue
        name = ref.column.name.lower()
        key = f"{ref.table.key}.{ref.column.name}"
        if name in indexed_first_columns(ref.table) or key in seen:
            continue
        seen.add(key)
        ctx.report(
            "perf.unindexed_filter",
            f"{key} filters a table of about {ref.table.row_estimate:,} rows, and no index starts with it",
            ref.node,
            f"consider an index on {ref.table.name} ({ref.column.name})",
        )


RULE = Rule(
    "perf.unindexed_filter",
    Category.PERFORMANCE,
    Severity.WARNING,
    description="A filter or join column of a large table that no index starts with.",
    example="SELECT id FROM events WHERE payload_kind = 'x'",
    check=check,
)
