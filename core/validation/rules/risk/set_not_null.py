"""risk.set_not_null: SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock and fails if a NULL
exists, unless a validated CHECK (col IS NOT NULL) already proves it (PostgreSQL 12+ then skips the scan).

The script's own earlier statements count: ``ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID`` then
``VALIDATE CONSTRAINT c`` (or the CHECK added without NOT VALID) before SET NOT NULL makes it safe.
"""

from __future__ import annotations

from core.domain.schema import Dialect
from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import PG, Rule
from core.validation.rules.support import rows_note


def check_script(ctxs: list[StatementContext]) -> None:
    pending: dict[tuple[str, str], str] = {}
    """(table key, constraint name) -> the column a NOT VALID CHECK (col IS NOT NULL) covers."""
    proven: set[tuple[str, str]] = set()
    for ctx in ctxs:
        if ctx.dialect is not Dialect.POSTGRESQL:
            return
        for change in ctx.changes:
            table = change.table.key if change.table is not None else ""
            if change.action == "add_constraint" and change.detail.get("not_null_of"):
                column = str(change.detail["not_null_of"])
                if change.detail.get("not_valid"):
                    pending[(table, str(change.detail.get("constraint", "")))] = column
                else:
                    proven.add((table, column))
            elif change.action == "validate_constraint":
                validated = pending.get((table, str(change.detail.get("constraint", ""))))
                if validated is not None:
                    proven.add((table, validated))
            elif change.action == "set_not_null" and not change.new and change.table is not None:
                if (table, ctx.index.column_key(change.name)) in proven:
                    continue
                ctx.report(
                    "risk.set_not_null",
                    f"SET NOT NULL on {change.table.key}.{change.name}{rows_note(change)} scans the table "
                    "under an ACCESS EXCLUSIVE lock and fails if a NULL exists",
                    change.node,
                    "first ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT, "
                    "then SET NOT NULL",
                )


RULE = Rule(
    "risk.set_not_null",
    Category.RISK,
    Severity.WARNING,
    description=(
        "SET NOT NULL scans the whole table under a lock and fails if a NULL exists, unless a "
        "validated CHECK (col IS NOT NULL) comes first."
    ),
    example="ALTER TABLE customers ALTER COLUMN country SET NOT NULL",
    dialects=PG,
    risk=RiskLevel.MEDIUM,
    check_script=check_script,
)
