"""The `sqldraft` command line: parse, call one Copilot operation, render (text or --json)."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from core import __version__
from core.crypto import generate_key
from core.domain.connections import ConnectionOptions
from core.errors import ConfigurationError, InvalidInput, SqldraftError
from core.incidents import report_incident
from core.service import Copilot
from core.services.history import (
    HistoryFilters,
    HistoryQuery,
    any_filter,
    parse_bool,
    parse_datetime,
)
from core.settings import Settings
from core.textfmt import age_words, ago, render_draft, render_validation, table

log = logging.getLogger("sqldraft")

Handler = Callable[["Context"], int]


class Context:
    """What a command handler needs: its arguments, settings, output streams and a lazy Copilot."""

    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
        self.args = args
        self.out = out
        self.err = err
        self.json: bool = bool(getattr(args, "json", False))
        self._settings: Settings | None = None
        self._copilot: Copilot | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def copilot(self) -> Copilot:
        if self._copilot is None:
            from core.bootstrap import build_copilot

            self._copilot = build_copilot(self.settings)
        return self._copilot

    def emit(self, data: Any, text: str | Callable[[], str]) -> None:
        """Print ``data`` as JSON under --json, else the text rendering."""
        if self.json:
            self.out.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")
        else:
            rendered = text() if callable(text) else text
            if rendered:
                self.out.write(rendered.rstrip("\n") + "\n")

    def warn(self, message: str) -> None:
        self.err.write(f"warning: {message}\n")

    def close(self) -> None:
        if self._copilot is not None:
            self._copilot.close()


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and .env, with one clear line on a bad value."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "a setting"
        env = f"SQLDRAFT_{field.upper()}" if field.isidentifier() else field
        raise ConfigurationError(f"setting {env} is invalid: {first.get('msg', 'bad value')}") from None


class ProgressBar:
    """A one-line progress bar on stderr (only on a terminal, never under --json)."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled and stream.isatty()
        self.started = time.perf_counter()

    def __call__(self, phase: str, step: int, steps: int) -> None:
        if not self.enabled:
            return
        width = 24
        filled = int(width * step / max(steps, 1))
        elapsed = time.perf_counter() - self.started
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {phase:<14} {elapsed:5.1f} s")
        if step >= steps:
            self.stream.write("\r" + " " * (width + 30) + "\r")
        self.stream.flush()


# --- init, keys ---------------------------------------------------------------------------------


def _env_file() -> Path:
    return Path(".env")


def cmd_init(ctx: Context) -> int:
    settings = ctx.settings
    notes: list[str] = []
    key_written = False
    if settings.secret_key is None:
        path = _env_file()
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
        line = f"SQLDRAFT_SECRET_KEY={generate_key()}\n"
        with path.open("a", encoding="utf-8") as fh:
            if existing and not existing.endswith("\n"):
                fh.write("\n")
            fh.write(line)
        os.chmod(path, 0o600)
        key_written = True
        ctx.warn(
            f"wrote a new SQLDRAFT_SECRET_KEY to {path.resolve()}: keep it safe and back it up; without it the "
            "stored database passwords cannot be read"
        )
        ctx._settings = None
        settings = ctx.settings
    from core.crypto import Cipher
    from core.store import Store

    Cipher(settings.secret_key)  # a malformed key is reported before anything else changes
    store = Store(settings.effective_store_url())
    try:
        before, after = store.upgrade()
    finally:
        store.dispose()
    if before is None:
        notes.append(f"created the store at {store.display_url()}")
    elif before != after:
        notes.append(f"upgraded the store at {store.display_url()} from {before} to {after}")
    else:
        notes.append(f"the store at {store.display_url()} is up to date ({after})")
    ctx.emit(
        {"store": store.display_url(), "revision_before": before, "revision": after, "secret_key_written": key_written},
        "\n".join(notes),
    )
    return 0


def cmd_keys_generate(ctx: Context) -> int:
    key = generate_key()
    ctx.emit({"key": key}, key)
    return 0


