"""`sqldraft demo`: the whole product on a bundled sample database, nothing to configure."""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.context import Context, add_command
from core.cli.render import render_demo


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    add_command(
        subparsers,
        "demo",
        cmd_demo,
        "run the demo on a bundled sample database (no network, nothing to configure)",
        common,
    )


def cmd_demo(ctx: Context) -> int:
    from core.demo.run import run_demo

    report = run_demo(ctx.settings)
    ctx.emit(report.to_dict(), lambda: render_demo(report))
    return 0
