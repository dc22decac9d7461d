"""perf.row_estimates_unknown: PostgreSQL has no row estimate for a table the script uses (it was never
analysed), so the size-based checks cannot judge it; said once per script, with the ANALYZE to run.
"""

from __future__ import annotations

from core.domain.schema import Table, TableKind
from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import PG, Rule


def check_script(ctxs: list[StatementContext]) -> None:
    if not ctxs or ctxs[0].index.empty:
        return
    unknown: dict[str, tuple[StatementContext, str]] = {}
    for ctx in ctxs:
        for ref in ctx.resolution.tables:
            table = ref.table
            if (
                table.kind is TableKind.TABLE
                and table.row_estimate is None
                and not ctx.index.is_new(table)
                and not ctx.index.is_presumed(table)
            ):
                unknown.setdefault(table.key, (ctx, _sql_name(ctx, table)))
    if not unknown:
        return
    first = next(iter(unknown.values()))[0]
    first.report(
        "perf.row_estimates_unknown",
        f"PostgreSQL has no row estimate for {', '.join(unknown)} (never analysed), so the size-based checks "
        "(unindexed filters, unbounded reads) are off for them",
        first.statement.start,
        f"run ANALYZE {', '.join(name for _, name in unknown.values())}; then refresh the snapshot",
    )


def _sql_name(ctx: StatementContext, table: Table) -> str:
    """The table as ANALYZE names it: quoted where needed, its schema only when not the default one."""
    quote = ctx.index.profile.quote_if_needed
    if table.schema and table.schema != ctx.index.default_schema:
        return f"{quote(table.schema)}.{quote(table.name)}"
    return quote(table.name)


RULE = Rule(
    "perf.row_estimates_unknown",
    Category.PERFORMANCE,
    Severity.INFO,
    description=(
        "PostgreSQL has no row estimate for a table the script uses (never analysed): the size-based checks are "
        "off for it. Said once per script, naming the ANALYZE to run."
    ),
    example="SELECT * FROM staging_orders  -- a table created but never analysed",
    dialects=PG,
    check_script=check_script,
)
