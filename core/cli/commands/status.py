"""`sqldraft status`: readiness (store, migrations), pool gauges, and each connection's last refresh."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from core.cli.context import Context, add_command

if TYPE_CHECKING:
    from core.domain.health import HealthStatus


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    add_command(
        subparsers,
        "status",
        cmd_status,
        "is the store ready (reachable, migrations at head); pool gauges; each connection's last refresh",
        common,
    )


def _age(seconds: int | None) -> str:
    if seconds is None:
        return "no snapshot"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"snapshot {seconds // size}{unit} old"
    return f"snapshot {seconds}s old"


def render_status(status: HealthStatus) -> str:
    lines = ["ready" if status.ok else "NOT ready"]
    for check in status.checks:
        mark = "ok" if check.ok else "FAILED"
        detail = f": {check.detail}" if check.detail else ""
        lines.append(f"  {check.name}: {mark} ({check.latency_ms:g} ms){detail}")
    for pool in status.pools:
        gauges = ", ".join(
            f"{label} {value}"
            for label, value in (("size", pool.size), ("checked out", pool.checked_out), ("overflow", pool.overflow))
            if value is not None
        )
        lines.append(f"  pool {pool.engine} ({pool.kind}): {gauges + ', ' if gauges else ''}waits {pool.waits}")
    for conn in status.connections:
        refreshed = (
            f"last refresh {conn.last_refresh_at:%Y-%m-%d %H:%M:%S} UTC ({conn.last_refresh_status})"
            if conn.last_refresh_at
            else "never refreshed"
        )
        lines.append(f"  connection {conn.name}: {refreshed}, {_age(conn.snapshot_age_seconds)}")
    return "\n".join(lines)


def cmd_status(ctx: Context) -> int:
    status = ctx.copilot.status()
    ctx.emit(status.to_dict(), lambda: render_status(status))
    return 0 if status.ok else 2
