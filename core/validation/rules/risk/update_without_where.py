"""risk.update_without_where: UPDATE without WHERE changes every row."""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    tree = ctx.tree
    if isinstance(tree, exp.Update) and tree.args.get("where") is None and not _limited(tree):
        ctx.report(
            "risk.update_without_where",
            f"UPDATE without WHERE changes every row of {tree.this.sql(ctx.dialect.sqlglot)}",
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
    "risk.update_without_where",
    Category.RISK,
    Severity.WARNING,
    description="UPDATE without WHERE changes every row.",
    example="UPDATE products SET active = 0",
    risk=RiskLevel.HIGH,
    check=check,
)
