"""perf.select_star: SELECT * reads every column and breaks when columns change; name the columns."""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.kinds import DML, READ
from core.validation.model import Category, Severity
from core.validation.rules import Rule
from core.validation.rules.support import is_star


def check(ctx: StatementContext) -> None:
    if ctx.tree is None or ctx.kind not in (READ, DML):
        return
    for select in ctx.find_all(exp.Select):
        if select.find_ancestor(exp.Exists) is not None:
            continue
        for e in select.expressions:
            if is_star(e):
                ctx.report(
                    "perf.select_star",
                    "SELECT * reads every column; name the columns you need",
                    e,
                    "list the columns explicitly",
                )
                return


RULE = Rule(
    "perf.select_star",
    Category.PERFORMANCE,
    Severity.WARNING,
    description="SELECT * reads every column and breaks when columns change; name the columns.",
    example="SELECT * FROM orders",
    check=check,
)
