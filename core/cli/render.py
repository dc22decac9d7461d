"""Text rendering of the command line's results (``--json`` prints the data instead)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from core.errors import Hint, SqldraftError
from core.textfmt import age_words, render_validation

if TYPE_CHECKING:
    from core.demo.run import DemoReport
    from core.domain.audit import Event
    from core.domain.connections import ConnectionProfile, VerifyReport
    from core.domain.diff import SchemaDiff
    from core.domain.drafts import Draft
    from core.domain.examples import ExampleInfo
    from core.domain.history import HistoryPage
    from core.domain.review import ReviewRecord
    from core.domain.schema import Table
    from core.domain.snapshots import RefreshResult, SnapshotInfo
    from core.scheduler import ScheduledRun

__all__ = ["age_words", "ago", "error_text", "render_draft", "render_validation", "table"]

HINTS: Mapping[Hint, str] = {
    Hint.REFRESH_SNAPSHOT: "take one with `sqldraft snapshot refresh {arg}`",
    Hint.ADD_CONNECTION: "add one with `sqldraft connections add NAME URL`",
    Hint.LIST_DRAFTS: "list recent drafts with `sqldraft history`",
    Hint.LIST_EXAMPLES: "see `sqldraft examples list`",
    Hint.USE_FORCE: "use --force to remove it anyway (the drafts are kept)",
    Hint.GIVE_DIALECT: "name a connection, or give --dialect to check syntax and risk without one",
    Hint.OMIT_DIALECT: "leave --dialect out, or drop the connection to check in another dialect",
    Hint.GENERATE_KEY: "generate one with `sqldraft keys generate` (or `sqldraft init`)",
    Hint.UPGRADE_STORE: "run `sqldraft init` to upgrade it",
    Hint.FORCE_INTO_EXISTING: "or, to share that database on purpose, run `sqldraft init --force-into-existing`",
    Hint.WAIT: "try again in {arg}",
    Hint.ROTATE_KEYS: "to rotate, put a new key first in SQLDRAFT_SECRET_KEY (NEW,OLD) and run `sqldraft keys rotate`",
    Hint.ALLOW_INVALID: "add --allow-invalid to save it anyway",
    Hint.REPAIR_DRAFT: "`sqldraft draft --repair {arg}` asks for a corrected script",
}
"""Each hint a core error carries, as the command line says it."""


def error_text(exc: SqldraftError) -> str:
    """A core error as the command line reports it: its message, then its hints as commands and options."""
    return exc.render(HINTS)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """Left-aligned columns with a header row."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def ago(when: datetime | None, now: datetime) -> str:
    """'3 s ago', '3 min ago', '2 h ago', '4 d ago'."""
    if when is None:
        return "never"
    return f"{age_words(max(0, int((now - when).total_seconds())))} ago"


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


# --- drafts -------------------------------------------------------------------------------------


def render_draft(d: Draft, now: datetime, *, show_attempts: bool = False) -> str:
    """A draft as text: status, request, SQL, explanation, assumptions, findings, open questions."""
    age = d.snapshot_age_seconds(now)
    lines = [
        f"draft {d.id}  {d.status.value}  on {d.connection} ({d.mode})  by {d.requester}",
        f"  request: {d.request}",
    ]
    if d.submitted:
        lines.append(f"  submitted for review by {d.requester}, not generated: the script is theirs, validated here")
    if age is not None:
        lines.append(
            f"  schema snapshot confirmed {age_words(age)} ago; generator: {d.generator}"
            + (f" ({d.llm.model})" if d.llm.model and d.llm.model != d.generator else "")
        )
    if d.review_request:
        rr = d.review_request
        lines.append(
            f"  review requested in channel {rr['channel']}: {rr['status']}"
            + (f" (last error: {rr['last_error']})" if rr.get("last_error") and rr["status"] != "delivered" else "")
        )
    if d.error_message:
        lines.append(f"  error: {d.error_message}")
    if d.generated_script:
        script = d.effective_script_text or d.generated_script
        lines += ["", *("    " + line for line in script.splitlines()), ""]
    if d.explanation:
        lines.append(f"  explanation: {d.explanation}")
    lines += [f"  assumption: {a}" for a in d.assumptions]
    lines += [f"  question: {q}" for q in d.unresolved_questions]
    if d.confidence is not None:
        lines.append(f"  confidence: {d.confidence:.2f}")
    if d.warning:
        lines.append(f"  WARNING: {d.warning}")
    if d.validation:
        lines.append(render_validation(_validation(d.validation), indent="  "))
    if show_attempts and d.attempts:
        lines.append("  attempts:")
        for a in d.attempts:
            detail = a.error or (f"{a.lint_status}, {len(a.findings)} error(s)" if a.lint_status else "")
            lines.append(
                f"    #{a.number} {a.kind:<8} {a.latency_ms} ms  {a.prompt_tokens}+{a.completion_tokens} "
                f"tokens  {detail}"
            )
    return "\n".join(lines)


