"""risk.always_true_where: A WHERE that is always true (1 = 1, OR TRUE, x = x) limits nothing."""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule


def check(ctx: StatementContext) -> None:
    tree = ctx.tree
    if not isinstance(tree, exp.Update | exp.Delete):
        return
    where = tree.args.get("where")
    if isinstance(where, exp.Where) and always_true(where.this):
        ctx.report(
            "risk.always_true_where",
            f"the WHERE of this {type(tree).__name__.upper()} is always true, so it changes every row",
            where,
            "fix the condition",
        )


def always_true(node: exp.Expr) -> bool:
    """Whether a predicate is true for every row (ignoring NULLs).

    >>> import sqlglot
    >>> always_true(sqlglot.parse_one("1 = 1 OR x = 2"))
    True
    """
    if isinstance(node, exp.Paren):
        return always_true(node.this)
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return float(node.this) != 0
        except ValueError:
            return False
    if isinstance(node, exp.Or):
        return always_true(node.this) or always_true(node.expression)
    if isinstance(node, exp.And):
        return always_true(node.this) and always_true(node.expression)
    if isinstance(node, exp.Not):
        inner = node.this.this if isinstance(node.this, exp.Paren) else node.this
        return isinstance(inner, exp.Boolean) and not inner.this
    if isinstance(node, exp.EQ | exp.GTE | exp.LTE | exp.NullSafeEQ) and _same_column(node.this, node.expression):
        return True
    if isinstance(node, exp.EQ | exp.GTE | exp.LTE | exp.NullSafeEQ):
        return node.this == node.expression and not any(isinstance(n, exp.Func) for n in node.walk())
    if isinstance(node, exp.GT | exp.LT | exp.NEQ) and _numbers(node) is not None:
        left, right = _numbers(node) or (0.0, 0.0)
        return (
            (left > right)
            if isinstance(node, exp.GT)
            else (left < right)
            if isinstance(node, exp.LT)
            else left != right
        )
    if isinstance(node, exp.Like) and isinstance(node.expression, exp.Literal):
        return bool(node.expression.this == "%")
    return False


def _name(ident: exp.Expr | None) -> str | None:
    """A name as the database compares it: quoted names exactly, unquoted ones case-insensitively."""
    if not isinstance(ident, exp.Identifier):
        return None
    name = str(ident.this)
    return name if ident.quoted else name.lower()


def _same_column(a: exp.Expr, b: exp.Expr) -> bool:
    """``id = id``, ``ID = "id"``, ``orders.id = id``: a column compared with itself."""
    if not isinstance(a, exp.Column) or not isinstance(b, exp.Column):
        return False
    if _name(a.this) is None or _name(a.this) != _name(b.this):
        return False
    qa, qb = _name(a.args.get("table")), _name(b.args.get("table"))
    return qa is None or qb is None or qa == qb


def _numbers(node: exp.Expr) -> tuple[float, float] | None:
    left, right = node.args.get("this"), node.args.get("expression")
    if not all(isinstance(x, exp.Literal) and not x.is_string for x in (left, right)):
        return None
    try:
        return float(left.this), float(right.this)  # type: ignore[union-attr]
    except ValueError:
        return None


RULE = Rule(
    "risk.always_true_where",
    Category.RISK,
    Severity.WARNING,
    description="A WHERE that is always true (1 = 1, OR TRUE, x = x) limits nothing.",
    example="DELETE FROM orders WHERE 1 = 1 OR id = 5",
    risk=RiskLevel.HIGH,
    check=check,
)
