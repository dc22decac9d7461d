"""`sqldraft validate`: check SQL against a snapshot or a dialect (exit 1 when it fails, for CI)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.cli.context import Context, add_command
from core.cli.inputs import read_sql_argument
from core.textfmt import render_validation
from core.validation.model import Status


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        subparsers,
        "validate",
        cmd_validate,
        "validate SQL against a connection's snapshot (exit 1 when it fails)",
        common,
    )
    p.add_argument("connection", nargs="?", help="the connection whose snapshot to check against")
    p.add_argument("--sql", metavar="TEXT", help="the SQL text")
    p.add_argument("--file", metavar="FILE", help="a file of SQL, or - for standard input")
    p.add_argument("--mode", default="query", help="query (default), dml or ddl: what the script is meant to do")
    p.add_argument(
        "--dialect", metavar="D", help="postgresql, mysql or sqlite: check syntax and risk without a connection"
    )
    p.add_argument(
        "--server-check", action="store_true", help="also let the database prepare each statement (nothing is executed)"
    )


def cmd_validate(ctx: Context) -> int:
    args = ctx.args
    sql = read_sql_argument(args.sql, args.file, sys.stdin)
    result = ctx.copilot.validate(
        sql, connection=args.connection, dialect=args.dialect, mode=args.mode, server_check=args.server_check
    )
    ctx.emit(result.to_dict(), lambda: render_validation(result))
    return 1 if result.status is Status.FAIL else 0
