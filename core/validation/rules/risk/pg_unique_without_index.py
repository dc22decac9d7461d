"""risk.pg_unique_without_index: ADD UNIQUE or PRIMARY KEY on an existing table builds its index under an
ACCESS EXCLUSIVE lock; build the index CONCURRENTLY first, then ADD CONSTRAINT ... USING INDEX.
"""

from __future__ import annotations

from core.domain.schema import Dialect
from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import PG, Rule
from core.validation.rules.support import rows_note


def check(ctx: StatementContext) -> None:
    if ctx.dialect is not Dialect.POSTGRESQL:
        return
    for change in ctx.changes:
        if change.action != "add_constraint" or change.detail["kind"] not in ("UNIQUE", "PRIMARY KEY"):
            continue
        if change.new or change.table is None:
            continue
        ctx.report(
            "risk.pg_unique_without_index",
            f"ADD {change.detail['kind']} on {change.table.key}{rows_note(change)} builds its index while "
            "holding an ACCESS EXCLUSIVE lock (no reads or writes meanwhile)",
            change.node,
            "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... "
            f"{change.detail['kind']} USING INDEX that_index",
        )


RULE = Rule(
    "risk.pg_unique_without_index",
    Category.RISK,
    Severity.WARNING,
    description=(
        "ADD UNIQUE or PRIMARY KEY on an existing table builds its index under an ACCESS EXCLUSIVE "
        "lock; build the index CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX."
    ),
    example="ALTER TABLE customers ADD CONSTRAINT uq_email UNIQUE (email)",
    dialects=PG,
    risk=RiskLevel.HIGH,
    check=check,
)
