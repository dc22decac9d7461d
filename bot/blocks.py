"""Block Kit messages and modals, built from core results (pure functions, no Slack calls).

Slack's limits shape everything here: 3,000 characters a section, 50 blocks a message, 3,000
characters a modal text input. Long SQL is split across blocks (or, past the block limit, sent as a
file by the caller); it is never cut.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.ids import ActionId, BlockId, CallbackId, mention
from bot.replies import age_words
from core.domain.drafts import Draft, DraftStatus
from core.domain.runs import RunResult, cell_text

SECTION_LIMIT = 3000
CODE_CHUNK = SECTION_LIMIT - 10
INPUT_LIMIT = 3000
MAX_BLOCKS = 50
SEVERITY_MARK = {"error": ":red_circle:", "warning": ":large_orange_circle:", "info": ":large_blue_circle:"}
Block = dict[str, Any]


def escape(text: str) -> str:
    """Slack mrkdwn needs &, < and > escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150], "emoji": True}}


def _clip(text: str, limit: int, where: str) -> str:
    """Prose (not SQL) that does not fit is shortened, and says where the rest is."""
    if len(text) <= limit:
        return text
    note = f"... (shortened: {where})"
    return text[: limit - len(note)] + note


def shorten(text: str, limit: int, suffix: str = "") -> str:
    """``text`` cut to ``limit`` characters (``suffix`` included) at a word boundary, with an ellipsis.

    Cut at whitespace only, so an escaped ``&amp;`` or a ``<@U1>`` mention is never split.
    """
    if len(text) <= limit:
        return text
    room = limit - len(suffix) - 1
    cut = text[:room]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > room // 2:
        cut = cut[:space]
    return cut.rstrip(" \n,;:") + "\u2026" + suffix


