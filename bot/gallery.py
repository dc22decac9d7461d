"""Every message state, built by the real builders from sample drafts, for docs/slack.md.

``python -m bot.gallery docs/slack`` writes each state's Block Kit JSON, the gallery table of docs/slack.md,
and prints links that open them in Block Kit Builder; a test keeps the committed files equal to what the
builders produce.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bot.blocks import draft_message, drafting_message, drift_notice, edit_modal, override_modal
from core.domain.drafts import Draft, DraftStatus, LlmUsage, SnapshotRef

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)
SQL = (
    "SELECT c.full_name, sum(o.total_amount) AS spent\nFROM customers c\nJOIN orders o ON o.customer_id = c.id\n"
    "WHERE o.status = 'paid'\nGROUP BY c.full_name\nORDER BY spent DESC\nLIMIT 10"
)


def _draft(**changes: Any) -> Draft:
    base = dict(
        id="dq7k3m4x2p",
        connection="shop",
        request="Top 10 customers by what they paid",
        mode="query",
        requester="slack:U0ADA",
        status=DraftStatus.COMPLETED,
        generator="llm",
        created_at=NOW - timedelta(minutes=3),
        generated_script=SQL,
        effective_script_text=SQL,
        llm=LlmUsage(model="gpt-4o-mini"),
        confidence=0.82,
        explanation="Sums paid orders per customer and keeps the ten largest totals.",
        assumptions=["'paid' means orders with status paid", "names are unique enough to group by"],
        snapshot=SnapshotRef(taken_at=NOW - timedelta(hours=2)),
        lint_status="warn",
        risk_level="none",
        impacted_objects=[
            {"type": "table", "name": "customers", "access": "read"},
            {"type": "table", "name": "orders", "access": "read"},
        ],
        validation={
            "status": "warn",
            "findings": [
                {
                    "rule": "perf.unindexed_filter",
                    "category": "performance",
                    "severity": "warning",
                    "message": "orders.status filters a table of about 1,200,000 rows, and no index starts with it",
                    "line": 4,
                    "column": 9,
                    "suggestion": "consider an index on orders (status)",
                    "risk": None,
                }
            ],
        },
        review={"status": "pending"},
    )
    base.update(changes)
    return Draft(**base)  # type: ignore[arg-type]


def samples() -> dict[str, dict[str, Any]]:
    final = SQL.replace("LIMIT 10", "LIMIT 5")
    diff = (
        "--- generated.sql\n+++ final.sql\n@@ -4,4 +4,4 @@\n WHERE o.status = 'paid'\n GROUP BY c.full_name\n"
        " ORDER BY spent DESC\n-LIMIT 10\n+LIMIT 5\n"
    )
    trail = [{"created_at": "2026-11-22T10:32:00", "decision": "edited", "reviewer": "slack:U0BOB", "note": "top 5"}]
    risky = _draft(
        mode="dml",
        request="Close every order older than a year",
        generated_script="UPDATE orders SET status = 'closed'",
        effective_script_text="UPDATE orders SET status = 'closed'",
        risk_level="high",
        lint_status="warn",
        validation={
            "status": "warn",
            "findings": [
                {
                    "rule": "risk.update_without_where",
                    "category": "risk",
                    "severity": "warning",
                    "message": "UPDATE without WHERE changes every row of orders",
                    "line": 1,
                    "column": 1,
                    "suggestion": "add a WHERE clause, or confirm that every row is meant",
                    "risk": "high",
                }
            ],
        },
    )
    return {
        "drafting": drafting_message(
            "Top 10 customers by what they paid", "slack:U0ADA", "shop", "query", "dq7k3m4x2p"
        ),
        "completed": draft_message(_draft(), NOW),
        "completed-high-risk": draft_message(risky, NOW),
        "approved": draft_message(
            _draft(review={"status": "approved", "reviewed_by": "slack:U0BOB"}),
            NOW,
            trail=[{**trail[0], "decision": "approved", "note": None}],
        ),
        "edited": draft_message(
            _draft(
                effective_script_text=final, review={"status": "edited", "reviewed_by": "slack:U0BOB", "diff": diff}
            ),
            NOW,
            trail=trail,
        ),
        "rejected": draft_message(
            _draft(review={"status": "rejected", "reviewed_by": "slack:U0BOB"}),
            NOW,
            trail=[{**trail[0], "decision": "rejected", "note": "use the revenue view"}],
        ),
        "failed": draft_message(
            _draft(
                status=DraftStatus.FAILED,
                error_message="the endpoint at api.openai.com is rate limiting (429) after 3 attempts for longer "
                "than the 20 s budget (SQLDRAFT_LLM_TIMEOUT): try again later or raise the budget",
                generated_script=None,
                validation=None,
            ),
            NOW,
        ),
        "clarification": draft_message(
            _draft(
                status=DraftStatus.CLARIFICATION_NEEDED,
                generated_script=None,
                unresolved_questions=["Which period: this month or all time?"],
            ),
            NOW,
        ),
        "edit-modal": edit_modal(_draft(), {"draft_id": "dq7k3m4x2p", "channel": "C1", "ts": "1.0"}),
        "override-modal": override_modal(
            _draft(),
            {"draft_id": "dq7k3m4x2p", "channel": "C1", "ts": "1.0"},
            "the script failed validation (1 error finding(s)): it can be approved only with an explicit override "
            "and a note saying why",
        ),
        "drift-notice": drift_notice(
            "shop",
            [
                "+ table refunds",
                "- column orders.note",
                "~ column orders.total_amount: type 'numeric(12,2)' -> 'numeric(14,2)'",
            ],
            {
                "tables_added": 1,
                "tables_removed": 0,
                "tables_changed": 1,
                "columns_added": 0,
                "columns_removed": 1,
                "columns_changed": 1,
            },
            {
                "stale_examples": [
                    {
                        "id": 12,
                        "request": "orders with their notes",
                        "status_reason": "line 1: column 'note' does not exist",
                    }
                ],
                "drafts_awaiting_review": [{"id": "dq7k3m4x2p", "request": "Top 10 customers", "tables": ["orders"]}],
            },
            42,
        ),
    }


def builder_link(payload: dict[str, Any]) -> str:
    body = payload if payload.get("type") == "modal" else {"blocks": payload["blocks"]}
    return "https://app.slack.com/block-kit-builder/#" + quote(json.dumps(body, separators=(",", ":")))


def write(folder: Path) -> list[tuple[str, str]]:
    folder.mkdir(parents=True, exist_ok=True)
    links = []
    for name, payload in samples().items():
        (folder / f"{name}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        links.append((name, builder_link(payload)))
    return links


TITLES = {
    "drafting": "Right after the command: the ack is instant, then this message",
    "completed": "A draft ready for review: SQL, explanation, assumptions, findings, impacts, buttons",
    "completed-high-risk": "A high-risk dml draft: Approve asks for confirmation",
    "approved": "After Approve: buttons gone, who approved, the trail",
    "edited": "After an edit: the diff the reviewer made",
    "rejected": "After Reject, with the reviewer's note",
    "failed": "The model failed: the reason and a Retry button",
    "clarification": "The request needs clarification",
    "edit-modal": "The edit modal, pre-filled with the script",
    "override-modal": "Approve anyway? The override dialog, its note required",
    "drift-notice": "A drift notice in the connection's channel",
}


def markdown() -> str:
    """The gallery section of docs/slack.md."""
    lines = ["| message | Block Kit Builder | JSON |", "|---|---|---|"]
    for name in samples():
        link = builder_link(samples()[name])
        lines.append(f"| {TITLES[name]} | [open]({link}) | [{name}.json](slack/{name}.json) |")
    return "\n".join(lines) + "\n"


def update_markdown(doc: Path) -> bool:
    """Put :func:`markdown` between the gallery markers of ``doc`` (docs/slack.md); True when it changed."""
    start, end = "<!-- generated:gallery -->\n", "<!-- /generated:gallery -->"
    text = doc.read_text(encoding="utf-8")
    head, found, rest = text.partition(start)
    if not found or end not in rest:
        raise SystemExit(f"{doc} has no {start.strip()} ... {end} section")
    new = head + start + markdown() + end + rest.split(end, 1)[1]
    doc.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/slack")
    for name, link in write(folder):
        print(f"{name}: {link[:120]}...")
    if (folder.parent / "slack.md").exists() and update_markdown(folder.parent / "slack.md"):
        print(f"updated the gallery table in {folder.parent / 'slack.md'}")
