"""Buttons on draft messages: Approve, Reject, Edit, Retry."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks import edit_modal, reject_modal
from bot.errors import explain
from bot.ids import ActionId
from bot.listeners import Deps
from core.errors import SqldraftError


def register(app: App, deps: Deps) -> None:
    handlers = ReviewActions(deps)
    app.action(ActionId.APPROVE.value)(handlers.approve)
    app.action(ActionId.REJECT.value)(handlers.reject)
    app.action(ActionId.EDIT.value)(handlers.edit)
    app.action(ActionId.RETRY.value)(handlers.retry)


def _where(body: dict[str, Any]) -> tuple[str, str, str, str | None]:
    """(draft id, user, channel, message ts) of a button click."""
    action = body["actions"][0]
    channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id", "")
    ts = (body.get("message") or {}).get("ts") or body.get("container", {}).get("message_ts")
    return action["value"], body["user"]["id"], channel, ts


class ReviewActions:
    def __init__(self, deps: Deps) -> None:
        self.copilot = deps.copilot
        self.presenter = deps.presenter

    def approve(self, ack: Ack, body: dict[str, Any]) -> None:
        ack()
        draft_id, user, channel, _ = _where(body)
        try:
            draft = self.copilot.get_draft(draft_id)
            self.copilot.review(draft_id, "approve", self.presenter.principal(user, draft.connection))
        except SqldraftError as exc:
            self.presenter.ephemeral(channel, user, f":warning: {explain(exc)}")
            return
        self.presenter.update(draft)

    def reject(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        draft_id, user, channel, ts = _where(body)
        try:
            draft = self.copilot.get_draft(draft_id)
        except SqldraftError as exc:
            ack()
            self.presenter.ephemeral(channel, user, f":warning: {explain(exc)}")
            return
        ack()
        client.views_open(
            trigger_id=body["trigger_id"],
            view=reject_modal(draft, {"draft_id": draft_id, "channel": channel, "ts": ts}),
        )

    def edit(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        draft_id, user, channel, ts = _where(body)
        try:
            draft = self.copilot.get_draft(draft_id)
        except SqldraftError as exc:
            ack()
            self.presenter.ephemeral(channel, user, f":warning: {explain(exc)}")
            return
        ack()
        # views.open right away: a trigger_id is only good for 3 seconds
        client.views_open(
            trigger_id=body["trigger_id"], view=edit_modal(draft, {"draft_id": draft_id, "channel": channel, "ts": ts})
        )

    def retry(self, ack: Ack, body: dict[str, Any]) -> None:
        ack()
        draft_id, user, channel, _ = _where(body)
        try:
            draft = self.copilot.retry_draft(
                draft_id, principal=f"slack:{user}", wait=False, on_done=self.presenter.update
            )
        except SqldraftError as exc:
            self.presenter.ephemeral(channel, user, f":warning: {explain(exc)}")
            return
        self.presenter.update(draft)


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    return json.loads(view.get("private_metadata") or "{}")
