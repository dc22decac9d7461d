"""Slack requests signed with the real signing scheme (slack_sdk's SignatureVerifier)."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

SECRET = "test-signing-secret-not-real"


def signed_headers(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {
        "x-slack-request-timestamp": ts,
        "x-slack-signature": signature,
        "content-type": "application/x-www-form-urlencoded",
    }


def command_body(text: str, *, user: str = "U1", channel: str = "C1", response_url: str = "") -> str:
    return urlencode(
        {
            "command": "/sqldraft",
            "text": text,
            "user_id": user,
            "user_name": user.lower(),
            "channel_id": channel,
            "channel_name": "data",
            "team_id": "T1",
            "team_domain": "acme",
            "response_url": response_url,
            "trigger_id": "trig.1",
            "api_app_id": "A1",
        }
    )


def action_body(action_id: str, draft_id: str, *, user: str = "U2", channel: str = "C1", ts: str = "1.0") -> str:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower()},
        "api_app_id": "A1",
        "team": {"id": "T1"},
        "trigger_id": "trig.2",
        "channel": {"id": channel},
        "container": {"type": "message", "message_ts": ts, "channel_id": channel},
        "message": {"ts": ts},
        "response_url": "",
        "actions": [{"action_id": action_id, "block_id": "b", "value": draft_id, "type": "button"}],
    }
    return urlencode({"payload": json.dumps(payload)})


def submission_body(callback_id: str, values: dict[str, Any], metadata: dict[str, Any], *, user: str = "U2") -> str:
    payload = {
        "type": "view_submission",
        "user": {"id": user},
        "api_app_id": "A1",
        "team": {"id": "T1"},
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": json.dumps(metadata),
            "state": {"values": values},
        },
    }
    return urlencode({"payload": json.dumps(payload)})


def dispatch(app: App, body: str, **kw: Any) -> BoltResponse:
    return app.dispatch(BoltRequest(body=body, headers=signed_headers(body, **kw)))
