"""perf.large_offset: A large OFFSET still reads and discards every skipped row; use keyset pagination."""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.kinds import DML, READ
from core.validation.model import Category, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    if ctx.tree is None or ctx.kind not in (READ, DML):
        return
    for node in ctx.find_all(exp.Offset):
        value = node.expression
        if isinstance(value, exp.Literal) and not value.is_string:
            try:
                number = int(value.this)
            except ValueError:
                continue
            if number >= ctx.settings.large_offset:
                ctx.report(
                    "perf.large_offset",
                    f"OFFSET {number} reads and discards {number} rows",
                    node,
                    "paginate by key (WHERE id > last_seen ORDER BY id LIMIT n)",
                )


RULE = Rule(
    "perf.large_offset",
    Category.PERFORMANCE,
    Severity.WARNING,
    description="A large OFFSET still reads and discards every skipped row; use keyset pagination.",
    example="SELECT id FROM orders ORDER BY id LIMIT 50 OFFSET 100000",
    check=check,
)
