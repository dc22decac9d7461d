"""`sqldraft examples list|add|remove`: the library of approved question -> SQL examples."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.cli.context import Context, add_command, add_group
from core.cli.inputs import cli_principal, read_sql_argument
from core.cli.render import render_examples


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    examples = add_group(subparsers, "examples", "the library of approved examples", common)
    p = add_command(examples, "list", cmd_examples_list, "list examples", common)
    p.add_argument("connection", nargs="?")
    p.add_argument("--status", help="active (default), stale, rejected-by-policy, removed or all")
    p = add_command(examples, "add", cmd_examples_add, "add an example by hand (it must validate)", common)
    p.add_argument("connection")
    p.add_argument("--request", required=True, help="the plain-language request")
    p.add_argument("--sql", metavar="TEXT")
    p.add_argument("--file", metavar="FILE")
    p.add_argument("--mode", default="query")
    p.add_argument("--negative", action="store_true", help="an example of what not to do")
    p.add_argument("--note", help="why (for a negative example)")
    p = add_command(examples, "remove", cmd_examples_remove, "remove an example", common)
    p.add_argument("id", type=int)


def cmd_examples_list(ctx: Context) -> int:
    items = ctx.copilot.list_examples(ctx.args.connection, ctx.args.status)
    ctx.emit([e.to_dict() for e in items], lambda: render_examples(items))
    return 0


def cmd_examples_add(ctx: Context) -> int:
    args = ctx.args
    sql = read_sql_argument(args.sql, args.file, sys.stdin)
    info = ctx.copilot.add_example(
        args.connection,
        args.request,
        sql,
        principal=cli_principal(),
        mode=args.mode,
        negative=args.negative,
        note=args.note,
    )
    ctx.emit(info.to_dict(), f"added example #{info.id} to {info.connection}")
    return 0


def cmd_examples_remove(ctx: Context) -> int:
    info = ctx.copilot.remove_example(ctx.args.id, principal=cli_principal())
    ctx.emit(info.to_dict(), f"removed example #{info.id}")
    return 0
