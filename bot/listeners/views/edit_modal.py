"""The edit modal submitted: record the edit (refused with its errors unless 'save anyway' is ticked)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.deps import Deps
from bot.payloads import FIRST_SCRIPT_BLOCK, Submission
from bot.replies import modal_error
from core.errors import SqldraftError

BLANK = "The script is blank: write the SQL to keep."


def edit_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], *, deps: Deps) -> None:
    form = Submission.of(body, view)
    if not form.script.strip():
        ack(response_action="errors", errors={FIRST_SCRIPT_BLOCK: BLANK})
        return
    try:
        reviewer = deps.presenter.reviewer(form.user, form.draft_id)
        deps.copilot.review(
            form.draft_id, "edit", reviewer, note=form.note, final_script=form.script, allow_invalid=form.save_anyway
        )
    except SqldraftError as exc:
        ack(response_action="errors", errors={FIRST_SCRIPT_BLOCK: modal_error(exc)})
        return
    ack()
    deps.presenter.update(form.draft_id)
