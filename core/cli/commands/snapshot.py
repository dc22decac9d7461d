"""`sqldraft snapshot refresh|show|list|diff`: take and inspect schema snapshots."""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.context import Context, add_command, add_group
from core.cli.render import (
    ProgressBar,
    refresh_failure,
    render_refresh,
    render_snapshot_diff,
    render_snapshot_list,
    render_snapshot_status,
    render_table_detail,
    table_rows,
)
from core.errors import InvalidInput


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    snap = add_group(subparsers, "snapshot", "take and inspect schema snapshots", common)
    p = add_command(snap, "refresh", cmd_snapshot_refresh, "snapshot a connection's schema now", common)
    p.add_argument("name", nargs="?")
    p.add_argument("--all", action="store_true", help="refresh every connection")
    p = add_command(snap, "show", cmd_snapshot_show, "show the snapshot in use and the last refreshes", common)
    p.add_argument("name")
    p.add_argument("--tables", action="store_true", help="list the tables")
    p.add_argument("--table", metavar="NAME", help="show one table in detail")
    p = add_command(snap, "list", cmd_snapshot_list, "list a connection's snapshots", common)
    p.add_argument("name")
    p = add_command(
        snap, "diff", cmd_snapshot_diff, "what changed between two snapshots (default: the last change)", common
    )
    p.add_argument("name")
    p.add_argument("--from", dest="from_id", type=int, metavar="ID")
    p.add_argument("--to", dest="to_id", type=int, metavar="ID")


def cmd_snapshot_refresh(ctx: Context) -> int:
    """Refresh one connection or all; failures go to stderr (exit 2), the others still print."""
    copilot = ctx.copilot
    names = [p.name for p in copilot.list_connections()] if ctx.args.all else [ctx.args.name]
    if not names or names == [None]:
        raise InvalidInput("give a connection name, or --all")
    results = [copilot.refresh_snapshot(name, progress=ProgressBar(ctx.err, not ctx.json)) for name in names]
    ok = [r for r in results if not r.error]
    failed = [r for r in results if r.error]
    if ctx.json:
        ctx.emit([r.to_dict() for r in results] if ctx.args.all else results[0].to_dict(), "")
    else:
        ctx.emit(None, lambda: "\n".join(render_refresh(r) for r in ok))
    for r in failed:
        ctx.fail(str(r.error) if ctx.json else refresh_failure(r))
    return 2 if failed else 0


def cmd_snapshot_show(ctx: Context) -> int:
    name, one, listing = ctx.args.name, ctx.args.table, ctx.args.tables
    if one:
        _, t, _, _ = ctx.copilot.describe_table(name, one)
        ctx.emit(t.to_dict() | {"row_estimate": t.row_estimate}, lambda: render_table_detail(t))
        return 0
    status = ctx.copilot.snapshot_status(name)
    if listing and status["snapshot"] is not None:
        _, schema = ctx.copilot.current_schema(name)
        status["tables"] = table_rows(schema.tables)
    ctx.emit(status, lambda: render_snapshot_status(status))
    return 0


def cmd_snapshot_list(ctx: Context) -> int:
    snaps = ctx.copilot.list_snapshots(ctx.args.name)
    ctx.emit([s.to_dict() for s in snaps], lambda: render_snapshot_list(snaps, ctx.args.name))
    return 0


def cmd_snapshot_diff(ctx: Context) -> int:
    old, new, diff = ctx.copilot.diff_snapshots(ctx.args.name, ctx.args.from_id, ctx.args.to_id)
    ctx.emit(
        {"from": old.to_dict() if old else None, "to": new.to_dict(), "diff": diff.to_dict()},
        lambda: render_snapshot_diff(old, new, diff),
    )
    return 0