def cmd_keys_rotate(ctx: Context) -> int:
    count = ctx.copilot.rotate_keys()
    ctx.emit(
        {"reencrypted": count},
        f"re-encrypted {count} credential(s) with the first key of SQLDRAFT_SECRET_KEY; "
        "the other keys can be removed once every process uses the new setting",
    )
    return 0


# --- connections --------------------------------------------------------------------------------


def _csv(value: str | None) -> list[str]:
    return [p.strip() for p in value.split(",") if p.strip()] if value else []


def _read_password(args: argparse.Namespace) -> str | None:
    sources = [s for s in (args.password_env, args.password_file, args.ask_password or None) if s]
    if len(sources) > 1:
        raise InvalidInput("give the password one way: --password-env, --password-file or --ask-password")
    if args.password_env:
        value = os.environ.get(args.password_env)
        if not value:
            raise InvalidInput(f"environment variable {args.password_env} is not set or empty")
        return value
    if args.password_file:
        path = Path(args.password_file)
        try:
            value = path.read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"cannot read the password file {path}: {exc.strerror or 'not UTF-8 text'}") from None
        if not value:
            raise InvalidInput(f"the password file {path} is empty")
        return value
    if args.ask_password:
        if not sys.stdin.isatty():
            raise InvalidInput("--ask-password needs a terminal: use --password-env or --password-file instead")
        return getpass.getpass("password: ")
    return None


def _options_from_args(args: argparse.Namespace) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if args.schemas is not None:
        changes["include_schemas"] = _csv(args.schemas)
    if args.exclude_schemas is not None:
        changes["exclude_schemas"] = _csv(args.exclude_schemas)
    if args.refresh is not None:
        changes["refresh"] = args.refresh
    if args.notify_channel is not None:
        changes["notify_channel"] = args.notify_channel or None
    if args.approvers is not None:
        changes["approvers"] = _csv(args.approvers)
    if args.allow_self_approval is not None:
        changes["allow_self_approval"] = parse_bool("--allow-self-approval", args.allow_self_approval)
    if args.safe_functions is not None:
        changes["safe_functions"] = _csv(args.safe_functions)
    return changes


def cmd_connections_add(ctx: Context) -> int:
    args = ctx.args
    options = ConnectionOptions.from_dict(_options_from_args(args))
    profile = ctx.copilot.add_connection(args.name, args.url, password=_read_password(args), options=options)
    ctx.emit(
        profile.to_dict(),
        f"added connection {profile.name} ({profile.dialect.value}, {profile.url}); "
        f"next: `sqldraft connections verify {profile.name}` and `sqldraft snapshot refresh {profile.name}`",
    )
    return 0


def cmd_connections_list(ctx: Context) -> int:
    profiles = ctx.copilot.list_connections()
    now = ctx.copilot.clock()

    def render() -> str:
        if not profiles:
            return "no connections yet: add one with `sqldraft connections add NAME URL`"
        rows = []
        for p in profiles:
            last = p.last_refresh
            state = "-" if last is None else (f"error: {last.error}" if last.status == "error" else last.status)
            rows.append(
                [
                    p.name,
                    p.dialect.value,
                    p.url,
                    p.table_count if p.table_count is not None else "-",
                    ago(p.snapshot_taken_at, now) if p.snapshot_taken_at else "none",
                    ago(last.at, now) if last else "never",
                    state,
                    str(p.schedule(ctx.settings.default_refresh)),
                ]
            )
        return table(rows, ["name", "dialect", "url", "tables", "snapshot", "refreshed", "last refresh", "schedule"])

    ctx.emit([p.to_dict() for p in profiles], render)
    return 0


def cmd_connections_verify(ctx: Context) -> int:
    report = ctx.copilot.verify_connection(ctx.args.name)

    def render() -> str:
        if not report.ok:
            return f"FAILED after {report.elapsed_ms} ms: {report.error}"
        lines = [f"ok: {report.name} answered in {report.elapsed_ms} ms ({report.server_version})"]
        if report.can_write:
            lines.append("warning: this role can write: " + "; ".join(report.write_reasons))
            lines.append(
                "sqldraft only reads the catalog; a read-only role is recommended: " + (report.read_only_hint or "")
            )
        else:
            lines.append("the role is read-only, as recommended")
        return "\n".join(lines)

    ctx.emit(report.to_dict(), render)
    if not report.ok:
        if not ctx.json:
            return 2
        ctx.err.write(f"sqldraft: {report.error}\n")
        return 2
    return 0


