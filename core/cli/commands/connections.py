"""`sqldraft connections add|list|verify|set|remove`: connection profiles."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from core.cli.context import Context, add_command, add_group
from core.cli.inputs import csv_list, read_password
from core.cli.render import render_connections, render_verify
from core.errors import InvalidInput


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    conns = add_group(subparsers, "connections", "manage connection profiles", common)
    p = add_command(conns, "add", cmd_connections_add, "add a connection profile", common)
    p.add_argument("name", help="a short name: letters, digits, '_', '.', '-'")
    p.add_argument("url", help="postgresql://user@host:5432/db, mysql://user@host/db or sqlite:///path.db")
    p.add_argument("--password-env", metavar="VAR", help="read the password from this environment variable")
    p.add_argument("--password-file", metavar="FILE", help="read the password from this file")
    p.add_argument("--ask-password", action="store_true", help="prompt for the password")
    _option_args(p)
    add_command(conns, "list", cmd_connections_list, "list connections with their snapshot and last refresh", common)
    p = add_command(
        conns,
        "verify",
        cmd_connections_verify,
        "connect, report the server version and whether the role can write",
        common,
    )
    p.add_argument("name")
    p = add_command(conns, "set", cmd_connections_set, "change a connection's options", common)
    p.add_argument("name")
    _option_args(p)
    p = add_command(conns, "remove", cmd_connections_remove, "remove a connection and its snapshots", common)
    p.add_argument("name")
    p.add_argument("--force", action="store_true", help="remove it even if drafts reference it (they are kept)")


def _option_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--approvers", metavar="P,Q", help="who may approve this connection's drafts (principals, groups)")
    p.add_argument(
        "--allow-self-approval",
        metavar="yes|no",
        help="let the requester of a script that writes or changes schema approve it too (default no)",
    )
    p.add_argument(
        "--allow-override",
        metavar="yes|no",
        help="let an approver approve a failing or critical script with --override and a note (default yes)",
    )
    p.add_argument(
        "--run-unapproved-reads",
        metavar="yes|no",
        help="let `sqldraft run` (and Run, run_query) run a validated read before it is approved (default no)",
    )
    p.add_argument(
        "--review-channel",
        metavar="CHANNEL",
        help="where review requests for drafts made outside Slack go (a Slack channel id; empty to clear; "
        "default: the channel bound to the connection)",
    )
    p.add_argument("--schemas", metavar="A,B", help="only these schemas (glob patterns allowed)")
    p.add_argument("--exclude-schemas", metavar="A,B", help="leave these schemas out (glob patterns allowed)")
    p.add_argument("--refresh", metavar="SCHEDULE", help="refresh schedule: 30m, 6h, 1d, a cron expression, or off")
    p.add_argument("--notify-channel", metavar="CHANNEL", help="where drift notices go (e.g. a Slack channel id)")
    p.add_argument(
        "--safe-functions",
        metavar="F,S.G",
        help="functions this connection may call in a read although no allowlist knows them (name or "
        "schema.name; empty to clear); dangerous built-ins stay refused",
    )
    p.add_argument(
        "--explain-costs",
        metavar="yes|no",
        help="let drafting ask the database for the plan of each read (plain EXPLAIN in a read-only transaction, "
        "nothing is run) and report its cost findings (default no)",
    )


def _options_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The connection options given on the command line (only those given)."""
    lists = {"include_schemas": args.schemas, "exclude_schemas": args.exclude_schemas, "approvers": args.approvers}
    changes: dict[str, Any] = {key: csv_list(value) for key, value in lists.items() if value is not None}
    if args.safe_functions is not None:
        changes["safe_functions"] = csv_list(args.safe_functions)
    if args.refresh is not None:
        changes["refresh"] = args.refresh
    if args.notify_channel is not None:
        changes["notify_channel"] = args.notify_channel or None
    if args.review_channel is not None:
        changes["review_channel"] = args.review_channel
    from core.domain.history import parse_bool

    for flag in ("allow_self_approval", "allow_override", "explain_costs", "run_unapproved_reads"):
        if getattr(args, flag) is not None:
            changes[flag] = parse_bool("--" + flag.replace("_", "-"), getattr(args, flag))
    return changes


def cmd_connections_add(ctx: Context) -> int:
    args = ctx.args
    from core.domain.connections import ConnectionOptions

    options = ConnectionOptions.from_dict(_options_from_args(args))
    password = read_password(args.password_env, args.password_file, args.ask_password, sys.stdin)
    profile = ctx.copilot.add_connection(args.name, args.url, password=password, options=options)
    ctx.emit(
        profile.to_dict(),
        f"added connection {profile.name} ({profile.dialect.value}, {profile.url}); "
        f"next: `sqldraft connections verify {profile.name}` and `sqldraft snapshot refresh {profile.name}`",
    )
    return 0


def cmd_connections_list(ctx: Context) -> int:
    profiles = ctx.copilot.list_connections()
    now = ctx.copilot.clock()
    ctx.emit([p.to_dict() for p in profiles], lambda: render_connections(profiles, now, ctx.settings.default_refresh))
    return 0


def cmd_connections_verify(ctx: Context) -> int:
    report = ctx.copilot.verify_connection(ctx.args.name)
    if report.ok:
        ctx.emit(report.to_dict(), lambda: render_verify(report))
        return 0
    if ctx.json:
        ctx.emit(report.to_dict(), "")
    ctx.fail(f"{report.name} FAILED after {report.elapsed_ms} ms: {report.error}")
    return 2


def cmd_connections_set(ctx: Context) -> int:
    changes = _options_from_args(ctx.args)
    if not changes:
        raise InvalidInput(
            "nothing to change: give --schemas, --exclude-schemas, --refresh, --notify-channel, --approvers, "
            "--allow-self-approval, --allow-override, --review-channel, --safe-functions, --explain-costs or "
            "--run-unapproved-reads"
        )
    profile = ctx.copilot.set_connection_options(ctx.args.name, **changes)
    ctx.emit(profile.to_dict(), f"updated {profile.name}: " + json.dumps(profile.options.to_dict()))
    return 0


def cmd_connections_remove(ctx: Context) -> int:
    kept = ctx.copilot.remove_connection(ctx.args.name, force=ctx.args.force)
    ctx.emit(
        {"removed": ctx.args.name, "drafts_kept": kept},
        f"removed connection {ctx.args.name}" + (f" ({kept} draft(s) kept in the history)" if kept else ""),
    )
    return 0
