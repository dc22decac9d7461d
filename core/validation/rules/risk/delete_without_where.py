"""risk.delete_without_where: DELETE without WHERE removes every row."""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    tree = ctx.tree
    if isinstance(tree, exp.Delete) and tree.args.get("where") is None and not _limited(tree):
        ctx.report(
            "risk.delete_without_where",
            f"DELETE without WHERE changes every row of {tree.this.sql(ctx.dialect.sqlglot)}",
            tree,
            "add a WHERE clause, or confirm that every row is meant",
        )


def _limited(tree: exp.Update | exp.Delete) -> bool:
    return bool(
        tree.args.get("from_")
        or tree.args.get("from")
        or tree.args.get("using")
        or (isinstance(tree.this, exp.Table) and tree.this.args.get("joins"))
    )


RULE = Rule(
    "risk.delete_without_where",
    Category.RISK,
    Severity.WARNING,
    description="DELETE without WHERE removes every row.",
    example="DELETE FROM payments",
    risk=RiskLevel.HIGH,
    check=check,
)