def cmd_connections_set(ctx: Context) -> int:
    changes = _options_from_args(ctx.args)
    if not changes:
        raise InvalidInput(
            "nothing to change: give --schemas, --exclude-schemas, --refresh, --notify-channel, --approvers, "
            "--allow-self-approval or --safe-functions"
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


# --- snapshots ----------------------------------------------------------------------------------


def render_refresh(result: Any) -> str:
    if result.error:
        return f"refresh of {result.connection} FAILED after {result.duration_ms} ms: {result.error}"
    snap = result.snapshot
    head = {
        "created": f"first snapshot of {result.connection}: {snap.table_count} tables and views",
        "changed": f"{result.connection} changed: new snapshot #{snap.id} ({snap.table_count} tables and views)",
        "unchanged": f"{result.connection} unchanged since snapshot #{snap.id} (checksum {snap.checksum[:12]})",
    }[result.status]
    lines = [f"{head} in {result.duration_ms} ms"]
    if result.status == "changed" and result.diff is not None:
        lines += ["  " + line for line in result.diff.summary_lines()]
    return "\n".join(lines)


def cmd_snapshot_refresh(ctx: Context) -> int:
    copilot = ctx.copilot
    names = [p.name for p in copilot.list_connections()] if ctx.args.all else [ctx.args.name]
    if not names or names == [None]:
        raise InvalidInput("give a connection name, or --all")
    results = []
    for name in names:
        result = copilot.refresh_snapshot(name, progress=ProgressBar(ctx.err, not ctx.json))
        assert result is not None
        results.append(result)
    ctx.emit(
        [r.to_dict() for r in results] if ctx.args.all else results[0].to_dict(),
        lambda: "\n".join(render_refresh(r) for r in results),
    )
    failed = [r for r in results if r.error]
    if failed and ctx.json:
        for r in failed:
            ctx.err.write(f"sqldraft: {r.error}\n")
    return 2 if failed else 0


def render_table_detail(t: Any) -> str:
    lines = [f"{t.kind.value} {t.key}" + (f"  -- {t.comment}" if t.comment else "")]
    if t.row_estimate is not None:
        lines.append(f"  about {t.row_estimate} rows")
    for c in t.columns:
        bits = [c.type, "NULL" if c.nullable else "NOT NULL"]
        if c.default is not None:
            bits.append(f"DEFAULT {c.default}")
        if c.identity:
            bits.append(f"identity {c.identity}")
        if c.generated:
            bits.append(f"GENERATED {c.generated}")
        if c.enum_labels:
            bits.append("one of " + ", ".join(c.enum_labels))
        lines.append(f"  {c.name}  {' '.join(bits)}" + (f"  -- {c.comment}" if c.comment else ""))
    if t.primary_key:
        lines.append(f"  primary key ({', '.join(t.primary_key)})")
    for fk in t.foreign_keys:
        lines.append(f"  foreign key ({', '.join(fk.columns)}) -> {fk.ref_key} ({', '.join(fk.ref_columns)})")
    for ix in t.indexes:
        lines.append(f"  {'unique ' if ix.unique else ''}index {ix.name} ({', '.join(ix.columns)})")
    if t.depends_on:
        lines.append(f"  reads {', '.join(t.depends_on)}")
    return "\n".join(lines)


def cmd_snapshot_show(ctx: Context) -> int:
    copilot = ctx.copilot
    status = copilot.snapshot_status(ctx.args.name)
    schema = None
    if status["snapshot"] is not None and (ctx.args.table or ctx.args.tables):
        _, schema = copilot.current_schema(ctx.args.name)
    if ctx.args.table:
        assert schema is not None
        from core.services.schema_search import find_table

        t = find_table(schema, ctx.args.table)
        ctx.emit(t.to_dict() | {"row_estimate": t.row_estimate}, lambda: render_table_detail(t))
        return 0
    if schema is not None:
        status["tables"] = [
            {
                "key": t.key,
                "kind": t.kind.value,
                "columns": len(t.columns),
                "rows": t.row_estimate,
                "comment": t.comment,
            }
            for t in schema.tables
        ]

    def render() -> str:
        conn, snap = status["connection"], status["snapshot"]
        lines = [f"connection {conn['name']} ({conn['dialect']}, {conn['url']})"]
        if snap is None:
            lines.append(f"no snapshot yet: take one with `sqldraft snapshot refresh {conn['name']}`")
        else:
            lines.append(
                f"snapshot #{snap['id']}: {snap['table_count']} tables and views, server {snap['server_version']}, "
                f"checksum {snap['checksum'][:16]}, taken {snap['taken_at']}, "
                f"last confirmed {age_words(status['age_seconds'])} ago"
            )
        last = conn["last_refresh"]
        if last and last["status"] == "error":
            lines.append(f"last refresh FAILED at {last['at']}: {last['error']}")
            if snap is not None:
                lines.append(f"the snapshot in use is still #{snap['id']}")
        if status["recent_refreshes"]:
            lines.append("recent refreshes:")
            lines += [
                f"  {r['at']}  {r['trigger']:<9} {r['status']:<9} {r['duration_ms']} ms"
                + (f"  {r['error']}" if r["error"] else "")
                for r in status["recent_refreshes"]
            ]
        if "tables" in status:
            lines.append(
                table(
                    [
                        [
                            t["key"],
                            t["kind"],
                            t["columns"],
                            t["rows"] if t["rows"] is not None else "-",
                            (t["comment"] or "")[:60],
                        ]
                        for t in status["tables"]
                    ],
                    ["table", "kind", "columns", "rows", "comment"],
                )
            )
        return "\n".join(lines)

    ctx.emit(status, render)
    return 0


def cmd_snapshot_list(ctx: Context) -> int:
    snaps = ctx.copilot.list_snapshots(ctx.args.name)
    ctx.emit(
        [s.to_dict() for s in snaps],
        lambda: (
            table(
                [
                    [
                        s.id,
                        s.taken_at.isoformat(timespec="seconds"),
                        s.last_seen_at.isoformat(timespec="seconds"),
                        s.table_count,
                        s.checksum[:16],
                    ]
                    for s in snaps
                ],
                ["id", "taken", "last confirmed", "tables", "checksum"],
            )
            if snaps
            else f"no snapshots of {ctx.args.name} yet"
        ),
    )
    return 0


def cmd_snapshot_diff(ctx: Context) -> int:
    old, new, diff = ctx.copilot.diff_snapshots(ctx.args.name, ctx.args.from_id, ctx.args.to_id)

    def render() -> str:
        head = f"snapshot #{old.id if old else '(none)'} -> #{new.id}"
        if diff.is_empty():
            return f"{head}: no changes"
        return "\n".join([head, *("  " + line for line in diff.summary_lines(limit=200))])

    ctx.emit({"from": old.to_dict() if old else None, "to": new.to_dict(), "diff": diff.to_dict()}, render)
    return 0


# --- validate -----------------------------------------------------------------------------------


def read_sql_argument(sql: str | None, file: str | None, stdin: TextIO) -> str:
    """The SQL from --sql, --file or standard input (``-``).

    Raises:
        InvalidInput: none or several sources, unreadable file, text that is not UTF-8.
    """
    given = [x for x in (sql, file) if x is not None]
    if len(given) != 1:
        raise InvalidInput("give the SQL one way: --sql TEXT, --file FILE, or --file - for standard input")
    if sql is not None:
        return sql
    assert file is not None
    if file == "-":
        data = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode("utf-8")
        where = "standard input"
    else:
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"cannot read {file}: {exc.strerror or exc}") from None
        where = file
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{where} is not valid UTF-8 (byte {exc.start}): save it as UTF-8 and try again") from None


