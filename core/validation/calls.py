"""Function calls as written: the name the user called (quotes and escapes decoded), and sizes of arguments."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlglot import exp

if TYPE_CHECKING:
    from core.validation.context import StatementContext

FILE_FUNCTIONS = {
    "pg_read_file",
    "pg_read_binary_file",
    "pg_ls_dir",
    "pg_stat_file",
    "pg_ls_logdir",
    "pg_ls_waldir",
    "pg_ls_tmpdir",
    "pg_ls_archive_statusdir",
    "pg_ls_logicalsnapdir",
    "pg_ls_logicalmapdir",
    "pg_ls_replslotdir",
    "lo_import",
    "lo_export",
    "lo_from_bytea",
    "lo_put",
    "lo_create",
    "lo_creat",
    "lo_unlink",
    "lo_open",
    "lowrite",
    "loread",
    "lo_get",
    "pg_file_write",
    "pg_file_rename",
    "pg_file_unlink",
    "pg_logdir_ls",
    "pg_file_sync",
    "load_file",
    "readfile",
    "writefile",
    "load_extension",
    "edit",
    "fts3_tokenizer",
}

# Generators whose size argument can exhaust memory or CPU when it is a huge literal.
SIZE_ARGUMENT = {"repeat": 1, "rpad": 1, "lpad": 1, "randomblob": 0, "zeroblob": 0, "space": 0}


def function_name(node: exp.Expr) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return ""


NAME = re.compile(r'^(?:[A-Za-z_\u0080-\U0010ffff][\w$\u0080-\U0010ffff]*|"(?:[^"]|"")+"|`(?:[^`]|``)+`)$')


def called_function(ctx: StatementContext, node: exp.Func) -> tuple[str, str | None, bool] | None:
    """(name as called, schema qualifier, quoted) of a function call; None for a syntax form (CAST, EXTRACT).

    The name is read from the statement's (normalised) text where the parser found the call, not from
    sqlglot's own function class, so ``strpos`` stays ``strpos`` and ``"PG_SLEEP"`` keeps its quotes.
    """
    start, end = node.meta.get("start"), node.meta.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    text = ctx.script.sql[start : end + 1]
    if not NAME.match(text):
        return None
    quoted = text[:1] in ('"', "`")
    name = text[1:-1].replace(text[0] * 2, text[0]) if quoted else text
    schema = None
    parent = node.parent
    if isinstance(parent, exp.Dot) and parent.expression is node:
        schema = parent.this.name if isinstance(parent.this, exp.Expression) else None
    return name, schema or None, quoted


def literal_numbers(node: exp.Expr) -> list[float]:
    numbers = []
    for arg in node.iter_expressions():
        if isinstance(arg, exp.Literal) and not arg.is_string:
            try:
                numbers.append(float(arg.this))
            except ValueError:
                continue
    return numbers
