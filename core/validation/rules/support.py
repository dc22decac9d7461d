"""Helpers the rule modules share: the mode expectations and reporting a stage's issues."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from core.validation.kinds import DDL, DML, DYNAMIC, FILE, LOCK, MAINTENANCE, PRIVILEGE, READ, SESSION, TRANSACTION
from core.validation.model import RiskLevel, ScriptMode, Severity

if TYPE_CHECKING:
    from core.validation.context import StatementContext
    from core.validation.schema_changes import Change

QUERY_MODE = {
    DML: ("risk.write_in_query", "changes data"),
    DDL: ("risk.write_in_query", "changes the schema"),
    PRIVILEGE: ("risk.privilege_change", "changes privileges or roles"),
    SESSION: ("risk.session_change", "changes session state"),
    TRANSACTION: ("risk.transaction_control", "controls the transaction"),
    LOCK: ("risk.locking_read", "takes table locks"),
    DYNAMIC: ("risk.dynamic_sql", "runs dynamic or procedural SQL that cannot be checked"),
    MAINTENANCE: ("risk.maintenance", "is a maintenance or server command"),
    FILE: ("risk.file_access", "reads or writes files on the database server"),
}
"""In a query, each kind of statement that is not a read is reported by one rule."""


def article(word: str) -> str:
    return f"an {word}" if word[:1].upper() in "AEIOU" else f"a {word}"


def mode_applies(ctx: StatementContext) -> bool:
    """Whether the mode rules judge this statement (Copy and Attach get findings that say what they touch)."""
    if not ctx.classified:
        return False
    return not (ctx.kind == FILE and ctx.tree is not None)


def query_violation(ctx: StatementContext, rule_id: str) -> bool:
    """In query mode, report a statement of a kind other than read under its rule; True if in query mode."""
    if ctx.mode is not ScriptMode.QUERY:
        return False
    if ctx.kind != READ and QUERY_MODE[ctx.kind][0] == rule_id:
        what = QUERY_MODE[ctx.kind][1]
        ctx.report(
            rule_id,
            f"{article(ctx.type.upper())} statement {what}, but the request is a read-only query",
            ctx.statement.start,
            "ask for a dml or ddl draft if a change is intended",
            severity=Severity.ERROR,
        )
    return True


def report_issues(ctx: StatementContext, rule_id: str) -> None:
    """Report what the lex and parse stages found for ``rule_id``; statements they block fail closed in a query."""
    from core.validation.context import BLOCKING

    for issue in ctx.issues_of(rule_id):
        severity = risk = None
        if rule_id == "syntax.parse_error" and ctx.mode is ScriptMode.QUERY:
            risk = RiskLevel.HIGH
        elif rule_id in BLOCKING and rule_id != "syntax.parse_error":
            severity = Severity.ERROR if ctx.mode is ScriptMode.QUERY else Severity.WARNING
        ctx.report(rule_id, issue.message, issue.offset, issue.suggestion, severity=severity, risk=risk)


def strict_in_query(ctx: StatementContext) -> Severity:
    """An error in a query, a warning in a change script."""
    return Severity.ERROR if ctx.mode is ScriptMode.QUERY else Severity.WARNING


def is_star(e: exp.Expr) -> bool:
    return isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star))


def report_every_row(ctx: StatementContext, kind: type[exp.Update | exp.Delete], rule_id: str) -> None:
    """An UPDATE or DELETE with no WHERE that nothing else limits changes every row of its table."""
    tree = ctx.tree
    if isinstance(tree, kind) and tree.args.get("where") is None and not _limited(tree):
        ctx.report(
            rule_id,
            f"{kind.__name__.upper()} without WHERE changes every row of {tree.this.sql(ctx.dialect.sqlglot)}",
            tree,
            "add a WHERE clause, or confirm that every row is meant",
        )


def _limited(tree: exp.Update | exp.Delete) -> bool:
    """A multi-table UPDATE/DELETE whose joins say ON or USING changes only the joined rows.

    FROM or USING alone does not limit anything: with no WHERE, every row is paired with the other table.
    """
    joins = tree.this.args.get("joins") if isinstance(tree.this, exp.Table) else None
    return bool(joins) and all(j.args.get("on") is not None or j.args.get("using") for j in joins or [])


def sets_setting(tree: exp.Expr | None, name: str) -> bool:
    """Whether a SET statement assigns the named setting (read from the tree, not the text)."""
    if not isinstance(tree, exp.Set):
        return False
    for item in tree.expressions:
        target = item.this.this if isinstance(item, exp.SetItem) and isinstance(item.this, exp.EQ) else None
        if isinstance(target, exp.Column | exp.Identifier) and target.name.lower() == name:
            return True
    return False


def rows_note(change: Change) -> str:
    """What only a snapshot knows about the table: ' (about N rows)', or '' when unknown."""
    rows = change.table.row_estimate if change.table is not None and not change.presumed else None
    return f" (about {rows:,} rows)" if rows is not None and rows > 0 else ""
