"""risk.pg_missing_lock_timeout: A migration that takes strong locks without SET lock_timeout first can queue
behind a long query and block everything behind it.
"""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.model import Access, Category, RiskLevel, Severity
from core.validation.rules import PG, Rule


def check_script(ctxs: list[StatementContext]) -> None:
    lock_timeout = False
    for ctx in ctxs:
        tree = ctx.tree
        if isinstance(tree, exp.Set) and _sets(tree, "lock_timeout"):
            lock_timeout = True
        takes_lock = isinstance(tree, exp.Alter | exp.Drop | exp.TruncateTable) or (
            isinstance(tree, exp.Create)
            and str(tree.args.get("kind")).upper() == "INDEX"
            and not tree.args.get("concurrently")
        )
        if not takes_lock or lock_timeout:
            continue
        existing = {t.key for t in ctx.index.model.tables}
        touches_existing = any(
            o.access in (Access.DDL, Access.WRITE) and o.type == "table" and o.name in existing for o in ctx.impacted
        )
        if touches_existing:
            ctx.report(
                "risk.pg_missing_lock_timeout",
                "this migration takes strong locks without SET lock_timeout first",
                tree,
                "start with SET lock_timeout = '5s' so it gives up instead of blocking others",
            )
            return


def _sets(tree: exp.Set, name: str) -> bool:
    """Whether a SET statement assigns the named setting (read from the tree, not the text)."""
    for item in tree.expressions:
        target = item.this.this if isinstance(item, exp.SetItem) and isinstance(item.this, exp.EQ) else None
        if isinstance(target, exp.Column | exp.Identifier) and target.name.lower() == name:
            return True
    return False


RULE = Rule(
    "risk.pg_missing_lock_timeout",
    Category.RISK,
    Severity.WARNING,
    description=(
        "A migration that takes strong locks without SET lock_timeout first can queue behind a "
        "long query and block everything behind it."
    ),
    example="ALTER TABLE orders ADD COLUMN note text",
    dialects=PG,
    risk=RiskLevel.MEDIUM,
    check_script=check_script,
)
