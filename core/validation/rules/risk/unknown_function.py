"""risk.unknown_function: In a query, a function that is not on the dialect's allowlist of side-effect-free
built-ins and is not a user function the snapshot records as immutable/stable (PostgreSQL) or NO SQL / READS
SQL DATA (MySQL): unknown means unsafe.
"""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.functions import FunctionClass
from core.validation.model import Category, RiskLevel, ScriptMode, Severity
from core.validation.rules import Rule
from core.validation.rules.risk.dangerous_function import verdict_of


def check(ctx: StatementContext) -> None:
    if ctx.mode is not ScriptMode.QUERY:
        return
    for node in ctx.find_all(exp.Func):
        verdict = verdict_of(ctx, node)
        if verdict is None:
            continue
        shown, judged = verdict
        if judged.cls in (FunctionClass.VOLATILE, FunctionClass.UNKNOWN):
            ctx.report(
                "risk.unknown_function",
                f"{shown}() is not known to be free of side effects ({judged.reason})",
                node,
                "use a built-in function, or add it to the connection's safe functions "
                "(sqldraft connections set NAME --safe-functions ...) if it only reads",
            )


RULE = Rule(
    "risk.unknown_function",
    Category.RISK,
    Severity.WARNING,
    description=(
        "In a query, a function that is not on the dialect's allowlist of side-effect-free "
        "built-ins and is not a user function the snapshot records as immutable/stable "
        "(PostgreSQL) or NO SQL / READS SQL DATA (MySQL): unknown means unsafe. Extend the list "
        "per connection with --safe-functions."
    ),
    example="SELECT audit_and_return(id) FROM orders",
    risk=RiskLevel.HIGH,
    check=check,
)
