"""risk.pg_constraint_validation: Adding a FOREIGN KEY or CHECK constraint without NOT VALID scans the table
under a lock; add it NOT VALID, then VALIDATE CONSTRAINT.
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
        if change.action != "add_constraint" or change.detail["kind"] not in ("FOREIGN KEY", "CHECK"):
            continue
        if not change.new and not change.detail.get("not_valid"):
            table = change.table.key if change.table is not None else "the table"
            ctx.report(
                "risk.pg_constraint_validation",
                f"ADD {change.detail['kind']} on {table}{rows_note(change)} validates every row under a lock",
                change.node,
                "add it NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT",
            )


RULE = Rule(
    "risk.pg_constraint_validation",
    Category.RISK,
    Severity.WARNING,
    description=(
        "Adding a FOREIGN KEY or CHECK constraint without NOT VALID scans the table under a lock; "
        "add it NOT VALID, then VALIDATE CONSTRAINT."
    ),
    example=("ALTER TABLE orders ADD CONSTRAINT fk_c FOREIGN KEY (customer_id) REFERENCES customers (id)"),
    dialects=PG,
    risk=RiskLevel.MEDIUM,
    check=check,
)
