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
    """A multi-table UPDATE/DELETE whose joins say ON or USING changes only the joined rows.

    FROM or USING alone does not limit anything: with no WHERE, every row is paired with the other table.
    """
    joins = tree.this.args.get("joins") if isinstance(tree.this, exp.Table) else None
    return bool(joins) and all(j.args.get("on") is not None or j.args.get("using") for j in joins or [])


RULE = Rule(
    "risk.update_without_where",
    Category.RISK,
    Severity.WARNING,
    description="UPDATE without WHERE changes every row.",
    example="UPDATE products SET active = 0",
    risk=RiskLevel.HIGH,
    check=check,
)
