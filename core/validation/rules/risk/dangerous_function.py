"""risk.dangerous_function: A function on the dialect's dangerous list: side effects on the server, files,
network, sessions, replication or statistics, locks and sleeps, or SQL given as text (dblink, set_config,
pg_sleep, SLEEP, BENCHMARK, advisory and named locks, nextval, query_to_xml, ts_stat, pg_stat_reset,
MASTER_GTID_WAIT, load_extension); also huge generate_series/repeat arguments.
"""

from __future__ import annotations

from sqlglot import exp

from core.domain.schema import Dialect
from core.validation.calls import FILE_FUNCTIONS, SIZE_ARGUMENT, called_function, literal_numbers
from core.validation.context import StatementContext
from core.validation.functions import FunctionClass, FunctionVerdict, judge_function
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule
from core.validation.rules.support import strict_in_query


def check(ctx: StatementContext) -> None:
    for node in ctx.find_all(exp.Func):
        if isinstance(node, exp.ExplodingGenerateSeries | exp.GenerateSeries):
            _huge(ctx, node, "generate_series")
            continue
        verdict = verdict_of(ctx, node)
        if verdict is None:
            continue
        shown, judged = verdict
        if judged.cls is FunctionClass.DANGEROUS:
            ctx.report(
                "risk.dangerous_function",
                f"{shown}() has side effects or can stall the server ({judged.reason})",
                node,
                "leave it out of the draft",
                risk=RiskLevel.CRITICAL,
                severity=Severity.ERROR,
            )
        elif judged.name.lower() in SIZE_ARGUMENT:
            _huge(ctx, node, judged.name.lower())


def verdict_of(ctx: StatementContext, node: exp.Func) -> tuple[str, FunctionVerdict] | None:
    """(name as shown, verdict) for a call, None for a syntax form or a file function (risk.file_access)."""
    call = called_function(ctx, node)
    if call is None:
        return None
    name, schema, quoted = call
    folded = name if quoted and ctx.dialect is Dialect.POSTGRESQL else name.lower()
    if folded in FILE_FUNCTIONS:
        return None
    judged = judge_function(
        ctx.dialect, name, schema, ctx.index.model.functions, ctx.settings.safe_functions, quoted=quoted
    )
    return (f"{schema}.{name}" if schema else name), judged


def _huge(ctx: StatementContext, node: exp.Func, name: str) -> None:
    numbers = literal_numbers(node)
    if isinstance(node, exp.ExplodingGenerateSeries | exp.GenerateSeries):
        size = abs(numbers[1] - numbers[0]) if len(numbers) >= 2 else 0.0
    else:
        size = max(numbers, default=0.0)
    if size >= ctx.settings.huge_literal:
        ctx.report(
            "risk.dangerous_function",
            f"{name}() with a size of {size:,.0f} can exhaust the server's memory or CPU",
            node,
            severity=strict_in_query(ctx),
        )


RULE = Rule(
    "risk.dangerous_function",
    Category.RISK,
    Severity.ERROR,
    description=(
        "A function on the dialect's dangerous list: side effects on the server, files, network, "
        "sessions, replication or statistics, locks and sleeps, or SQL given as text (dblink, "
        "set_config, pg_sleep, SLEEP, BENCHMARK, advisory and named locks, nextval, query_to_xml, "
        "ts_stat, pg_stat_reset, MASTER_GTID_WAIT, load_extension); also huge "
        "generate_series/repeat arguments. Names are compared after decoding escapes and quotes, "
        'so U&"pg\\005fsleep" is pg_sleep.'
    ),
    example="SELECT pg_sleep(600)",
    risk=RiskLevel.CRITICAL,
    check=check,
)
