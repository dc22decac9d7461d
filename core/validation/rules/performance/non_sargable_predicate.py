"""perf.non_sargable_predicate: A function, cast or arithmetic on an indexed column in a predicate keeps the
index from being used.
"""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.kinds import DML, READ
from core.validation.model import Category, Severity
from core.validation.rules import Rule
from core.validation.rules.support_perf import WRAPPERS, indexed_first_columns, predicates


def check(ctx: StatementContext) -> None:
    if ctx.tree is None or ctx.kind not in (READ, DML):
        return
    refs = ctx.column_refs
    seen: set[str] = set()
    for pred in predicates(ctx):
        for side in (pred.this, pred.args.get("expression")):
            if not isinstance(side, WRAPPERS) or isinstance(side, exp.Subquery):
                continue
            for col in side.find_all(exp.Column):
                ref = refs.get(id(col))
                if ref is None or ref.table is None or ref.column is None:
                    continue
                name = ref.column.name.lower()
                if name not in indexed_first_columns(ref.table):
                    continue
                expression_indexes = [c for ix in ref.table.indexes for c in ix.columns if c.startswith("(")]
                if any(name in e.lower() for e in expression_indexes):
                    continue
                key = f"{ref.table.key}.{ref.column.name}"
                if key in seen:
                    continue
                seen.add(key)
                ctx.report(
                    "perf.non_sargable_predicate",
                    f"{side.sql(ctx.dialect.sqlglot)[:60]} wraps the indexed column {key}, so its index cannot be used",
                    side,
                    "compare the bare column (e.g. a range on the column instead of a function of it)",
                )


RULE = Rule(
    "perf.non_sargable_predicate",
    Category.PERFORMANCE,
    Severity.WARNING,
    description=("A function, cast or arithmetic on an indexed column in a predicate keeps the index from being used."),
    example="SELECT id FROM orders WHERE date(ordered_at) = '2025-03-01'",
    check=check,
)
