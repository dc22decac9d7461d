"""risk.write_in_query: A statement that changes data, schema or privileges in a script requested as a read-only
query.
"""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, ScriptMode, Severity
from core.validation.rules import Rule
from core.validation.rules.support import mode_applies, query_violation


def check(ctx: StatementContext) -> None:
    if mode_applies(ctx):
        query_violation(ctx, "risk.write_in_query")
    tree = ctx.tree
    if isinstance(tree, exp.Copy) and ctx.mode is ScriptMode.QUERY:
        files = tree.args.get("files") or []
        endpoints = [f for f in files if not (isinstance(f, exp.Identifier) and f.this.upper() in ("STDIN", "STDOUT"))]
        if tree.args.get("kind") and not endpoints:
            ctx.report(
                "risk.write_in_query", "COPY ... FROM STDIN loads rows into a table", tree, severity=Severity.ERROR
            )


RULE = Rule(
    "risk.write_in_query",
    Category.RISK,
    Severity.ERROR,
    description=("A statement that changes data, schema or privileges in a script requested as a read-only query."),
    example="DELETE FROM orders WHERE id = 1  -- mode query",
    risk=RiskLevel.CRITICAL,
    check=check,
)