def cmd_validate(ctx: Context) -> int:
    args = ctx.args
    sql = read_sql_argument(args.sql, args.file, sys.stdin)
    result = ctx.copilot.validate(
        sql, connection=args.connection, dialect=args.dialect, mode=args.mode, server_check=args.server_check
    )
    ctx.emit(result.to_dict(), lambda: render_validation(result))
    return 1 if result.status.value == "fail" else 0


# --- drafts -------------------------------------------------------------------------------------


def cli_principal() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"cli:{user}"


def cmd_draft(ctx: Context) -> int:
    args = ctx.args
    draft = ctx.copilot.draft(args.connection, args.request, mode=args.mode, requester=cli_principal())
    ctx.emit(draft.to_dict(), lambda: render_draft(draft, ctx.copilot.clock()))
    return 0 if draft.status.value in ("completed", "clarification_needed") else 2


def cmd_drafts_show(ctx: Context) -> int:
    draft = ctx.copilot.get_draft(ctx.args.id)
    ctx.emit(draft.to_dict(), lambda: render_draft(draft, ctx.copilot.clock(), show_attempts=True))
    return 0


def cmd_drafts_cancel(ctx: Context) -> int:
    draft = ctx.copilot.cancel_draft(ctx.args.id, principal=cli_principal())
    ctx.emit(draft.to_dict(), f"draft {draft.id} canceled")
    return 0


