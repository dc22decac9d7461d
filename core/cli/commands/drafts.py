"""`sqldraft draft` (a plain-language request, or SQL submitted for review) and `sqldraft drafts show|cancel|retry`."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from core.cli.context import Context, add_command, add_group
from core.cli.inputs import cli_principal, read_sql_argument
from core.cli.render import render_draft
from core.errors import InvalidInput

if TYPE_CHECKING:
    from core.domain.drafts import Draft


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        subparsers,
        "draft",
        cmd_draft,
        "draft a SQL script for a plain-language request, or submit SQL for review (nothing is executed)",
        common,
    )
    p.add_argument("connection", nargs="?", help="the connection whose schema to draft against")
    p.add_argument(
        "request",
        nargs="?",
        help="what the SQL should do, in plain language (at most 4,000 characters); - reads SQL to submit "
        "from standard input",
    )
    p.add_argument("--mode", default="query", help="query (default), dml or ddl")
    p.add_argument("--sql", metavar="TEXT", help="submit this SQL for review instead of drafting it")
    p.add_argument("--file", metavar="FILE", help="submit the SQL in FILE (- for standard input) for review")
    p.add_argument("--purpose", metavar="TEXT", help="with submitted SQL: what it is for (shown to the reviewer)")
    p.add_argument(
        "--repair",
        metavar="ID",
        help="ask for a corrected script of draft ID using the database error its last run met (a new revision "
        "that needs review again)",
    )
    drafts = add_group(subparsers, "drafts", "show, cancel or retry a draft", common)
    for action, handler, text in (
        ("show", cmd_drafts_show, "show a draft with its attempts"),
        ("cancel", cmd_drafts_cancel, "cancel a queued or running draft"),
        ("retry", cmd_drafts_retry, "run a failed draft again"),
    ):
        add_command(drafts, action, handler, text, common).add_argument(
            "id", help="the draft id (d + 9 letters and digits)"
        )


def _outcome(draft: Draft) -> int:
    """0 when the draft has a script or a question for the requester, 2 when it failed."""
    return 0 if draft.status.value in ("completed", "clarification_needed") else 2


def cmd_draft(ctx: Context) -> int:
    args = ctx.args
    if args.repair is not None:
        if args.connection is not None or args.sql is not None or args.file is not None:
            raise InvalidInput("--repair takes only the draft id: sqldraft draft --repair ID")
        draft = ctx.copilot.repair_draft(args.repair, principal=cli_principal())
        ctx.emit(draft.to_dict(), lambda: render_draft(draft, ctx.copilot.clock()))
        return _outcome(draft)
    if args.connection is None:
        raise InvalidInput('name the connection to draft against: sqldraft draft CONN "request"')
    submitted = args.sql is not None or args.file is not None or args.request == "-"
    if not submitted:
        if args.request is None:
            raise InvalidInput('say what the SQL should do (sqldraft draft CONN "request"), or submit SQL with '
                               "--sql TEXT, --file FILE or -")  # fmt: skip
        if args.purpose is not None:
            raise InvalidInput("--purpose goes with submitted SQL (--sql, --file or -); a request says it already")
        draft = ctx.copilot.draft(args.connection, args.request, mode=args.mode, requester=cli_principal())
    else:
        if args.request not in (None, "-") or (args.request == "-" and (args.sql or args.file)):
            raise InvalidInput("give a request or SQL to submit (--sql, --file or -), not both: use --purpose to say "
                               "what submitted SQL is for")  # fmt: skip
        sql = read_sql_argument(args.sql, "-" if args.request == "-" else args.file, sys.stdin)
        draft = ctx.copilot.submit_sql(
            args.connection, sql, mode=args.mode, purpose=args.purpose, requester=cli_principal()
        )
    ctx.emit(draft.to_dict(), lambda: render_draft(draft, ctx.copilot.clock()))
    return _outcome(draft)


def cmd_drafts_show(ctx: Context) -> int:
    draft = ctx.copilot.get_draft(ctx.args.id)
    ctx.emit(draft.to_dict(), lambda: render_draft(draft, ctx.copilot.clock(), show_attempts=True))
    return 0


def cmd_drafts_cancel(ctx: Context) -> int:
    draft = ctx.copilot.cancel_draft(ctx.args.id, principal=cli_principal())
    ctx.emit(draft.to_dict(), f"draft {draft.id} canceled")
    return 0


def cmd_drafts_retry(ctx: Context) -> int:
    draft = ctx.copilot.retry_draft(ctx.args.id, principal=cli_principal())
    ctx.emit(draft.to_dict(), lambda: render_draft(draft, ctx.copilot.clock()))
    return _outcome(draft)