def _validation(data: Mapping[str, Any]) -> Any:
    from core.validation.model import Validation

    return Validation.from_dict(dict(data))


def render_review(record: ReviewRecord) -> str:
    lines = [
        f"draft {record.draft_id}: {record.decision} by {record.reviewer}"
        + (" under an OVERRIDE" if record.override else "")
        + (f" ({record.note})" if record.note else "")
    ]
    if record.diff:
        lines += ["", record.diff.rstrip()]
    if record.validation:
        lines += ["", "the final script re-validated:", render_validation(_validation(record.validation))]
    return "\n".join(lines)


# --- connections --------------------------------------------------------------------------------


def render_connections(profiles: Sequence[ConnectionProfile], now: datetime, default_refresh: str) -> str:
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
                str(p.schedule(default_refresh)),
            ]
        )
    return table(rows, ["name", "dialect", "url", "tables", "snapshot", "refreshed", "last refresh", "schedule"])


def render_verify(report: VerifyReport) -> str:
    """A successful verification (a failed one is an error line on stderr)."""
    lines = [f"ok: {report.name} answered in {report.elapsed_ms} ms ({report.server_version})"]
    if report.can_write:
        lines.append("warning: this role can write: " + "; ".join(report.write_reasons))
        lines.append(
            "sqldraft only reads the catalog; a read-only role is recommended: " + (report.read_only_hint or "")
        )
    else:
        lines.append("the role is read-only, as recommended")
    return "\n".join(lines)


# --- snapshots ----------------------------------------------------------------------------------


def refresh_failure(result: RefreshResult) -> str:
    return f"refresh of {result.connection} FAILED after {result.duration_ms} ms: {result.error}"


def render_refresh(result: RefreshResult) -> str:
    """A refresh that worked: created, changed (with the changes) or unchanged."""
    snap = result.snapshot
    assert snap is not None
    head = {
        "created": f"first snapshot of {result.connection}: {snap.table_count} tables and views",
        "changed": f"{result.connection} changed: new snapshot #{snap.id} ({snap.table_count} tables and views)",
        "unchanged": f"{result.connection} unchanged since snapshot #{snap.id} (checksum {snap.checksum[:12]})",
    }[result.status]
    lines = [f"{head} in {result.duration_ms} ms"]
    if result.status == "changed" and result.diff is not None:
        lines += ["  " + line for line in result.diff.summary_lines()]
    return "\n".join(lines)


def table_rows(tables: Sequence[Table]) -> list[dict[str, Any]]:
    """The ``--tables`` listing of ``snapshot show`` (also its JSON)."""
    return [
        {"key": t.key, "kind": t.kind.value, "columns": len(t.columns), "rows": t.row_estimate, "comment": t.comment}
        for t in tables
    ]


def render_table_detail(t: Table) -> str:
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
    lines += [
        f"  foreign key ({', '.join(fk.columns)}) -> {fk.ref_key} ({', '.join(fk.ref_columns)})"
        for fk in t.foreign_keys
    ]
    lines += [f"  {'unique ' if ix.unique else ''}index {ix.name} ({', '.join(ix.columns)})" for ix in t.indexes]
    if t.depends_on:
        lines.append(f"  reads {', '.join(t.depends_on)}")
    return "\n".join(lines)


def render_snapshot_status(status: Mapping[str, Any]) -> str:
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
        rows = [
            [t["key"], t["kind"], t["columns"], t["rows"] if t["rows"] is not None else "-", (t["comment"] or "")[:60]]
            for t in status["tables"]
        ]
        lines.append(table(rows, ["table", "kind", "columns", "rows", "comment"]))
    return "\n".join(lines)


def render_snapshot_list(snaps: Sequence[SnapshotInfo], name: str) -> str:
    if not snaps:
        return f"no snapshots of {name} yet"
    rows = [
        [
            s.id,
            s.taken_at.isoformat(timespec="seconds"),
            s.last_seen_at.isoformat(timespec="seconds"),
            s.table_count,
            s.checksum[:16],
        ]
        for s in snaps
    ]
    return table(rows, ["id", "taken", "last confirmed", "tables", "checksum"])


def render_snapshot_diff(old: SnapshotInfo | None, new: SnapshotInfo, diff: SchemaDiff) -> str:
    head = f"snapshot #{old.id if old else '(none)'} -> #{new.id}"
    if diff.is_empty():
        return f"{head}: no changes"
    return "\n".join([head, *("  " + line for line in diff.summary_lines(limit=200))])


# --- history, examples, audit -------------------------------------------------------------------