def cmd_drafts_retry(ctx: Context) -> int:
    draft = ctx.copilot.retry_draft(ctx.args.id, principal=cli_principal())
    ctx.emit(draft.to_dict(), lambda: render_draft(draft, ctx.copilot.clock()))
    return 0 if draft.status.value in ("completed", "clarification_needed") else 2


# --- review, history, examples, audit -----------------------------------------------------------


def cmd_review(ctx: Context) -> int:
    args = ctx.args
    copilot = ctx.copilot
    if args.decision == "reopen":
        record = copilot.reopen(args.id, cli_principal(), note=args.note)
    else:
        final = read_sql_argument(args.sql, args.file, sys.stdin) if args.decision == "edit" else None
        if args.decision != "edit" and (args.sql or args.file):
            raise InvalidInput("--sql and --file go with 'edit' only")
        record = copilot.review(args.id, args.decision, cli_principal(), note=args.note, final_script=final)

    def render() -> str:
        lines = [
            f"draft {record.draft_id}: {record.decision} by {record.reviewer}"
            + (f" ({record.note})" if record.note else "")
        ]
        if record.diff:
            lines += ["", record.diff.rstrip()]
        if record.validation:
            from core.validation.model import Validation

            lines += ["", "the final script re-validated:", render_validation(Validation.from_dict(record.validation))]
        return "\n".join(lines)

    ctx.emit(record.to_dict(), render)
    return 0


def _history_query(args: argparse.Namespace) -> HistoryQuery:
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
    copilot = ctx.copilot
    if args.id:
        detail = copilot.history_detail(args.id)
        draft = copilot.get_draft(args.id)

        def render_detail() -> str:
            lines = [render_draft(draft, copilot.clock(), show_attempts=True), "  review trail:"]
            if not detail["reviews"]:
                lines.append("    (no decision yet)")
            for r in detail["reviews"]:
                lines.append(
                    f"    {r['created_at']}  {r['decision']:<9} {r['reviewer']}"
                    + (f'  "{r["note"]}"' if r["note"] else "")
                )
                if r["diff"]:
                    lines += ["      " + line for line in r["diff"].rstrip().splitlines()]
            lines.append("  events:")
            lines += [f"    {e['at']}  {e['kind']:<22} {e['principal']}" for e in detail["events"]]
            return "\n".join(lines)

        ctx.emit(detail, render_detail)
        return 0
    query = _history_query(args)
    if args.export:
        out = open(args.output, "w", encoding="utf-8", newline="") if args.output else ctx.out  # noqa: SIM115
        try:
            for chunk in copilot.export_history(query, args.export):
                out.write(chunk)
        finally:
            if args.output:
                out.close()
        return 0
    page = copilot.history(query)

    def render() -> str:
        if not page.items:
            return "no drafts match" if any_filter(query.filters) else 'no drafts yet: try `sqldraft draft CONN "..."`'
        rows = [
            [
                r.id,
                r.created_at.strftime("%Y-%m-%d %H:%M"),
                r.connection,
                r.latest_status,
                r.review_status,
                r.lint_status or "-",
                r.risk_level or "-",
                r.requester,
                (r.request[:50] + "...") if len(r.request) > 53 else r.request,
            ]
            for r in page.items
        ]
        head = table(
            rows, ["id", "created (UTC)", "connection", "status", "review", "lint", "risk", "requester", "request"]
        )
        return f"{head}\npage {page.page} of {page.pages} ({page.total} drafts)"

    ctx.emit(page.to_dict(), render)
    return 0


