"""risk.pg_concurrently_in_transaction: CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction block."""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import PG, Rule


def check_script(ctxs: list[StatementContext]) -> None:
    in_transaction = False
    for ctx in ctxs:
        tree = ctx.tree
        if isinstance(tree, exp.Transaction) or ctx.statement.keyword in ("BEGIN", "START"):
            in_transaction = True
        elif isinstance(tree, exp.Commit | exp.Rollback):
            in_transaction = False
        if isinstance(tree, exp.Create | exp.Drop) and tree.args.get("concurrently") and in_transaction:
            ctx.report(
                "risk.pg_concurrently_in_transaction",
                "CONCURRENTLY cannot run inside a transaction block",
                tree,
                "run this statement outside BEGIN ... COMMIT",
            )


RULE = Rule(
    "risk.pg_concurrently_in_transaction",
    Category.RISK,
    Severity.ERROR,
    description="CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction block.",
    example="BEGIN; CREATE INDEX CONCURRENTLY ix ON orders (status); COMMIT",
    dialects=PG,
    risk=RiskLevel.HIGH,
    check_script=check_script,
)