def split_text(text: str, limit: int) -> list[str]:
    """Split at line ends into pieces of at most ``limit`` characters; only an over-long line is cut mid-line."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current or not pieces:
        pieces.append(current)
    return pieces


def code_blocks(sql: str) -> list[Block]:
    """The script in ``` fences, one section per piece; every character kept."""
    text = escape(sql.rstrip().replace("```", "`\u200b``"))
    return [section(f"```{piece.rstrip()}```") for piece in split_text(text, CODE_CHUNK)]


def drafting_message(request: str, requester: str, connection: str, mode: str, draft_id: str) -> dict[str, Any]:
    blocks = [
        section(
            f":hourglass_flowing_sand: Drafting SQL for {mention(requester)} on `{connection}` ({mode})...\n"
            f">{escape(request)}"
        ),
        context(f"draft `{draft_id}` · nothing runs until a person reviews it"),
    ]
    return {"text": f"Drafting SQL: {request}"[:3000], "blocks": blocks}


def _request_block(d: Draft) -> Block:
    request = _clip(escape(d.request), SECTION_LIMIT - 200, f"sqldraft history {d.id}")
    return section(f"*Request* from {mention(d.requester)} on `{d.connection}` ({d.mode}):\n>{request}")


def _findings(d: Draft) -> list[Block]:
    validation = (d.review.get("final_validation") if d.review.get("final_validation") else d.validation) or {}
    findings = validation.get("findings", [])
    if not findings:
        return [section(":white_check_mark: *Validation*: no findings.")] if validation else []
    by_category: dict[str, list[str]] = {}
    for f in findings[:20]:
        fix = f" _{escape(f['suggestion'])}_" if f.get("suggestion") else ""
        line = f"{SEVERITY_MARK.get(f['severity'], '')} line {f['line']}: {escape(f['message'])}{fix}"
        by_category.setdefault(f["category"], []).append(line)
    text = "*Findings*\n" + "\n".join(f"*{cat}*\n" + "\n".join(lines) for cat, lines in by_category.items())
    if len(findings) > 20:
        text += f"\n... and {len(findings) - 20} more (`sqldraft history {d.id}`)"
    return [section(_clip(text, SECTION_LIMIT, f"sqldraft history {d.id}"))]


def _summary_context(d: Draft, now: datetime) -> Block:
    age = d.snapshot_age_seconds(now)
    bits = [f"risk *{d.risk_level or 'none'}*", f"lint {d.lint_status or '-'}"]
    if d.confidence is not None:
        bits.append(f"confidence {d.confidence:.0%}")
    if age is not None:
        bits.append(f"schema snapshot {age_words(age)} old")
    bits.append(f"{d.generator}" + (f" ({d.llm.model})" if d.llm.model and d.llm.model != d.generator else ""))
    bits.append(f"draft `{d.id}`")
    return context(" · ".join(bits))


def _button(
    text: str, action: ActionId, draft_id: str, style: str | None = None, confirm: dict[str, Any] | None = None
) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action.value,
        "value": draft_id,
    }
    if style:
        button["style"] = style
    if confirm:
        button["confirm"] = confirm
    return button


def review_buttons(d: Draft) -> Block:
    confirm = None
    if d.risk_level in ("high", "critical"):
        confirm = {
            "title": {"type": "plain_text", "text": "Approve a risky draft?"},
            "text": {"type": "mrkdwn", "text": f"This draft's risk is *{d.risk_level}*. Approve it anyway?"},
            "confirm": {"type": "plain_text", "text": "Approve"},
            "deny": {"type": "plain_text", "text": "Cancel"},
            "style": "danger",
        }
    return {
        "type": "actions",
        "block_id": f"sqldraft_review_{d.id}",
        "elements": [
            _button("Approve", ActionId.APPROVE, d.id, "primary", confirm),
            _button("Reject", ActionId.REJECT, d.id, "danger"),
            _button("Edit", ActionId.EDIT, d.id),
        ],
    }


def _decision(d: Draft, trail: list[dict[str, Any]]) -> list[Block]:
    status = d.review.get("status", "pending")
    marks = {"approved": ":white_check_mark: Approved", "rejected": ":x: Rejected", "edited": ":pencil2: Edited"}
    last = next((r for r in reversed(trail) if r["decision"] == status), None)
    note = f": _{escape(last['note'])}_" if last and last.get("note") else ""
    blocks = [section(f"*{marks[status]} by {mention(d.review.get('reviewed_by'))}*{note}")]
    if status == "edited" and d.review.get("diff"):
        blocks.append(section("*What the reviewer changed* (generated.sql -> final.sql)"))
        blocks += code_blocks(d.review["diff"])
    if trail:
        lines = [
            f"{r['created_at'][:16].replace('T', ' ')} UTC {r['decision']} by {mention(r['reviewer'])}"
            for r in trail[-5:]
        ]
        blocks.append(context("Trail: " + " · ".join(lines)))
    return blocks


def draft_message(
    d: Draft, now: datetime, *, trail: list[dict[str, Any]] | None = None, script_as_file: bool = False
) -> dict[str, Any]:
    """The message for a draft in any state; ``script_as_file`` when the SQL goes up as a file instead."""
    trail = trail or []
    reviewed = {"approved": "SQL draft approved", "rejected": "SQL draft rejected", "edited": "SQL draft edited"}
    title = {
        DraftStatus.COMPLETED: reviewed.get(d.review.get("status", "pending"), "SQL draft"),
        DraftStatus.FAILED: "SQL draft failed",
        DraftStatus.CLARIFICATION_NEEDED: "SQL draft needs clarification",
        DraftStatus.CANCELED: "SQL draft canceled",
    }.get(d.status, "SQL draft")
    blocks: list[Block] = [header(title), _request_block(d)]
    if d.status in (DraftStatus.QUEUED, DraftStatus.RUNNING):
        blocks.append(section(":hourglass_flowing_sand: Drafting..."))
    elif d.status is DraftStatus.FAILED:
        blocks.append(section(_failure(d)))
        blocks.append({"type": "actions", "elements": [_button("Retry", ActionId.RETRY, d.id, "primary")]})
    elif d.status is DraftStatus.CANCELED:
        blocks.append(section("This draft was canceled."))
    elif d.status is DraftStatus.CLARIFICATION_NEEDED:
        questions = "\n".join(f"• {escape(q)}" for q in d.unresolved_questions) or "• (no question given)"
        blocks.append(
            section(
                _clip(
                    f":question: *Before drafting, please answer:*\n{questions}",
                    SECTION_LIMIT,
                    f"sqldraft history {d.id}",
                )
            )
        )
        if d.explanation:
            blocks.append(context(escape(d.explanation)))
    else:
        script = d.effective_script_text or d.generated_script or ""
        if script_as_file:
            blocks.append(
                section(
                    f":page_facing_up: The script is {len(script):,} characters long: it is attached "
                    f"as `draft-{d.id}.sql`."
                )
            )
        else:
            blocks += code_blocks(script)
        if d.warning:
            blocks.append(section(f":warning: *{escape(d.warning)}*"))
        if d.explanation:
            blocks.append(
                section(_clip(f"*Explanation*\n{escape(d.explanation)}", SECTION_LIMIT, f"sqldraft history {d.id}"))
            )
        if d.assumptions:
            text = "*Assumptions*\n" + "\n".join(f"• {escape(a)}" for a in d.assumptions)
            blocks.append(section(_clip(text, SECTION_LIMIT, f"sqldraft history {d.id}")))
        blocks += _findings(d)
        tables = [o for o in d.impacted_objects if o.get("type") != "column"]
        if tables:
            text = "*Impacts*: " + ", ".join(f"`{escape(o['name'])}` ({o['access']})" for o in tables[:30])
            blocks.append(section(_clip(text, SECTION_LIMIT, f"sqldraft history {d.id}")))
        blocks.append(_summary_context(d, now))
        if d.review.get("status", "pending") == "pending":
            blocks.append(review_buttons(d))
        else:
            blocks += _decision(d, trail)
        blocks += run_blocks(d)
    text = shorten(f"SQL draft {d.id} ({state_words(d)}): {d.request}", 3000)
    return {"text": text, "blocks": blocks}


def _failure(d: Draft) -> str:
    """Why drafting failed, in one section: a reason longer than a section ends in an ellipsis."""
    prefix = ":warning: Drafting failed: "
    reason = escape(d.error_message or "unknown reason")
    return prefix + shorten(reason, SECTION_LIMIT - len(prefix), f" (the whole reason: `sqldraft drafts show {d.id}`)")


def state_words(d: Draft) -> str:
    """The state a notification names: the review's outcome once there is one, else the draft's status."""
    if d.status is not DraftStatus.COMPLETED:
        return d.status.value.replace("_", " ")
    review = d.review.get("status", "pending")
    return "awaiting review" if review == "pending" else str(review)


def fits(message: dict[str, Any]) -> bool:
    return len(message["blocks"]) <= MAX_BLOCKS


def edit_modal(d: Draft, metadata: dict[str, Any]) -> dict[str, Any]:
    """The edit modal, pre-filled with the effective script (split across inputs of 3,000 characters)."""
    script = d.effective_script_text or d.generated_script or ""
    parts = split_text(script, INPUT_LIMIT)
    if len(parts[-1]) > INPUT_LIMIT - 500:
        parts.append("")
    blocks: list[Block] = [
        section(
            f"Editing draft `{d.id}`: _{escape(d.request[:200])}_\nThe edit is re-validated; "
            "the diff is kept with the decision."
        )
    ]
    for i, part in enumerate(parts):
        element: Block = {
            "type": "plain_text_input",
            "action_id": "script",
            "multiline": True,
            "max_length": INPUT_LIMIT,
        }
        if part:
            element["initial_value"] = part
        label = "SQL" if len(parts) == 1 else f"SQL, part {i + 1} of {len(parts)}"
        blocks.append(
            {
                "type": "input",
                "block_id": f"{BlockId.SCRIPT.value}{i}",
                "optional": i > 0,
                "label": {"type": "plain_text", "text": label},
                "element": element,
            }
        )
    blocks.append(
        {
            "type": "input",
            "block_id": BlockId.NOTE.value,
            "optional": True,
            "label": {"type": "plain_text", "text": "Note (kept in the trail; required when saving anyway)"},
            "element": {"type": "plain_text_input", "action_id": "note", "max_length": 2000},
        }
    )
    blocks.append(
        {
            "type": "input",
            "block_id": BlockId.SAVE_ANYWAY.value,
            "optional": True,
            "label": {"type": "plain_text", "text": "If the edit has errors (saving anyway needs a note)"},
            "element": {
                "type": "checkboxes",
                "action_id": "save_anyway",
                "options": [
                    {"text": {"type": "plain_text", "text": "Save even if it does not validate"}, "value": "yes"}
                ],
            },
        }
    )
    return {
        "type": "modal",
        "callback_id": CallbackId.EDIT_MODAL.value,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": "Edit SQL draft"},
        "submit": {"type": "plain_text", "text": "Save edit"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def reject_modal(d: Draft, metadata: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CallbackId.REJECT_MODAL.value,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": "Reject SQL draft"},
        "submit": {"type": "plain_text", "text": "Reject"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(f"Rejecting draft `{d.id}`: _{escape(d.request[:200])}_"),
            {
                "type": "input",
                "block_id": BlockId.NOTE.value,
                "optional": True,
                "label": {"type": "plain_text", "text": "Why? (later drafts learn from it)"},
                "element": {"type": "plain_text_input", "action_id": "note", "multiline": True, "max_length": 2000},
            },
        ],
    }


def override_modal(d: Draft, metadata: dict[str, Any], reason: str) -> dict[str, Any]:
    """Approve a script that failed validation or has critical risk: only with a note, kept in the trail."""
    return {
        "type": "modal",
        "callback_id": CallbackId.OVERRIDE_MODAL.value,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": "Approve anyway?"},
        "submit": {"type": "plain_text", "text": "Approve anyway"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(
                f"Draft `{d.id}`: _{escape(d.request[:200])}_\n:warning: {escape(reason[:1500])}\n"
                "Approving it is an override: say why it is fit to run. The note is required and kept in the trail; "
                "an overridden approval never becomes an example."
            ),
            {
                "type": "input",
                "block_id": BlockId.NOTE.value,
                "optional": False,
                "label": {"type": "plain_text", "text": "Why approve it anyway? (required)"},
                "element": {"type": "plain_text_input", "action_id": "note", "multiline": True, "max_length": 2000},
            },
        ],
    }


def drift_notice(
    connection: str, summary: list[str], counts: dict[str, int], details: dict[str, Any], snapshot_id: int
) -> dict[str, Any]:
    lines = "\n".join(f"• `{escape(s)}`" for s in summary)
    blocks: list[Block] = [
        header(f"Schema change on {connection}"),
        section(
            _clip(
                f"{counts['tables_added']} table(s) added, {counts['tables_removed']} removed, "
                f"{counts['tables_changed']} changed ({counts['columns_added']} column(s) added, "
                f"{counts['columns_removed']} removed, {counts['columns_changed']} changed):\n{lines}",
                SECTION_LIMIT,
                f"sqldraft snapshot diff {connection}",
            )
        ),
    ]
    stale = details.get("stale_examples") or []
    if stale:
        text = "*Examples made stale* (no longer used in prompts):\n" + "\n".join(
            f"• #{e['id']} _{escape(e['request'][:120])}_: {escape(e.get('status_reason') or '')}" for e in stale[:10]
        )
        blocks.append(section(_clip(text, SECTION_LIMIT, "sqldraft examples list --status stale")))
    waiting = details.get("drafts_awaiting_review") or []
    if waiting:
        text = "*Drafts awaiting review that touch changed tables*:\n" + "\n".join(
            f"• `{w['id']}` _{escape(w['request'][:120])}_ ({', '.join(w['tables'])})" for w in waiting[:10]
        )
        blocks.append(section(_clip(text, SECTION_LIMIT, "sqldraft history --review pending")))
    blocks.append(context(f"snapshot #{snapshot_id} · `sqldraft snapshot diff {connection}` for every change"))
    return {"text": f"Schema change on {connection}", "blocks": blocks}


RUN_TABLE_ROWS = 20
"""Rows a Run shows in the thread; the whole capped result goes up as a CSV file."""
_RUN_CELL = 30


def runnable(d: Draft) -> bool:
    """An approved (or edited) read that validated: one SELECT, risk at most low, no error finding."""
    if d.review.get("status") not in ("approved", "edited"):
        return False
    v = (d.review.get("final_validation") if d.review.get("final_script") is not None else d.validation) or {}
    errors = [f for f in v.get("findings") or [] if f.get("severity") == "error"]
    return v.get("statement_types") == ["select"] and v.get("risk_level") in ("none", "low") and not errors


def run_blocks(d: Draft) -> list[Block]:
    """The Run button of an approved read, and the last run's database error with a Fix button."""
    blocks: list[Block] = []
    if d.run_error:
        blocks.append(section(_clip(f":x: *The last run failed:* {escape(d.run_error)}", SECTION_LIMIT, d.id)))
    buttons = [_button("Run", ActionId.RUN, d.id, "primary")] if runnable(d) else []
    if d.run_error:
        buttons.append(_button("Fix with the error", ActionId.REPAIR, d.id))
    if buttons:
        blocks.append({"type": "actions", "block_id": f"sqldraft_run_{d.id}", "elements": buttons})
    return blocks


def _run_cell(value: Any) -> str:
    text = "NULL" if value is None else cell_text(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text).replace("`", "'")
    return text if len(text) <= _RUN_CELL else text[: _RUN_CELL - 1] + "…"


