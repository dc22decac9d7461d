"""Approve: record the decision, then update the draft's message; a script needing an override asks for a note."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.blocks import override_modal
from bot.deps import Deps
from bot.payloads import Click
from core.domain.review import OverrideRequired
from core.errors import SqldraftError


def approve(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    ack()
    click = Click.of(body)
    try:
        deps.copilot.review(click.draft_id, "approve", deps.presenter.reviewer(click.user, click.draft_id))
    except OverrideRequired as exc:  # the trigger_id is good for 3 s: open the confirmation now
        draft = deps.copilot.get_draft(click.draft_id)
        client.views_open(trigger_id=click.trigger_id, view=override_modal(draft, click.metadata(), str(exc)))
        return
    except SqldraftError as exc:
        deps.presenter.warn(click.channel, click.user, exc)
        return
    deps.presenter.update(click.draft_id)
