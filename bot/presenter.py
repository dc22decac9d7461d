"""Showing drafts in Slack: posting, updating, ephemeral replies, files for long SQL, drift notices.

A failed Web API call never loses anything: the draft is in the store, and `/sqldraft show ID` posts it
again. Rate limits are retried by slack_sdk's RateLimitErrorRetryHandler on the client.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import draft_message, drift_notice, fits
from core.domain.drafts import Draft
from core.domain.review import Principal
from core.incidents import report_incident
from core.service import Copilot, DriftEvent

log = logging.getLogger(__name__)
_PRINCIPAL = re.compile(r"\bslack:([A-Z0-9]+)\b")


def with_mentions(text: str) -> str:
    """Core messages name principals (slack:U123); Slack shows them as mentions."""
    return _PRINCIPAL.sub(lambda m: f"<@{m.group(1)}>", text)


class GroupResolver:
    """Slack user groups of approvers (``slack-group:S123``), resolved with usergroups.users.list and cached."""

    def __init__(self, client: WebClient, ttl_seconds: float = 300.0) -> None:
        self.client = client
        self.ttl = ttl_seconds
        self._cache: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def members(self, group_id: str) -> frozenset[str]:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(group_id)
            if hit is not None and hit[0] > now:
                return hit[1]
        try:
            users = frozenset(self.client.usergroups_users_list(usergroup=group_id).get("users") or [])
        except (SlackApiError, OSError) as exc:
            incident = report_incident(log, exc, f"usergroups.users.list {group_id}")
            log.warning("user group %s could not be read (incident %s); treated as empty", group_id, incident)
            users = frozenset()
        with self._lock:
            self._cache[group_id] = (now + self.ttl, users)
        return users

    def groups_of(self, user_id: str, candidates: list[str]) -> tuple[str, ...]:
        return tuple(
            g
            for g in candidates
            if g.startswith("slack-group:") and user_id in self.members(g.removeprefix("slack-group:"))
        )


class Presenter:
    def __init__(self, copilot: Copilot, client: WebClient) -> None:
        self.copilot = copilot
        self.client = client
        self.groups = GroupResolver(client)

    def principal(self, user_id: str, connection: str | None) -> Principal:
        """The clicker as a principal, with the approver groups they belong to."""
        candidates = self.copilot.review_policy(connection).approvers if connection else []
        return Principal(f"slack:{user_id}", self.groups.groups_of(user_id, candidates))

    def ephemeral(self, channel: str, user: str, text: str) -> None:
        try:
            self.client.chat_postEphemeral(channel=channel, user=user, text=with_mentions(text))
        except (SlackApiError, OSError) as exc:
            report_incident(log, exc, "chat.postEphemeral")

    def post(self, channel: str, message: dict[str, Any]) -> str | None:
        try:
            response = self.client.chat_postMessage(channel=channel, **message)
        except (SlackApiError, OSError) as exc:
            report_incident(log, exc, "chat.postMessage")
            return None
        return str(response["ts"])

    def message_for(self, draft: Draft) -> tuple[dict[str, Any], bool]:
        trail = [r.to_dict() for r in self._trail(draft.id)]
        message = draft_message(draft, self.copilot.clock(), trail=trail)
        if fits(message):
            return message, False
        return draft_message(draft, self.copilot.clock(), trail=trail, script_as_file=True), True

    def _trail(self, draft_id: str) -> list[Any]:
        from core.services.review import trail

        return trail(self.copilot.store, draft_id)

    def show(self, draft_id: str, channel: str) -> str | None:
        """Post a draft (again) as a new message; later updates go to it."""
        draft = self.copilot.get_draft(draft_id)
        message, as_file = self.message_for(draft)
        ts = self.post(channel, message)
        if ts is not None:
            self.copilot.set_draft_message(draft.id, channel, ts)
            if as_file:
                self._upload(draft, channel, ts)
        return ts

    def update(self, draft: Draft) -> None:
        """Bring a draft's message up to date; a failure is logged with an incident id and loses nothing."""
        draft = self.copilot.get_draft(draft.id)
        if not draft.slack_channel or not draft.slack_ts:
            return
        message, as_file = self.message_for(draft)
        try:
            self.client.chat_update(channel=draft.slack_channel, ts=draft.slack_ts, **message)
        except (SlackApiError, OSError) as exc:
            incident = report_incident(log, exc, f"chat.update of draft {draft.id}")
            log.warning(
                "draft %s is in the store; `/sqldraft show %s` posts it again (incident %s)",
                draft.id,
                draft.id,
                incident,
            )
            return
        if as_file:
            self._upload(draft, draft.slack_channel, draft.slack_ts)

    def _upload(self, draft: Draft, channel: str, thread_ts: str) -> None:
        script = draft.effective_script_text or draft.generated_script or ""
        try:
            self.client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                content=script,
                filename=f"draft-{draft.id}.sql",
                title=f"SQL draft {draft.id}",
            )
        except (SlackApiError, OSError) as exc:
            report_incident(log, exc, f"files.upload of draft {draft.id}")

    def notify_drift(self, event: DriftEvent) -> None:
        """Post a summary of a schema change to the connection's notify channel (if it has one)."""
        if not event.notify_channel:
            return
        message = drift_notice(
            event.connection, event.diff.summary_lines(limit=25), event.diff.counts(), event.details, event.snapshot.id
        )
        self.post(event.notify_channel, message)
