"""perf.null_comparison: `= NULL` / `<> NULL` is never true; use IS NULL / IS NOT NULL."""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.kinds import DML, READ
from core.validation.model import Category, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    if ctx.tree is None or ctx.kind not in (READ, DML):
        return
    for node in ctx.find_all(exp.EQ, exp.NEQ):
        if isinstance(node.expression, exp.Null) or isinstance(node.this, exp.Null):
            op = "=" if isinstance(node, exp.EQ) else "<>"
            fix = "IS NULL" if op == "=" else "IS NOT NULL"
            if node.find_ancestor(exp.Update) is not None and isinstance(node.parent, exp.Update):
                continue  # SET col = NULL is an assignment
            ctx.report("perf.null_comparison", f"'{op} NULL' is never true", node, f"use {fix}")


RULE = Rule(
    "perf.null_comparison",
    Category.PERFORMANCE,
    Severity.WARNING,
    description="`= NULL` / `<> NULL` is never true; use IS NULL / IS NOT NULL.",
    example="SELECT id FROM orders WHERE shipped_at = NULL",
    check=check,
)
