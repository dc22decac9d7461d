"""Ask MariaDB/MySQL how it reads a text, without running it: the binary protocol's COM_STMT_PREPARE.

The text travels alone as the payload of the prepare command (never pasted into another statement,
never sent with COM_QUERY) and the statement is closed again with COM_STMT_CLOSE: it is never
executed. The server drops trailing ``;`` and whitespace from the text (sql_parse.cc alloc_query), then
prepares exactly one statement: a text holding a second one is refused with a
syntax error (1064) at the second one, which :func:`second_statement_at` recognises.
"""

from __future__ import annotations

import re

import pymysql

from core.validation import mysql_protocol
from core.validation.mysql_protocol import Prepared

__all__ = ["Prepared", "check_connection", "error_offset", "near", "prepare", "second_statement_at"]

_NEAR = re.compile(r"near '(?P<rest>.*)' at line \d+\Z", re.DOTALL)

_DROPPED = " \t\n\r\f\v;"
"""What the server drops from the end of a text before it reads it (sql_parse.cc alloc_query)."""


def check_connection(conn: pymysql.connections.Connection) -> None:
    """The packet reading relies on the classic protocol: no multi-statements, EOF packets on."""
    problem = mysql_protocol.protocol_problem(conn)
    if problem is not None:
        raise RuntimeError(problem)


def prepare(conn: pymysql.connections.Connection, sql: str) -> Prepared:
    """COM_STMT_PREPARE ``sql`` through the product's own protocol code. Never executed."""
    return mysql_protocol.prepare(conn, sql.encode("utf-8"))


def near(result: Prepared) -> str | None:
    """The text after the error position of a syntax error (1064), as the server quotes it."""
    m = _NEAR.search(result.message)
    return m.group("rest") if result.code == 1064 and m else None


def error_offset(sql: str, result: Prepared) -> int | None:
    """Where in ``sql`` a syntax error is, from the text the server quotes after it (None: not known).

    The server quotes the rest of the text it read (without the dropped end), cut to 77 bytes and
    "..." when longer; a cut quote that fits several places gives the last of them.
    """
    rest = near(result)
    if rest is None:
        return None
    encoded = sql.rstrip(_DROPPED).encode("utf-8")
    quoted = rest.encode("utf-8")
    if encoded.endswith(quoted):
        at = len(encoded) - len(quoted)
    elif quoted.endswith(b"...") and (places := [m.start() for m in re.finditer(re.escape(quoted[:-3]), encoded)]):
        at = places[-1]
    else:
        return None
    return len(encoded[:at].decode("utf-8", "ignore"))


def second_statement_at(conn: pymysql.connections.Connection, sql: str, result: Prepared) -> int | None:
    """Where the server ended a first statement, when ``result`` refuses ``sql`` for holding a second one.

    The server reads one statement and the ``;`` that ends it, then reports a syntax error at the first
    token of what follows. So the refusal is about a second statement exactly when some ``;`` before the
    error position is one the server ends a statement at and something other than comments follows it.
    The server says which ``;`` those are: the text up to it prepares (closing an executable comment it
    may be in), and with a select item added after it (on a new line, which ends any ``--`` or ``#``
    comment the ``;`` might be in) it no longer does. Returns that ``;``'s offset.

    Only sound for texts made of select lists and comments, like the ones these tests build.
    """
    if result.ok:
        return None
    at = error_offset(sql, result)
    bound = len(sql) if at is None else at
    for k in range(bound - 1, -1, -1):
        if sql[k] != ";":
            continue
        for closer in ("", " */"):
            head = sql[: k + 1] + closer
            if prepare(conn, head).ok and not prepare(conn, head + "\n, 1").ok:
                if not _empty(conn, sql[k + 1 :]):
                    return k
                break
    return None


def _empty(conn: pymysql.connections.Connection, rest: str, depth: int = 0) -> bool:
    """Whether the text after a statement's ``;`` holds only more ``;``, whitespace and comments.

    MariaDB prepares ``SELECT 1;;`` (it drops trailing ``;`` and whitespace before reading a text) but
    refuses ``SELECT 1;;/**/`` at the second ``;``: an empty statement, not a hidden one. Semicolons and
    whitespace right after a ``;`` are tokens of their own; a text of comments prepares as a statement
    with no columns and no parameters (so does ``DO 1``, which these tests never write); a text of
    comments followed by ``;`` and more is refused at that ``;``, and what follows is looked at again.
    """
    rest = rest.lstrip(" \t\n\r\f\v;")
    if not rest:
        return True
    got = prepare(conn, rest)
    if got.ok:
        return not got.columns and not got.params
    at = error_offset(rest, got)
    if at is None or depth > 8 or rest[at] != ";":
        return False
    head = prepare(conn, rest[:at])
    return head.ok and not head.columns and not head.params and _empty(conn, rest[at + 1 :], depth + 1)