def cmd_examples_list(ctx: Context) -> int:
    items = ctx.copilot.list_examples(ctx.args.connection, ctx.args.status)
    ctx.emit(
        [e.to_dict() for e in items],
        lambda: (
            table(
                [
                    [
                        e.id,
                        e.connection,
                        e.status + (" (negative)" if e.negative else ""),
                        e.request[:50],
                        " ".join(e.sql.split())[:60],
                    ]
                    for e in items
                ],
                ["id", "connection", "status", "request", "sql"],
            )
            if items
            else "no examples"
        ),
    )
    return 0


def cmd_examples_add(ctx: Context) -> int:
    args = ctx.args
    sql = read_sql_argument(args.sql, args.file, sys.stdin)
    info = ctx.copilot.add_example(
        args.connection,
        args.request,
        sql,
        principal=cli_principal(),
        mode=args.mode,
        negative=args.negative,
        note=args.note,
    )
    ctx.emit(info.to_dict(), f"added example #{info.id} to {info.connection}")
    return 0


def cmd_examples_remove(ctx: Context) -> int:
    info = ctx.copilot.remove_example(ctx.args.id, principal=cli_principal())
    ctx.emit(info.to_dict(), f"removed example #{info.id}")
    return 0


def cmd_audit(ctx: Context) -> int:
    args = ctx.args
    events = ctx.copilot.events(
        draft_id=args.draft,
        kind=args.kind,
        principal=args.principal,
        since=parse_datetime("--since", args.since),
        limit=args.limit,
    )
    ctx.emit(
        [e.to_dict() for e in events],
        lambda: (
            table(
                [
                    [
                        e.at.strftime("%Y-%m-%d %H:%M:%S"),
                        e.kind,
                        e.principal,
                        e.draft_id or "",
                        e.connection or "",
                        json.dumps(e.detail)[:60],
                    ]
                    for e in events
                ],
                ["at (UTC)", "event", "principal", "draft", "connection", "detail"],
            )
            if events
            else "no events"
        ),
    )
    return 0


# --- scheduler ----------------------------------------------------------------------------------


def cmd_scheduler(ctx: Context) -> int:
    from core.scheduler import RefreshScheduler, run_due_once

    copilot = ctx.copilot
    if ctx.args.once:
        results = run_due_once(copilot)
        ctx.emit(
            results,
            lambda: "\n".join(f"{name}: {status}" for name, status in results.items()) or "no connections to refresh",
        )
        return 0
    logging.basicConfig(level=ctx.settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    scheduler = RefreshScheduler(copilot)
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


# --- demo ---------------------------------------------------------------------------------------


def cmd_demo(ctx: Context) -> int:
    from core.demo.run import run_demo

    return run_demo(ctx)


# --- parser -------------------------------------------------------------------------------------


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks and debug logs"
    )
    return common


