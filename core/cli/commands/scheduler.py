"""`sqldraft scheduler [--once]`: the refresh scheduler in the foreground (logs go to stderr)."""

from __future__ import annotations

import argparse
import time
from typing import Any

from core.cli.context import Context, add_command
from core.cli.render import render_scheduled


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(subparsers, "scheduler", cmd_scheduler, "run the refresh scheduler in the foreground", common)
    p.add_argument("--once", action="store_true", help="refresh what is due once and exit")


def cmd_scheduler(ctx: Context) -> int:
    from core.scheduler import RefreshScheduler, run_due_once

    if ctx.args.once:
        runs = run_due_once(ctx.copilot)
        ctx.emit({name: run.status for name, run in runs.items()}, lambda: render_scheduled(runs))
        return 0
    scheduler = RefreshScheduler(ctx.copilot)
    scheduler.start()
    ctx.err.write("sqldraft scheduler running (Ctrl-C to stop)\n")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown()
    return 0
