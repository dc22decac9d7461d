"""The override confirmation submitted: approve a failing or critical-risk script with its required note."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.deps import Deps
from bot.ids import BlockId
from bot.payloads import Submission
from bot.replies import modal_error
from core.errors import SqldraftError

NOTE_REQUIRED = "A note is required: say why this script is fit to run anyway (it is kept in the trail)."


def override_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], *, deps: Deps) -> None:
    form = Submission.of(body, view)
    if form.note is None:  # blank or only spaces
        ack(response_action="errors", errors={BlockId.NOTE.value: NOTE_REQUIRED})
        return
    try:
        reviewer = deps.presenter.reviewer(form.user, form.draft_id)
        deps.copilot.review(form.draft_id, "approve", reviewer, note=form.note, override=True)
    except SqldraftError as exc:
        ack(response_action="errors", errors={BlockId.NOTE.value: modal_error(exc)})
        return
    ack()
    deps.presenter.update(form.draft_id)
