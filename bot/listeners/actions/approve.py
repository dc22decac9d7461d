"""Approve: record the decision, then update the draft's message."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.deps import Deps
from bot.payloads import Click
from core.errors import SqldraftError


def approve(ack: Ack, body: dict[str, Any], *, deps: Deps) -> None:
    ack()
    click = Click.of(body)
    try:
        deps.copilot.review(click.draft_id, "approve", deps.presenter.reviewer(click.user, click.draft_id))
    except SqldraftError as exc:
        deps.presenter.warn(click.channel, click.user, exc)
        return
    deps.presenter.update(click.draft_id)
