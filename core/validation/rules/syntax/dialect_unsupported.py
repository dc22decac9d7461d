"""syntax.dialect_unsupported: A construct the connection's database does not have (ILIKE or :: casts outside
PostgreSQL, DISTINCT ON, FULL JOIN or NULLS FIRST in MySQL, ...).
"""

from __future__ import annotations

from sqlglot import exp

from core.domain.schema import Dialect
from core.validation.context import StatementContext
from core.validation.model import Category, Severity
from core.validation.rules import Rule
from core.validation.rules.support import report_issues


def check(ctx: StatementContext) -> None:
    report_issues(ctx, "syntax.dialect_unsupported")
    if ctx.tree is None or ctx.dialect is Dialect.POSTGRESQL:
        return
    name = "MySQL" if ctx.dialect is Dialect.MYSQL else "SQLite"
    for node in ctx.find_all(exp.ILike):
        ctx.report(
            "syntax.dialect_unsupported",
            f"ILIKE does not exist in {name}",
            node,
            "use LIKE (case-insensitive under the default collation) or LOWER(x) LIKE LOWER(y)"
            if ctx.dialect is Dialect.MYSQL
            else "use LIKE (case-insensitive for ASCII in SQLite)",
        )
    for node in ctx.find_all(exp.Distinct):
        if node.args.get("on") is not None:
            ctx.report(
                "syntax.dialect_unsupported",
                f"DISTINCT ON does not exist in {name}",
                node,
                "use a window function: ROW_NUMBER() OVER (PARTITION BY ...) = 1",
            )
    if ctx.dialect is Dialect.MYSQL:
        _mysql(ctx, ctx.tree)


def _mysql(ctx: StatementContext, tree: exp.Expr) -> None:
    for node in ctx.find_all(exp.Join):
        if str(node.args.get("side") or "").upper() == "FULL":
            ctx.report(
                "syntax.dialect_unsupported", "MySQL has no FULL OUTER JOIN", node, "UNION a LEFT JOIN and a RIGHT JOIN"
            )
    for node in ctx.find_all(exp.Filter):
        ctx.report(
            "syntax.dialect_unsupported",
            "MySQL has no FILTER (WHERE ...) on aggregates",
            node,
            "use SUM(CASE WHEN ... THEN 1 ELSE 0 END)",
        )
    returning = tree.find(exp.Returning)
    if returning is not None and not (ctx.index.mariadb and not isinstance(tree, exp.Update)):
        ctx.report(
            "syntax.dialect_unsupported",
            "RETURNING is not supported here (MySQL has none; MariaDB only on INSERT, REPLACE and DELETE)",
            returning,
            "read the rows back with a SELECT",
        )


RULE = Rule(
    "syntax.dialect_unsupported",
    Category.SYNTAX,
    Severity.ERROR,
    description=(
        "A construct the connection's database does not have (ILIKE or :: casts outside "
        "PostgreSQL, DISTINCT ON, FULL JOIN or NULLS FIRST in MySQL, ...)."
    ),
    example="SELECT id FROM customers WHERE email ILIKE '%@example.com'  -- MySQL",
    check=check,
)
