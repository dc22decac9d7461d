"""Edit: open the modal pre-filled with the draft's script."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.blocks import edit_modal
from bot.deps import Deps
from bot.payloads import Click
from core.errors import SqldraftError


def edit(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    click = Click.of(body)
    ack()
    try:
        draft = deps.copilot.get_draft(click.draft_id)
    except SqldraftError as exc:
        deps.presenter.warn(click.channel, click.user, exc)
        return
    # views.open right away: a trigger_id is only good for 3 seconds
    client.views_open(trigger_id=click.trigger_id, view=edit_modal(draft, click.metadata()))
