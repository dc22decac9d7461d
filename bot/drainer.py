"""Review requests from anywhere: drain the store's outbox into Slack, every couple of seconds.

A draft needing review that was created outside Slack (MCP server, CLI, scheduler) has an outbox entry
naming its connection's review channel. Each bot process runs one drainer thread: it claims due entries
(atomically, in the core, so two bot processes never post one entry twice), posts the draft's review
message with Approve / Reject / Edit, and reports the message's coordinates (later clicks update that
message) or Slack's refusal (retried with backoff; the reason shows in `sqldraft history ID`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.presenter import Presenter
from core.domain.review import ReviewRequest
from core.errors import SqldraftError
from core.incidents import report_incident
from core.service import Copilot

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 2.0
BATCH = 10
WHY: dict[str, str] = {
    "not_in_channel": "the app is not in the channel: invite it there (`/invite @sqldraft`)",
    "channel_not_found": "no such channel, or the app cannot see it: check `sqldraft connections set NAME "
    "--review-channel`",
    "is_archived": "the channel is archived: set another with `sqldraft connections set NAME --review-channel`",
    "invalid_auth": "the bot token is refused: an operator checks SLACK_BOT_TOKEN",
}
"""Slack's error codes for chat.postMessage, as what to do; the code itself is kept in the reason."""


def worker_name() -> str:
    """Unique per drainer: host, process and a random tag (a restarted process is another worker)."""
    return f"slack:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def refusal(channel: str, exc: SlackApiError | OSError) -> str:
    """One line for the trail: what Slack said, and what to do about it."""
    if isinstance(exc, SlackApiError):
        code = str(exc.response.get("error") or "unknown_error")
        advice = WHY.get(code, "see https://api.slack.com/methods/chat.postMessage#errors")
        return f"Slack refused to post in {channel}: {code}: {advice}"
    return f"Slack could not be reached to post in {channel}: {type(exc).__name__}: {exc}"


class ReviewDrainer:
    """Posts the outbox's review requests; :meth:`drain_once` is one pass, :meth:`start` runs passes in a thread."""

    def __init__(
        self, copilot: Copilot, presenter: Presenter, *, interval: float = INTERVAL_SECONDS, worker: str | None = None
    ) -> None:
        self.copilot = copilot
        self.presenter = presenter
        self.client: WebClient = presenter.client
        self.interval = interval
        self.worker = worker or worker_name()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def drain_once(self) -> int:
        """Claim and post what is due; returns how many were delivered."""
        delivered = 0
        for request in self.copilot.claim_review_requests(self.worker, BATCH):
            delivered += self._deliver(request)
        return delivered

    def _deliver(self, request: ReviewRequest) -> int:
        draft = self.copilot.get_draft(request.draft_id)
        message, as_file = self.presenter.message_for(draft)
        try:
            response = self.client.chat_postMessage(channel=request.channel, **message)
        except (SlackApiError, OSError) as exc:
            reason = refusal(request.channel, exc)
            log.warning("review request %d of draft %s: %s", request.id, request.draft_id, reason)
            self.copilot.review_request_failed(request.id, reason, worker=self.worker)
            return 0
        channel, ts = str(response.get("channel") or request.channel), str(response["ts"])
        self.copilot.review_request_delivered(request.id, channel, ts, worker=self.worker)
        if as_file:
            self.presenter.upload(draft, channel, ts)
        return 1

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.drain_once()
            except SqldraftError as exc:  # the store is down or an entry changed under us: next pass
                log.warning("review requests: %s", exc)
            except Exception as exc:  # the thread must outlive any one bad pass
                report_incident(log, exc, "draining review requests")
            self._stop.wait(self.interval)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sqldraft-review-requests", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
