"""Run: run an approved read and post its first rows and a CSV in the draft's thread; Fix: repair from its error."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.deps import Deps
from bot.ids import principal
from bot.payloads import Click
from core.errors import QueryFailed, SqldraftError


def run(ack: Ack, body: dict[str, Any], *, deps: Deps) -> None:
    ack()
    click = Click.of(body)
    try:
        result = deps.copilot.run(click.draft_id, principal=principal(click.user))
    except SqldraftError as exc:
        deps.presenter.warn(click.channel, click.user, exc)
        if isinstance(exc, QueryFailed):
            deps.presenter.update(click.draft_id)  # the message shows the error and its Fix button
        return
    deps.presenter.post_run(result, click.channel, click.ts)


def repair(ack: Ack, body: dict[str, Any], *, deps: Deps) -> None:
    ack()
    click = Click.of(body)
    try:
        draft = deps.copilot.repair_draft(
            click.draft_id, principal=principal(click.user), wait=False, on_done=deps.presenter.update
        )
    except SqldraftError as exc:
        deps.presenter.warn(click.channel, click.user, exc)
        return
    deps.presenter.update(draft)
