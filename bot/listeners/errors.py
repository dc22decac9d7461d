"""One error handler: known errors become a user message, anything else an incident id in the log."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.response import BoltResponse

from bot.errors import explain
from bot.listeners import Deps
from core.errors import SqldraftError
from core.incidents import report_incident

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    presenter = deps.presenter

    @app.error
    def handle(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        if isinstance(error, SqldraftError):
            text = f":warning: {explain(error)}"
        else:
            incident = report_incident(log, error, f"slack {body.get('type') or body.get('command') or 'request'}")
            text = f":warning: Something went wrong on our side (incident {incident}); the team can look it up."
        user = (body.get("user") or {}).get("id") or body.get("user_id")
        channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
        if user and channel:
            presenter.ephemeral(channel, user, text)
        return None
