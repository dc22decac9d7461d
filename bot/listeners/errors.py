"""One error handler: known errors become a user message, anything else an incident id in the log."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt import App
from slack_bolt.response import BoltResponse

from bot.deps import Deps
from bot.replies import warning
from core.errors import SqldraftError
from core.incidents import report_incident

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    app.error(partial(on_error, deps=deps))


def on_error(error: Exception, body: dict[str, Any], *, deps: Deps) -> BoltResponse | None:
    if isinstance(error, SqldraftError):
        text = warning(error)
    else:
        incident = report_incident(log, error, f"slack {body.get('type') or body.get('command') or 'request'}")
        text = f":warning: Something went wrong on our side (incident {incident}); the team can look it up."
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    if user and channel:
        deps.presenter.ephemeral(channel, user, text)
    return None
