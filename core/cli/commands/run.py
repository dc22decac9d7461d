"""`sqldraft run ID`: run an approved read and print its rows (never DML or DDL)."""

from __future__ import annotations

import argparse
import csv
import io
from typing import TYPE_CHECKING, Any

from core.cli.context import Context, add_command
from core.cli.inputs import cli_principal

if TYPE_CHECKING:
    from core.domain.runs import RunResult

FORMATS = ("table", "csv", "json")
_WIDTH = 40
"""Widest column the table format shows (longer cells are cut with …; csv and json keep them)."""


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        subparsers,
        "run",
        cmd_run,
        "run an approved read-only draft on its database (read-only transaction, row, byte and time caps; "
        "DML and DDL are never run)",
        common,
    )
    p.add_argument("id", help="the draft id (d + 9 letters and digits)")
    p.add_argument("--limit", metavar="N", help="rows to return at most, 1 to 10000 (default SQLDRAFT_RUN_MAX_ROWS)")
    p.add_argument("--format", choices=FORMATS, default="table", help="table (default), csv or json")


def cmd_run(ctx: Context) -> int:
    from core.errors import ExecutionBlocked

    try:
        result = ctx.copilot.run(ctx.args.id, principal=cli_principal(), limit=ctx.args.limit)
    except ExecutionBlocked as exc:
        ctx.out.write(exc.sql.rstrip() + "\n")  # the SQL comes back; the warning goes to stderr (exit 2)
        raise
    if ctx.json or ctx.args.format == "json":
        ctx.json = True
        ctx.emit(result.to_dict(), "")
    elif ctx.args.format == "csv":
        ctx.out.write(render_csv(result))
    else:
        ctx.out.write(render_table(result) + "\n")
    for warning in result.warnings:
        ctx.warn(warning)
    return 0


def render_csv(result: RunResult) -> str:
    """The rows as CSV with a header (NULL empty, bytes as \\x hex, JSON as JSON)."""
    from core.domain.runs import cell_text

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in result.columns])
    for row in result.rows:
        writer.writerow([cell_text(v) for v in row])
    return buffer.getvalue()


def render_table(result: RunResult) -> str:
    """An aligned text table, then one line: how many rows, whether cut, how long it took."""
    from core.domain.runs import cell_text

    def shown(value: Any) -> str:
        text = "NULL" if value is None else cell_text(value)
        text = "".join(ch if ch.isprintable() else " " for ch in text)
        return text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"

    header = [c.name for c in result.columns]
    body = [[shown(v) for v in row] for row in result.rows]
    widths = [max([len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(header)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in body]
    lines.append(summary(result))
    return "\n".join(lines)


def summary(result: RunResult) -> str:
    """``3 rows in 12 ms`` / ``100 rows (truncated at the row cap of 100) in 40 ms``."""
    noun = "row" if result.row_count == 1 else "rows"
    cut = ""
    if result.truncated_by == "rows":
        cut = f" (truncated at the row cap of {result.limit:,})"
    elif result.truncated_by == "bytes":
        cut = " (truncated at the byte cap)"
    return f"{result.row_count:,} {noun}{cut} in {result.elapsed_ms:,} ms"
