"""`sqldraft history`: list drafts (filters, sorting, pages), show one with its trail, or export."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from core.cli.context import Context, add_command
from core.cli.render import render_history_detail, render_history_page

if TYPE_CHECKING:
    from core.domain.history import HistoryQuery


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        subparsers, "history", cmd_history, "list drafts (filters, sorting, pages), show one, or export", common
    )
    p.add_argument("id", nargs="?", help="show this draft with its attempts, review trail and events")
    p.add_argument("--connection")
    p.add_argument("--requester", metavar="PRINCIPAL")
    p.add_argument("--status", help="queued, running, completed, failed, canceled, clarification_needed")
    p.add_argument("--review", help="pending, approved, rejected, edited")
    p.add_argument("--lint", help="pass, warn, fail")
    p.add_argument("--risk", help="none, low, medium, high, critical")
    p.add_argument("--final", metavar="yes|no", help="only drafts with (or without) an edited final script")
    p.add_argument("--from", dest="created_from", metavar="DATE", help="created at or after (ISO 8601)")
    p.add_argument("--to", dest="created_to", metavar="DATE", help="created at or before (ISO 8601)")
    p.add_argument("--text", help="text in the request (case-insensitive)")
    p.add_argument("--sort", default="created_at", help="created_at (default), last_reviewed_at or risk_count")
    p.add_argument("--order", default="desc", help="asc or desc (default)")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--page-size", type=int, default=20, help="1 to 100 (default 20)")
    p.add_argument(
        "--export",
        choices=["jsonl", "csv"],
        help="every matching draft, not one page, with its generated and final script",
    )
    p.add_argument("--output", metavar="FILE", help="with --export: write here instead of standard output")


def _query(args: argparse.Namespace) -> HistoryQuery:
    from core.domain.history import HistoryFilters, HistoryQuery, parse_bool, parse_datetime

    filters = HistoryFilters(
        connection=args.connection,
        requester=args.requester,
        status=args.status,
        review_status=args.review,
        lint_status=args.lint,
        risk_level=args.risk,
        has_final_script=parse_bool("--final", args.final),
        created_from=parse_datetime("--from", args.created_from),
        created_to=parse_datetime("--to", args.created_to),
        text=args.text,
    )
    return HistoryQuery(filters=filters, sort=args.sort, order=args.order, page=args.page, page_size=args.page_size)


def cmd_history(ctx: Context) -> int:
    args = ctx.args
    if args.id:
        return _show(ctx, args.id)
    query = _query(args)
    if args.export:
        return _export(ctx, query, args.export, args.output)
    page = ctx.copilot.history(query)
    from core.domain.history import any_filter

    ctx.emit(page.to_dict(), lambda: render_history_page(page, any_filter(query.filters)))
    return 0


def _show(ctx: Context, draft_id: str) -> int:
    detail = ctx.copilot.history_detail(draft_id)
    draft = ctx.copilot.get_draft(draft_id)
    ctx.emit(detail, lambda: render_history_detail(draft, detail, ctx.copilot.clock()))
    return 0


def _export(ctx: Context, query: HistoryQuery, fmt: str, output: str | None) -> int:
    chunks = ctx.copilot.export_history(query, fmt)
    if output is None:
        ctx.out.writelines(chunks)
        return 0
    with open(output, "w", encoding="utf-8", newline="") as fh:
        fh.writelines(chunks)
    return 0
