"""risk.locking_read: A locking read (FOR UPDATE/SHARE, LOCK IN SHARE MODE) or LOCK TABLE blocks other sessions."""

from __future__ import annotations

from sqlglot import exp

from core.validation.context import StatementContext
from core.validation.kinds import LOCK
from core.validation.model import Category, RiskLevel, ScriptMode, Severity
from core.validation.rules import Rule
from core.validation.rules.support import mode_applies, query_violation


def check(ctx: StatementContext) -> None:
    recognised = any(c.detail.get("recognised") for c in ctx.changes)  # risk.lock_table judges it
    if mode_applies(ctx) and not query_violation(ctx, "risk.locking_read") and ctx.kind == LOCK and not recognised:
        ctx.report(
            "risk.locking_read", f"{ctx.type.upper()} takes table locks that block other sessions", ctx.statement.start
        )
    query_mode = ctx.mode is ScriptMode.QUERY
    for select in ctx.find_all(exp.Select):
        for lock in select.args.get("locks") or []:
            kind = "FOR UPDATE" if lock.args.get("update") else "FOR SHARE"
            ctx.report(
                "risk.locking_read",
                f"SELECT ... {kind} locks the rows it reads",
                lock,
                "remove the locking clause for a plain read",
                severity=Severity.ERROR if query_mode else Severity.WARNING,
            )


RULE = Rule(
    "risk.locking_read",
    Category.RISK,
    Severity.WARNING,
    description=("A locking read (FOR UPDATE/SHARE, LOCK IN SHARE MODE) or LOCK TABLE blocks other sessions."),
    example="SELECT * FROM orders WHERE id = 1 FOR UPDATE",
    risk=RiskLevel.HIGH,
    check=check,
)