def run_summary(r: RunResult) -> str:
    """``100 rows (truncated at the row cap of 100) in 40 ms``."""
    noun = "row" if r.row_count == 1 else "rows"
    cut = {"rows": f" (truncated at the row cap of {r.limit:,})", "bytes": " (truncated at the byte cap)"}
    return f"{r.row_count:,} {noun}{cut.get(r.truncated_by or '', '')} in {r.elapsed_ms:,} ms"


def run_message(r: RunResult) -> dict[str, Any]:
    """The first rows of a run as a text table in a code block, with the count, truncation and timing."""
    header = [c.name for c in r.columns]
    body = [[_run_cell(v) for v in row] for row in r.rows[:RUN_TABLE_ROWS]]
    widths = [max([len(h), *(len(row[i]) for row in body)]) for i, h in enumerate(header)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in body]
    table = "\n".join(lines)
    if len(table) > CODE_CHUNK:
        table = table[: CODE_CHUNK - 1] + "…"
    shown = f"first {len(body)} of " if len(body) < r.row_count else ""
    notes = [f"{shown}{run_summary(r)}; the CSV file has every row returned"]
    notes += [f":warning: {escape(w)}" for w in r.warnings]
    blocks = [section(f"```{table}```"), context(escape(" · ".join(notes)))]
    return {"text": f"draft {r.draft_id}: {run_summary(r)}", "blocks": blocks}


def run_csv(r: RunResult) -> str:
    """The whole capped result as CSV (NULL empty, bytes as \\x hex, JSON as JSON)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in r.columns])
    writer.writerows([cell_text(v) for v in row] for row in r.rows)
    return buffer.getvalue()
