"""risk.pg_volatile_default: ADD COLUMN with a volatile default (random(), clock_timestamp(), gen_random_uuid())
rewrites the whole table.
"""

from __future__ import annotations

from sqlglot import exp

from core.domain.schema import Dialect
from core.validation.calls import called_function, function_name
from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import PG, Rule

VOLATILE_DEFAULTS = {
    "random",
    "clock_timestamp",
    "gen_random_uuid",
    "uuid_generate_v4",
    "uuid_generate_v1",
    "timeofday",
    "nextval",
    "rand",
}


def check(ctx: StatementContext) -> None:
    if ctx.dialect is not Dialect.POSTGRESQL:
        return
    for change in ctx.changes:
        default = change.detail.get("default")
        if change.action != "add_column" or change.new or not isinstance(default, exp.DefaultColumnConstraint):
            continue
        volatile = {f for f in (_called(ctx, n) for n in default.find_all(exp.Func)) if f in VOLATILE_DEFAULTS}
        if volatile and change.table is not None:
            ctx.report(
                "risk.pg_volatile_default",
                f"the default {', '.join(sorted(volatile))}() is volatile, so "
                f"ADD COLUMN {change.name} rewrites {change.table.key}",
                change.node,
                "add the column without a default, then backfill in batches",
            )


RULE = Rule(
    "risk.pg_volatile_default",
    Category.RISK,
    Severity.WARNING,
    description=(
        "ADD COLUMN with a volatile default (random(), clock_timestamp(), gen_random_uuid()) rewrites the whole table."
    ),
    example="ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid()",
    dialects=PG,
    risk=RiskLevel.MEDIUM,
    check=check,
)


def _called(ctx: StatementContext, node: exp.Func) -> str:
    """The function's name as written (sqlglot reads gen_random_uuid() as its own Uuid node)."""
    call = called_function(ctx, node)
    return call[0].lower() if call else function_name(node)
