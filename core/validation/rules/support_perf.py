"""What the performance rules share: which nodes compare, which wrap a column, what an index starts with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from core.domain.schema import Table

if TYPE_CHECKING:
    from core.validation.context import StatementContext

COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.In, exp.Between, exp.Like, exp.ILike)
WRAPPERS = (exp.Func, exp.Cast, exp.TryCast, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.DPipe)


def indexed_first_columns(table: Table) -> set[str]:
    return {ix.columns[0].lower() for ix in table.indexes if ix.columns} | (
        {table.primary_key[0].lower()} if table.primary_key else set()
    )


def predicates(ctx: StatementContext) -> list[exp.Expr]:
    out: list[exp.Expr] = []
    for container in ctx.find_all(exp.Where, exp.Join):
        cond = container.this if isinstance(container, exp.Where) else container.args.get("on")
        if isinstance(cond, exp.Expression):
            out.extend(n for n in cond.walk() if isinstance(n, COMPARISONS))
    return out
