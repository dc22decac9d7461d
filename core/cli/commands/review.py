"""`sqldraft review ID approve|reject|edit|reopen`: record a human decision on a draft."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.cli.context import Context, add_command
from core.cli.inputs import cli_principal, read_sql_argument
from core.cli.render import render_review
from core.errors import Forbidden, InvalidInput


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        subparsers, "review", cmd_review, "approve, reject or edit a draft (or reopen a decided one)", common
    )
    p.add_argument("id", help="the draft id")
    p.add_argument("decision", choices=["approve", "reject", "edit", "reopen"])
    p.add_argument("--note", help="why (kept in the trail; a rejection's note teaches later drafts)")
    p.add_argument("--sql", metavar="TEXT", help="edit: the final script")
    p.add_argument("--file", metavar="FILE", help="edit: a file with the final script, or - for standard input")
    p.add_argument(
        "--allow-invalid", action="store_true", help="edit: save the final script even if it has error findings"
    )
    p.add_argument(
        "--override",
        action="store_true",
        help="approve a script that failed validation or has critical risk anyway (needs --note; recorded)",
    )


def cmd_review(ctx: Context) -> int:
    args = ctx.args
    if args.decision == "reopen":
        record = ctx.copilot.reopen(args.id, cli_principal(), note=args.note)
    else:
        if args.decision != "edit" and (args.sql or args.file):
            raise InvalidInput("--sql and --file go with 'edit' only")
        final = read_sql_argument(args.sql, args.file, sys.stdin) if args.decision == "edit" else None
        from core.domain.review import OverrideRequired  # here: `--version` must not load pydantic

        try:
            record = ctx.copilot.review(
                args.id, args.decision, cli_principal(), note=args.note, final_script=final,
                allow_invalid=args.allow_invalid, override=args.override,
            )  # fmt: skip
        except OverrideRequired as exc:
            raise Forbidden(f'{exc}; add --override --note "why" to approve it anyway') from None
    ctx.emit(record.to_dict(), lambda: render_review(record))
    return 0