def _connection_option_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--approvers", metavar="P,Q", help="who may approve this connection's drafts (principals, groups)")
    p.add_argument(
        "--allow-self-approval",
        metavar="yes|no",
        help="let the requester of a dml/ddl draft approve it too (default no)",
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


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="sqldraft", parents=[common], description="Draft, validate and review SQL against your real schema."
    )
    parser.add_argument("--version", action="version", version=f"sqldraft {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(subparsers: Any, name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = subparsers.add_parser(
            name, parents=[common], help=help_text, description=help_text
        )
        p.set_defaults(handler=handler)
        return p

    add(sub, "init", cmd_init, "create or upgrade the store; write a secret key to .env if none is set")
    add(sub, "demo", cmd_demo, "run the demo on a bundled sample database (no network, nothing to configure)")

    conns = sub.add_parser("connections", parents=[common], help="manage connection profiles")
    csub = conns.add_subparsers(dest="subcommand", metavar="ACTION", required=True)
    p = add(csub, "add", cmd_connections_add, "add a connection profile")
    p.add_argument("name", help="a short name: letters, digits, '_', '.', '-'")
    p.add_argument("url", help="postgresql://user@host:5432/db, mysql://user@host/db or sqlite:///path.db")
    p.add_argument("--password-env", metavar="VAR", help="read the password from this environment variable")
    p.add_argument("--password-file", metavar="FILE", help="read the password from this file")
    p.add_argument("--ask-password", action="store_true", help="prompt for the password")
    _connection_option_args(p)
    add(csub, "list", cmd_connections_list, "list connections with their snapshot and last refresh")
    p = add(csub, "verify", cmd_connections_verify, "connect, report the server version and whether the role can write")
    p.add_argument("name")
    p = add(csub, "set", cmd_connections_set, "change a connection's options")
    p.add_argument("name")
    _connection_option_args(p)
    p = add(csub, "remove", cmd_connections_remove, "remove a connection and its snapshots")
    p.add_argument("name")
    p.add_argument("--force", action="store_true", help="remove it even if drafts reference it (they are kept)")

    keys = sub.add_parser("keys", parents=[common], help="manage the Fernet keys that encrypt credentials")
    ksub = keys.add_subparsers(dest="subcommand", metavar="ACTION", required=True)
    add(ksub, "generate", cmd_keys_generate, "print a fresh key")
    add(ksub, "rotate", cmd_keys_rotate, "re-encrypt every credential with the first key of SQLDRAFT_SECRET_KEY")

    snap = sub.add_parser("snapshot", parents=[common], help="take and inspect schema snapshots")
    ssub = snap.add_subparsers(dest="subcommand", metavar="ACTION", required=True)
    p = add(ssub, "refresh", cmd_snapshot_refresh, "snapshot a connection's schema now")
    p.add_argument("name", nargs="?")
    p.add_argument("--all", action="store_true", help="refresh every connection")
    p = add(ssub, "show", cmd_snapshot_show, "show the snapshot in use and the last refreshes")
    p.add_argument("name")
    p.add_argument("--tables", action="store_true", help="list the tables")
    p.add_argument("--table", metavar="NAME", help="show one table in detail")
    p = add(ssub, "list", cmd_snapshot_list, "list a connection's snapshots")
    p.add_argument("name")
    p = add(ssub, "diff", cmd_snapshot_diff, "what changed between two snapshots (default: the last change)")
    p.add_argument("name")
    p.add_argument("--from", dest="from_id", type=int, metavar="ID")
    p.add_argument("--to", dest="to_id", type=int, metavar="ID")

    p = add(sub, "draft", cmd_draft, "draft a SQL script for a plain-language request (nothing is executed)")
    p.add_argument("connection", help="the connection whose schema to draft against")
    p.add_argument("request", help="what the SQL should do, in plain language (at most 4,000 characters)")
    p.add_argument("--mode", default="query", help="query (default), dml or ddl")

    drafts = sub.add_parser("drafts", parents=[common], help="show, cancel or retry a draft")
    dsub = drafts.add_subparsers(dest="subcommand", metavar="ACTION", required=True)
    for action, handler, text in (
        ("show", cmd_drafts_show, "show a draft with its attempts"),
        ("cancel", cmd_drafts_cancel, "cancel a queued or running draft"),
        ("retry", cmd_drafts_retry, "run a failed draft again"),
    ):
        p = add(dsub, action, handler, text)
        p.add_argument("id", help="the draft id (d + 9 letters and digits)")

    p = add(sub, "review", cmd_review, "approve, reject or edit a draft (or reopen a decided one)")
    p.add_argument("id", help="the draft id")
    p.add_argument("decision", choices=["approve", "reject", "edit", "reopen"])
    p.add_argument("--note", help="why (kept in the trail; a rejection's note teaches later drafts)")
    p.add_argument("--sql", metavar="TEXT", help="edit: the final script")
    p.add_argument("--file", metavar="FILE", help="edit: a file with the final script, or - for standard input")

    p = add(sub, "history", cmd_history, "list drafts (filters, sorting, pages), show one, or export")
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
    p.add_argument("--export", choices=["jsonl", "csv"], help="every matching draft, not one page")
    p.add_argument("--output", metavar="FILE", help="with --export: write here instead of standard output")

    examples = sub.add_parser("examples", parents=[common], help="the library of approved examples")
    esub = examples.add_subparsers(dest="subcommand", metavar="ACTION", required=True)
    p = add(esub, "list", cmd_examples_list, "list examples")
    p.add_argument("connection", nargs="?")
    p.add_argument("--status", help="active (default), stale, removed or all")
    p = add(esub, "add", cmd_examples_add, "add an example by hand (it must validate)")
    p.add_argument("connection")
    p.add_argument("--request", required=True, help="the plain-language request")
    p.add_argument("--sql", metavar="TEXT")
    p.add_argument("--file", metavar="FILE")
    p.add_argument("--mode", default="query")
    p.add_argument("--negative", action="store_true", help="an example of what not to do")
    p.add_argument("--note", help="why (for a negative example)")
    p = add(esub, "remove", cmd_examples_remove, "remove an example")
    p.add_argument("id", type=int)

    p = add(sub, "audit", cmd_audit, "the audit log: every state change with its principal and time")
    p.add_argument("--draft", metavar="ID")
    p.add_argument("--kind", help="an event kind (review.approved) or a prefix ending in a dot (review.)")
    p.add_argument("--principal")
    p.add_argument("--since", metavar="DATE")
    p.add_argument("--limit", type=int, default=100)

    p = add(sub, "validate", cmd_validate, "validate SQL against a connection's snapshot (exit 1 when it fails)")
    p.add_argument("connection", nargs="?", help="the connection whose snapshot to check against")
    p.add_argument("--sql", metavar="TEXT", help="the SQL text")
    p.add_argument("--file", metavar="FILE", help="a file of SQL, or - for standard input")
    p.add_argument("--mode", default="query", help="query (default), dml or ddl: what the script is meant to do")
    p.add_argument(
        "--dialect", metavar="D", help="postgresql, mysql or sqlite: check syntax and risk without a connection"
    )
    p.add_argument(
        "--server-check", action="store_true", help="also let the database prepare each statement (nothing is executed)"
    )

    p = add(sub, "scheduler", cmd_scheduler, "run the refresh scheduler in the foreground")
    p.add_argument("--once", action="store_true", help="refresh what is due once and exit")

    return parser


