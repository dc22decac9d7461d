"""Retry: run a failed draft again on the drafting pool; its message follows."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.deps import Deps
from bot.ids import principal
from bot.payloads import Click
from core.errors import SqldraftError


def retry(ack: Ack, body: dict[str, Any], *, deps: Deps) -> None:
    ack()
    click = Click.of(body)
    try:
        draft = deps.copilot.retry_draft(
            click.draft_id, principal=principal(click.user), wait=False, on_done=deps.presenter.update
        )
    except SqldraftError as exc:
        deps.presenter.warn(click.channel, click.user, exc)
        return
    deps.presenter.update(draft)
