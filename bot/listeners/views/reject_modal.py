"""The reject modal submitted: record the rejection with its note."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.deps import Deps
from bot.ids import BlockId
from bot.payloads import Submission
from bot.replies import modal_error
from core.errors import SqldraftError


def reject_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], *, deps: Deps) -> None:
    form = Submission.of(body, view)
    try:
        reviewer = deps.presenter.reviewer(form.user, form.draft_id)
        deps.copilot.review(form.draft_id, "reject", reviewer, note=form.note)
    except SqldraftError as exc:
        ack(response_action="errors", errors={BlockId.NOTE.value: modal_error(exc)})
        return
    ack()
    deps.presenter.update(form.draft_id)
