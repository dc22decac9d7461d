"""risk.resource_exhaustion: A read that makes the server generate or pair an enormous number of rows or bytes:
cross joins of generate_series or of large tables (by the snapshot's row estimates), MariaDB seq_1_to_N
tables, printf/format/array_fill with huge sizes, a recursive CTE with nothing that ends it.
"""

from __future__ import annotations

import math
import re

from sqlglot import exp

from core.domain.schema import Dialect
from core.validation.calls import called_function, literal_numbers
from core.validation.context import StatementContext
from core.validation.kinds import READ
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule

_SEQUENCE_TABLE = re.compile(r"^seq_(\d+)_to_(\d+)(?:_step_(\d+))?$", re.IGNORECASE)


def check(ctx: StatementContext) -> None:
    """Reads that make the server generate or pair an enormous number of rows or bytes."""
    if ctx.kind != READ:
        return
    huge = ctx.settings.huge_literal
    for select in ctx.find_all(exp.Select):
        sizes = [_generated_rows(ctx, source) for source in _from_sources(select)]
        generated = [s for s in sizes if s is not None]
        total = math.prod(generated) if generated else 0
        alone = len(generated) == 1 and not _is_series(select)
        if total >= huge and (len(generated) > 1 or alone):
            ctx.report(
                "risk.resource_exhaustion",
                f"the FROM clause generates about {total:,.0f} rows",
                select,
                "generate fewer rows, or bound them with a WHERE or LIMIT",
            )
    for node in ctx.find_all(exp.Func):
        call = called_function(ctx, node)
        name = call[0].lower() if call else ""
        if name in _BYTE_SIZED:
            numbers = literal_numbers(node)
            if name == "array_fill":
                numbers = [math.prod(literal_numbers(a)) for a in node.expressions if isinstance(a, exp.Array)]
            size = max(numbers, default=0.0)
            if size >= huge:
                ctx.report(
                    "risk.resource_exhaustion",
                    f"{name}() with a size of {size:,.0f} can exhaust the server's memory",
                    node,
                    "use a small size",
                )
    for cte in ctx.find_all(exp.CTE):
        with_ = cte.parent
        if isinstance(with_, exp.With) and with_.args.get("recursive") and _unbounded(cte, ctx.tree):
            ctx.report(
                "risk.resource_exhaustion",
                f"the recursive CTE {cte.alias!r} has no condition that ends the recursion and nothing limits it",
                cte,
                "add a WHERE to its recursive part (e.g. WHERE n < 100) or a LIMIT",
            )


_BYTE_SIZED = {"printf", "format", "array_fill"}


def _is_series(select: exp.Select) -> bool:
    """A single generate_series is judged by its own size rule (risk.dangerous_function)."""
    sources = _from_sources(select)
    return len(sources) == 1 and isinstance(sources[0], exp.GenerateSeries | exp.ExplodingGenerateSeries)


def _from_sources(select: exp.Select) -> list[exp.Expr]:
    from_ = select.args.get("from_") or select.args.get("from")
    sources = [from_.this] if isinstance(from_, exp.From) else []
    for join in select.args.get("joins") or []:
        if join.args.get("on") is None and not join.args.get("using"):
            sources.append(join.this)
    out = []
    for source in sources:
        inner = source.this if isinstance(source, exp.Table) and isinstance(source.this, exp.Func) else source
        out.append(inner.unnest() if isinstance(inner, exp.Expression) else inner)
    return out


def _generated_rows(ctx: StatementContext, source: exp.Expr) -> float | None:
    if isinstance(source, exp.GenerateSeries | exp.ExplodingGenerateSeries):
        numbers = literal_numbers(source)
        return abs(numbers[1] - numbers[0]) + 1 if len(numbers) >= 2 else None
    if isinstance(source, exp.Table) and ctx.dialect is Dialect.MYSQL:
        m = _SEQUENCE_TABLE.match(source.name)
        if m:
            step = int(m.group(3) or 1) or 1
            return abs(int(m.group(2)) - int(m.group(1))) / step + 1
    if isinstance(source, exp.Table):
        estimate = next((r.table.row_estimate for r in ctx.resolution.tables if r.node is source), None)
        return float(estimate) if estimate else None
    return None


def _unbounded(cte: exp.CTE, tree: exp.Expr | None) -> bool:
    body = cte.this
    if not isinstance(body, exp.Union) or tree is None:
        return False
    recursive = body.expression
    if body.args.get("limit") or not isinstance(recursive, exp.Select):
        return False
    if recursive.args.get("where") or recursive.args.get("limit"):
        return False
    return not any(s.args.get("limit") for s in tree.find_all(exp.Select) if s is not recursive)


RULE = Rule(
    "risk.resource_exhaustion",
    Category.RISK,
    Severity.WARNING,
    description=(
        "A read that makes the server generate or pair an enormous number of rows or bytes: cross "
        "joins of generate_series or of large tables (by the snapshot's row estimates), MariaDB "
        "seq_1_to_N tables, printf/format/array_fill with huge sizes, a recursive CTE with "
        "nothing that ends it."
    ),
    example="WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
    risk=RiskLevel.HIGH,
    check=check,
)
