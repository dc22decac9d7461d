"""Ephemeral text answers built from core results (pure functions, no Slack calls).

Slack shows them as mrkdwn; principals (``slack:U123``) become mentions with :func:`with_mentions`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.errors import explain
from core.domain.connections import ConnectionProfile
from core.domain.history import HistoryPage
from core.domain.llm import LlmStatus
from core.domain.snapshots import RefreshResult
from core.errors import InvalidEdit, SqldraftError
from core.validation.model import Validation

MODAL_ERROR_LIMIT = 2000
"""Slack refuses a modal error longer than this."""
_PRINCIPAL = re.compile(r"\bslack:([A-Z0-9]+)\b")


def with_mentions(text: str) -> str:
    """Core messages name principals (slack:U123); Slack shows them as mentions."""
    return _PRINCIPAL.sub(lambda m: f"<@{m.group(1)}>", text)


def warning(exc: SqldraftError) -> str:
    return f":warning: {explain(exc)}"


def age_words(seconds: float) -> str:
    """'42 s', '5 min', '3 h', '2 d'."""
    s = int(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        return f"{s // 3600} h"
    return f"{s // 86400} d"


def usage(message: str) -> str:
    return f":warning: {message}\nSee `/sqldraft help` for everything it does."


def llm_status(status: LlmStatus) -> str:
    """Who drafts, as ``sqldraft llm status`` says it, and what the LLM setup lacks."""
    if status.generator == "llm" and status.configured:
        return (
            f"*Drafting:* model `{status.model}` at `{status.host}` (at most {status.timeout_s:g} s per model call, "
            f"{status.attempts} attempt(s)). An operator checks the endpoint with `sqldraft llm check`."
        )
    if status.generator == "llm":
        return (
            ":warning: *Drafting:* the model is not configured: an operator sets "
            + " and ".join(f"`{m}`" for m in status.missing)
            + " (drafts fail until then)."
        )
    return (
        "*Drafting:* the offline generator (simple requests only, no model); it declines what it cannot draft "
        "exactly. An operator configures a model with `SQLDRAFT_LLM_MODEL` and `SQLDRAFT_LLM_BASE_URL` or "
        "`SQLDRAFT_LLM_API_KEY`."
    )


def connections(profiles: Sequence[ConnectionProfile], bound: str | None) -> str:
    """One line per connection: dialect, tables in its snapshot, a failed last refresh, the channel's default."""
    lines = []
    for p in profiles:
        state = f"{p.table_count} tables" if p.table_count is not None else "no snapshot yet"
        if p.last_refresh and p.last_refresh.status == "error":
            state += f" (last refresh failed: {p.last_refresh.error})"
        default = " *(this channel's default)*" if p.name == bound else ""
        lines.append(f"• `{p.name}` ({p.dialect.value}): {state}{default}")
    return "\n".join(lines) or "No connections yet: an operator adds them with `sqldraft connections add`."


def no_default_connection(profiles: Sequence[ConnectionProfile]) -> str:
    names = ", ".join(p.name for p in profiles) or "none yet"
    return (
        "this channel has no default connection: set one with `/sqldraft use NAME`, or say "
        f"`/sqldraft on NAME ...` (connections: {names})"
    )


def bound(profile: ConnectionProfile) -> str:
    return f"This channel now drafts on `{profile.name}` ({profile.dialect.value})."


def history(page: HistoryPage) -> str:
    if not page.items:
        return "No drafts match."
    lines = [
        f"• `{r.id}` {r.created_at:%Y-%m-%d %H:%M} {r.latest_status}/{r.review_status} risk {r.risk_level or '-'}"
        f" on `{r.connection}`: {r.request[:80]}"
        for r in page.items
    ]
    return "\n".join(lines) + f"\nPage {page.page} of {page.pages} ({page.total} drafts)."


def validation(v: Validation) -> str:
    """A validation result in a code block: status line, findings with positions and fixes, impacted objects."""
    types = ", ".join(v.statement_types) or "-"
    count = len(v.statement_types)
    lines = [
        f"{v.status.value.upper()}  risk {v.risk_level.value}  ({count} statement{'s' if count != 1 else ''}: {types})"
        + ("  [checked by the server]" if v.server_checked else "")
    ]
    for f in v.findings:
        lines.append(f"  {f.line}:{f.column}  {f.severity.value:<7} {f.rule:<32} {f.message}")
        if f.suggestion:
            lines.append(f"  {'':>{len(str(f.line)) + len(str(f.column)) + 1}}  {'':<7} {'':<32} -> {f.suggestion}")
    tables = [o for o in v.impacted_objects if o.type != "column"]
    if tables:
        shown = ", ".join(f"{o.name} ({o.access.value}{'; ' + o.reason if o.reason else ''})" for o in tables)
        lines.append(f"  impacted: {shown}")
    return "```" + "\n".join(lines) + "```"


def refreshed(connection: str, result: RefreshResult) -> str:
    if result.error:
        return f":warning: Refresh of `{connection}` failed: {result.error}"
    tables = result.snapshot.table_count if result.snapshot else 0
    return f"`{connection}`: {result.status} ({tables} tables and views, {result.duration_ms} ms)"


def unposted(draft_id: str) -> str:
    return (
        f":warning: Could not post to this channel; the draft `{draft_id}` is saved: "
        f"`/sqldraft show {draft_id}` once the app is in the channel."
    )


def modal_error(exc: SqldraftError) -> str:
    """A core error under a modal input; an edit with errors lists the first three and how to save it anyway."""
    if not isinstance(exc, InvalidEdit):
        return with_mentions(explain(exc))[:MODAL_ERROR_LIMIT]
    found = exc.findings
    lines = "; ".join(f"line {f['line']}: {f['message']}" for f in found[:3])
    more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
    text = f"{len(found)} error(s): {lines}{more}. Fix them, or tick 'Save even if it does not validate'."
    return text[:MODAL_ERROR_LIMIT]
