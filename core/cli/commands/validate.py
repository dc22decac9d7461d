"""`sqldraft validate`: check SQL files against a snapshot or a dialect, as a migration guard in CI.

``sqldraft validate [CONN] [--dialect D] [PATH ...]``: PATHs are files, folders (their ``*.sql``) and
globs, ``-`` is standard input; ``--file`` (repeatable) and ``--sql`` still work. How a positional
argument is told apart from a connection name: with ``--dialect`` every positional is a path; without
it the first one is a path when it exists, is ``-``, is a glob, ends in ``.sql`` or cannot be a
connection name, else it is the connection. Exit 0, or 1 when a file fails ``--fail-on``, or 2 on
bad input (nothing validated then).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.cli.ci_render import DEFAULT_FAIL_ON, FailOn
from core.cli.context import Context, add_command
from core.errors import InvalidInput

if TYPE_CHECKING:
    from core.cli.batch import FileReport
    from core.cli.sources import Source
    from core.validation.model import ImpactedObject, Validation

FORMATS = ("text", "json", "github", "sarif")


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        subparsers,
        "validate",
        cmd_validate,
        "validate SQL files against a connection's snapshot or a dialect (exit 1 when one fails, for CI)",
        common,
    )
    p.add_argument(
        "paths",
        nargs="*",
        metavar="[CONN] PATH",
        help="a connection to check against (unless --dialect is given), then files, folders (their *.sql, "
        "in file-name order) or globs; - is standard input",
    )
    p.add_argument("--sql", metavar="TEXT", help="the SQL text")
    p.add_argument(
        "--file",
        metavar="FILE",
        action="append",
        default=[],
        help="a file of SQL, or - for standard input (repeatable)",
    )
    p.add_argument("--mode", default="query", help="query (default), dml or ddl: what the script is meant to do")
    p.add_argument(
        "--dialect", metavar="D", help="postgresql, mysql or sqlite: check syntax and risk without a connection"
    )
    p.add_argument(
        "--server-check", action="store_true", help="also let the database prepare each statement (nothing is executed)"
    )
    p.add_argument(
        "--fail-on",
        choices=[f.value for f in FailOn],
        default=None,
        help="exit 1 on a fail status and also on: error (nothing more), warning (a warn status), "
        "high or critical (that risk or above); default critical",
    )
    p.add_argument("--format", choices=FORMATS, default=None, help="text (default), json, github or sarif")


def cmd_validate(ctx: Context) -> int:
    args = ctx.args
    fmt = _format(args.format, ctx.json)
    fail_on = FailOn(args.fail_on) if args.fail_on else DEFAULT_FAIL_ON
    connection, paths = split_connection(args.paths, args.dialect)
    from core.cli.sources import collect

    sources = collect(paths=paths, files=args.file, sql=args.sql, stdin=sys.stdin)
    reports, impacted = _validate(ctx, sources, connection)
    code = 1 if any(_trips(r.validation, fail_on) for r in reports) else 0
    ctx.out.write(_render(fmt, reports, impacted, fail_on, code).rstrip("\n") + "\n")
    return code


def _format(given: str | None, json_flag: bool) -> str:
    if json_flag and given not in (None, "json"):
        raise InvalidInput(f"--json and --format {given} ask for two outputs: give one of them")
    return "json" if json_flag else (given or "text")


def split_connection(positionals: list[str], dialect: str | None) -> tuple[str | None, list[str]]:
    """The connection named by the first positional argument, if it is one, and the paths.

    With ``--dialect`` every positional is a path. Without it, the first is a path when it exists, is
    ``-``, holds a glob character, ends in ``.sql`` or cannot be a connection name; otherwise it is
    the connection (an unknown name is then reported as an unknown connection).
    """
    if dialect is not None or not positionals:
        return None, list(positionals)
    first = positionals[0]
    from core.cli.sources import has_glob

    if first == "-" or has_glob(first) or first.lower().endswith(".sql") or Path(first).exists():
        return None, list(positionals)
    from core.domain.connections import NAME_RE

    if not NAME_RE.match(first):
        return None, list(positionals)
    return first, list(positionals[1:])


def _validate(
    ctx: Context, sources: list[Source], connection: str | None
) -> tuple[list[FileReport], list[ImpactedObject]]:
    from core.cli.batch import validate_files
    from core.errors import TooLarge

    args = ctx.args
    if connection is None and args.dialect is not None:
        validate = _dialect_validator(ctx, args.dialect, args.mode, args.server_check)
    else:
        copilot = ctx.copilot

        def validate(sql: str) -> Validation:
            return copilot.validate(
                sql, connection=connection, dialect=args.dialect, mode=args.mode, server_check=args.server_check
            )

    try:
        return validate_files(sources, validate)
    except TooLarge as exc:
        if len(sources) == 1:
            raise
        raise TooLarge(
            f"the {len(sources)} files together are too large to validate in one run ({exc}): "
            "validate fewer at a time, or raise SQLDRAFT_MAX_SQL_CHARS"
        ) from None


def _dialect_validator(ctx: Context, dialect: str, mode: str, server_check: bool) -> Any:
    """Syntax and risk against a dialect alone: the core's dialect validator, without opening the store.

    ``Copilot.validate(dialect=...)`` uses the same one; called directly so that a dialect-only run imports
    neither SQLAlchemy nor the drafting pipeline (see docs/performance.md).
    """
    from core.validation.engine import parse_mode
    from core.validation.standalone import dialect_validator

    parsed_mode = parse_mode(mode)
    if server_check:
        raise InvalidInput("the server-side check needs a connection")
    settings = ctx.common_settings()
    validator = dialect_validator(
        dialect,
        large_table_rows=settings.large_table_rows,
        large_offset=settings.large_offset,
        max_chars=settings.max_sql_chars,
    )
    return lambda sql: validator.validate(sql, parsed_mode)


def _trips(v: Validation, fail_on: FailOn) -> bool:
    from core.cli.ci_render import trips

    return trips(v, fail_on)


# --- output -----------------------------------------------------------------------------------------


def _render(fmt: str, reports: list[FileReport], impacted: list[ImpactedObject], fail_on: FailOn, code: int) -> str:
    if fmt == "json":
        return json.dumps(_json(reports, impacted, fail_on, code), indent=2, default=str, ensure_ascii=False)
    if fmt == "github":
        from core.cli.ci_render import github_annotations

        summary = _summary(reports, fail_on, code)
        annotations = github_annotations(reports, fail_on)
        return f"{annotations}\n{summary}" if annotations else summary
    if fmt == "sarif":
        from core import __version__
        from core.cli.ci_render import sarif_log

        return json.dumps(sarif_log(reports, fail_on, version=__version__), indent=2, ensure_ascii=False)
    return _text(reports, fail_on, code)


def _validation_dict(v: Validation) -> dict[str, Any]:
    from core.cli.ci_render import suppressed

    data = v.to_dict()
    if "suppressed" not in data and getattr(v, "suppressed", None) is not None:
        data["suppressed"] = suppressed(v)
    return data


def _json(reports: list[FileReport], impacted: list[ImpactedObject], fail_on: FailOn, code: int) -> dict[str, Any]:
    """One source: its validation, as always. Several: each file's, and the run's status, risk and exit code."""
    if len(reports) == 1:
        return _validation_dict(reports[0].validation)
    from core.validation.model import RiskLevel

    return {
        "status": _worst([r.validation.status.value for r in reports]),
        "risk_level": RiskLevel.highest([r.validation.risk_level for r in reports]).value,
        "fail_on": fail_on.value,
        "exit_code": code,
        "files": [{"file": r.source.label, **_validation_dict(r.validation)} for r in reports],
        "impacted_objects": [o.to_dict() for o in impacted],
    }


def _worst(statuses: list[str]) -> str:
    for status in ("fail", "warn"):
        if status in statuses:
            return status
    return "pass"


def _text(reports: list[FileReport], fail_on: FailOn, code: int) -> str:
    from core.cli.ci_render import suppressed, trips
    from core.textfmt import render_validation

    blocks = []
    for r in reports:
        body = render_validation(r.validation, indent="  " if len(reports) > 1 else "")
        extra = [
            f"  suppressed  {s['rule']} at line {s['line']}: {s['reason'] or 'no reason given'}"
            for s in suppressed(r.validation)
        ]
        if trips(r.validation, fail_on) and r.validation.status.value != "fail":
            why = "status warn" if fail_on is FailOn.WARNING else f"risk {r.validation.risk_level.value}"
            extra.append(f"  fails the check: {why} (--fail-on {fail_on.value})")
        if len(reports) > 1:
            body = f"{r.source.label}\n{body}"
        blocks.append("\n".join([body, *extra]))
    if len(reports) > 1:
        blocks.append(_summary(reports, fail_on, code))
    return "\n".join(blocks)


def _summary(reports: list[FileReport], fail_on: FailOn, code: int) -> str:
    counts = {s: sum(r.validation.status.value == s for r in reports) for s in ("pass", "warn", "fail")}
    files = f"{len(reports)} file{'s' if len(reports) != 1 else ''}"
    verdict = "fails the check" if code else "passes the check"
    return (
        f"{files}: {counts['pass']} pass, {counts['warn']} warn, {counts['fail']} fail; "
        f"{verdict} (--fail-on {fail_on.value}, exit {code})"
    )