def _log_file() -> Path | None:
    """Where the command line logs incidents (tracebacks stay out of the terminal)."""
    from core.paths import default_data_dir

    base = Path(os.environ.get("SQLDRAFT_DATA_DIR") or default_data_dir())
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return base / "sqldraft.log"


def _setup_logging(debug: bool) -> Path | None:
    root = logging.getLogger()
    if debug:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
        return None
    path = _log_file()
    if path is not None and not any(isinstance(h, logging.FileHandler) for h in root.handlers):
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(logging.WARNING)
        root.addHandler(handler)
    elif path is None:
        root.addHandler(logging.NullHandler())
    return path


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one command; errors are one line on stderr with exit code 2 (``--debug`` adds the traceback)."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    debug = bool(getattr(args, "debug", False))
    log_path = _setup_logging(debug)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(out)
        return 2
    ctx = Context(args, out, err)
    try:
        return handler(ctx)
    except SqldraftError as exc:
        if debug:
            traceback.print_exc(file=err)
        err.write(f"sqldraft: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        err.write("sqldraft: interrupted\n")
        return 130
    except Exception as exc:
        if debug:
            traceback.print_exc(file=err)
        incident = report_incident(log, exc, f"sqldraft {getattr(args, 'command', '')}")
        where = f" (details in {log_path})" if log_path else ""
        err.write(f"sqldraft: unexpected error, incident {incident}{where}; run again with --debug to see it\n")
        return 2
    finally:
        ctx.close()
