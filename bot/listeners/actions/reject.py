"""Reject: open the modal that asks why (the decision is recorded when it is submitted)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.blocks import reject_modal
from bot.deps import Deps
from bot.payloads import Click
from core.errors import SqldraftError


def reject(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    click = Click.of(body)
    ack()
    try:
        draft = deps.copilot.get_draft(click.draft_id)
    except SqldraftError as exc:
        deps.presenter.warn(click.channel, click.user, exc)
        return
    client.views_open(trigger_id=click.trigger_id, view=reject_modal(draft, click.metadata()))
