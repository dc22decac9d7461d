"""Showing drafts in Slack: posting, updating, ephemeral replies, files for long SQL, drift notices.

A failed Web API call never loses anything: the draft is in the store, and `/sqldraft show ID` posts it
again. Rate limits are retried by slack_sdk's RateLimitErrorRetryHandler on the client.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import draft_message, drift_notice, fits, run_csv, run_message
from bot.replies import warning, with_mentions
from core.domain.diff import SchemaDiff
from core.domain.drafts import Draft
from core.domain.review import Principal
from core.domain.runs import RunResult
from core.errors import SqldraftError
from core.incidents import report_incident
from core.service import Copilot

log = logging.getLogger(__name__)


class SnapshotRef(Protocol):
    @property
    def id(self) -> int: ...


class DriftNotice(Protocol):
    """What a drift event tells the Slack app (the core's DriftEvent has it)."""

    @property
    def connection(self) -> str: ...
    @property
    def notify_channel(self) -> str | None: ...
    @property
    def snapshot(self) -> SnapshotRef: ...
    @property
    def diff(self) -> SchemaDiff: ...
    @property
    def details(self) -> dict[str, Any]: ...


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

    def reviewer(self, user_id: str, draft_id: str) -> Principal:
        """Who decides on a draft: the clicker as a principal, with the approver groups they belong to.

        Raises:
            NotFound: no such draft.
        """
        connection = self.copilot.get_draft(draft_id).connection
        candidates = self.copilot.review_policy(connection).approvers if connection else []
        return Principal(f"slack:{user_id}", self.groups.groups_of(user_id, candidates))

    def warn(self, channel: str, user: str, exc: SqldraftError) -> None:
        """A core error as an ephemeral warning to the user who caused it."""
        self.ephemeral(channel, user, warning(exc))

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
        trail = [r.to_dict() for r in self.copilot.review_trail(draft.id)]
        message = draft_message(draft, self.copilot.clock(), trail=trail)
        if fits(message):
            return message, False
        return draft_message(draft, self.copilot.clock(), trail=trail, script_as_file=True), True

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

    def placeholder(self, draft_id: str, channel: str, message: dict[str, Any]) -> str | None:
        """Post the "drafting..." message of a queued draft; its updates go to it. None when Slack refused it."""
        ts = self.post(channel, message)
        if ts is not None:
            self.copilot.set_draft_message(draft_id, channel, ts)
        return ts

    def update(self, draft: Draft | str) -> None:
        """Bring a draft's message up to date; a failure is logged with an incident id and loses nothing."""
        draft = self.copilot.get_draft(draft if isinstance(draft, str) else draft.id)
        if draft.slack is None or not draft.slack.ts:
            return
        message, as_file = self.message_for(draft)
        try:
            self.client.chat_update(channel=draft.slack.channel, ts=draft.slack.ts, **message)
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
            self._upload(draft, draft.slack.channel, draft.slack.ts)

    def upload(self, draft: Draft, channel: str, thread_ts: str) -> None:
        """The draft's script as a file in the thread of its message (for a script too long for blocks)."""
        self._upload(draft, channel, thread_ts)

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

    def post_run(self, result: RunResult, channel: str, thread_ts: str | None) -> None:
        """A run's first rows in the draft's thread, and the whole capped result as a CSV file there."""
        message = run_message(result)
        try:
            self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **message)
            self.client.files_upload_v2(
                channel=channel, thread_ts=thread_ts, content=run_csv(result),
                filename=f"run-{result.draft_id}.csv", title=f"Rows of draft {result.draft_id}",
            )  # fmt: skip
        except (SlackApiError, OSError) as exc:
            report_incident(log, exc, f"posting the run of draft {result.draft_id}")

    def notify_drift(self, event: DriftNotice) -> None:
        """Post a summary of a schema change to the connection's notify channel (if it has one)."""
        if not event.notify_channel:
            return
        message = drift_notice(
            event.connection, event.diff.summary_lines(limit=25), event.diff.counts(), event.details, event.snapshot.id
        )
        self.post(event.notify_channel, message)
