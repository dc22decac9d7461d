"""The `sqldraft` root parser, its common options, the dispatch, and the one place errors become messages.

A handler returns its exit code. A :class:`SqldraftError` becomes one line ``sqldraft: ...`` on
stderr with its exit code (2 unless the error says otherwise); anything else gets an incident id,
its traceback goes to the log file (and to stderr with ``--debug``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from core import __version__
from core.cli.commands import (
    audit,
    connections,
    demo,
    drafts,
    examples,
    history,
    init,
    keys,
    llm,
    review,
    run,
    scheduler,
    snapshot,
    status,
    validate,
)
from core.cli.context import Context, Handler
from core.cli.render import error_text
from core.errors import SqldraftError

GROUPS = (
    init, demo, connections, keys, snapshot, drafts, llm, review, run, history, examples, audit, validate, scheduler,
    status,
)  # fmt: skip
"""The command groups, in the order `sqldraft --help` lists them.

Registering them imports nothing heavy: each handler imports what it uses (the store, the validation core,
the crypto) when it runs, so `sqldraft --version` and `--help` start in a tenth of a second.
"""

BROKEN_PIPE = 141
"""What a shell reports for a process ended by SIGPIPE (128 + 13): the reader stopped early."""


def common_options() -> argparse.ArgumentParser:
    """The options every command takes (``--json``, ``--debug``), before or after its name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks and debug logs"
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="sqldraft", parents=[common], description="Draft, validate and review SQL against your real schema."
    )
    parser.add_argument("--version", action="version", version=f"sqldraft {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in GROUPS:
        group.register(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one command; errors are one line on stderr with exit code 2 (``--debug`` adds the traceback)."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            _take_extra_paths(parser, args, extras)
    except SystemExit as exc:
        return int(exc.code or 0)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(out)
        return 2
    import traceback

    from core.cli.logs import configure_logging

    ctx = Context(args, out, err)
    debug = bool(getattr(args, "debug", False))
    log_path = configure_logging(ctx.common_settings_if_valid(), debug=debug)
    try:
        return handler(ctx)
    except BrokenPipeError:
        _discard_output(out)
        return BROKEN_PIPE
    except SqldraftError as exc:
        if debug:
            traceback.print_exc(file=err)
        err.write(f"sqldraft: {error_text(exc)}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        err.write("sqldraft: interrupted\n")
        return 130
    except Exception as exc:
        if debug:
            traceback.print_exc(file=err)
        import logging

        from core.cli.logs import INCIDENTS
        from core.incidents import report_incident

        incident = report_incident(logging.getLogger(INCIDENTS), exc, f"sqldraft {getattr(args, 'command', '')}")
        where = f" (details in {log_path})" if log_path else ""
        err.write(f"sqldraft: unexpected error, incident {incident}{where}; run again with --debug to see it\n")
        return 2
    finally:
        ctx.close()


def _take_extra_paths(parser: argparse.ArgumentParser, args: argparse.Namespace, extras: list[str]) -> None:
    """Paths after options (``validate CONN --mode ddl a.sql b.sql``) join the command's paths; anything else
    is refused as argparse would."""
    paths: list[str] | None = getattr(args, "paths", None)
    if paths is None or any(e.startswith("-") and e != "-" for e in extras):
        parser.error(f"unrecognized arguments: {' '.join(extras)}")
    args.paths = [*paths, *extras]


def _discard_output(out: TextIO) -> None:
    """The reader of our output went away (``| head``): send what is still buffered nowhere, quietly."""
    try:
        fd = out.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
