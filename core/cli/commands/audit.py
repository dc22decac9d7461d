"""`sqldraft audit`: every state change with its principal and time."""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.context import Context, add_command
from core.cli.render import render_events


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        subparsers, "audit", cmd_audit, "the audit log: every state change with its principal and time", common
    )
    p.add_argument("--draft", metavar="ID")
    p.add_argument("--kind", help="an event kind (review.approved) or a prefix ending in a dot (review.)")
    p.add_argument("--principal")
    p.add_argument("--since", metavar="DATE")
    p.add_argument("--limit", type=int, default=100)


def cmd_audit(ctx: Context) -> int:
    from core.domain.history import parse_datetime

    args = ctx.args
    events = ctx.copilot.events(
        draft_id=args.draft,
        kind=args.kind,
        principal=args.principal,
        since=parse_datetime("--since", args.since),
        limit=args.limit,
    )
    ctx.emit([e.to_dict() for e in events], lambda: render_events(events))
    return 0