def render_history_detail(draft: Draft, detail: Mapping[str, Any], now: datetime) -> str:
    lines = [render_draft(draft, now, show_attempts=True), "  review trail:"]
    if not detail["reviews"]:
        lines.append("    (no decision yet)")
    for r in detail["reviews"]:
        lines.append(
            f"    {r['created_at']}  {r['decision']:<9} {r['reviewer']}"
            + ("  OVERRIDE" if r.get("override") else "")
            + (f'  "{r["note"]}"' if r["note"] else "")
        )
        if r["diff"]:
            lines += ["      " + line for line in r["diff"].rstrip().splitlines()]
    lines.append("  events:")
    lines += [
        f"    {e['at']}  {e['kind']:<24} {e['principal']}" + (f"  {why}" if (why := _event_reason(e)) else "")
        for e in detail["events"]
    ]
    return "\n".join(lines)


def _event_reason(event: Mapping[str, Any]) -> str:
    """The why of an audit event, in one short line (a denial's reason, an override's note, a failed delivery)."""
    detail = event.get("detail") or {}
    parts = [str(detail[k]) for k in ("reason", "channel", "error") if detail.get(k)]
    if detail.get("next_attempt_at"):
        parts.append(f"retry at {detail['next_attempt_at']}")
    elif detail.get("gave_up"):
        parts.append("gave up")
    text = "; ".join(parts)
    return text if len(text) <= 160 else text[:157] + "..."


def render_history_page(page: HistoryPage, filtered: bool) -> str:
    if not page.items:
        return "no drafts match" if filtered else 'no drafts yet: try `sqldraft draft CONN "..."`'
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


def render_examples(items: Sequence[ExampleInfo]) -> str:
    if not items:
        return "no examples"
    rows = [
        [
            e.id,
            e.connection,
            e.status + (" (negative)" if e.negative else ""),
            e.request[:40],
            " ".join(e.sql.split())[:40],
            (e.status_reason or "")[:70],
        ]
        for e in items
    ]
    return table(rows, ["id", "connection", "status", "request", "sql", "why"])


def render_events(events: Sequence[Event]) -> str:
    if not events:
        return "no events"
    rows = [
        [
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.kind,
            e.principal,
            e.draft_id or "",
            e.connection or "",
            json.dumps(e.detail)[:60],
        ]
        for e in events
    ]
    return table(rows, ["at (UTC)", "event", "principal", "draft", "connection", "detail"])


def render_scheduled(runs: Mapping[str, ScheduledRun]) -> str:
    return "\n".join(f"{name}: {run}" for name, run in runs.items()) or "no connections to refresh"


# --- demo ---------------------------------------------------------------------------------------


def render_demo(report: DemoReport) -> str:
    snap = report.snapshot.snapshot
    assert snap is not None
    lines = [
        "sqldraft demo: a small shop database, an embedded store, no network.",
        f"  sample database  {report.database}",
        f"  demo store       {report.store}",
        "",
        f"1. registered connection {report.connection.name!r} ({report.connection.dialect.value})",
        f"2. snapshot #{snap.id}: {len(report.tables)} tables and views, "
        f"checksum {snap.checksum[:16]}, {report.snapshot.duration_ms} ms",
    ]
    for t in report.tables:
        fks = ", ".join(f"{'/'.join(fk.columns)} -> {fk.ref_table}" for fk in t.foreign_keys)
        rows = f"{t.row_estimate} rows" if t.row_estimate is not None else t.kind.value
        lines.append(f"   {t.name:<22} {len(t.columns):>2} columns  {rows:<10} {t.comment or ''}")
        if fks:
            lines.append(f"   {'':<22} references {fks}")
    lines.append(
        f"3. refreshed again: {report.refresh_again.status} (a new snapshot is stored only when the checksum changes)"
    )
    lines.append("4. drafted three requests with the offline generator (no model, no network):")
    for draft in report.drafts:
        lines += ["", render_draft(draft, report.now)]
    approved, edited = report.approved, report.edited
    lines += ["", f"5. {approved.reviewer} approved draft {approved.draft_id}; it is now an example for later prompts"]
    lines += [
        f"6. {edited.reviewer} edited draft {edited.draft_id}; the diff (generated.sql -> final.sql):",
        "",
        edited.diff.rstrip() if edited.diff else "",
        "",
    ]
    if edited.validation:
        first = render_validation(_validation(edited.validation)).splitlines()[0]
        lines.append(f"   the final script, re-validated: {first}")
    history = table(
        [
            [r.id, r.latest_status, r.review_status, r.reviewed_by or "-", r.lint_status or "-", r.request]
            for r in report.history.items
        ],
        ["id", "status", "review", "reviewed by", "lint", "request"],
    )
    lines += ["", "7. history:", *("   " + line for line in history.splitlines())]
    lines += [
        "",
        "Explore the demo store:",
        f"  export SQLDRAFT_STORE_URL=sqlite:///{report.demo_dir / 'store.db'}",
        "  sqldraft history                 # every draft; sqldraft history ID for one with its trail",
        "  sqldraft snapshot show shop --tables",
        "  sqldraft examples list           # the approved and edited drafts, now examples",
        "  sqldraft-mcp                     # the same, as MCP tools for an AI assistant (docs/mcp.md)",
    ]
    return "\n".join(lines)
