"""What Slack sends, parsed into typed values: a button click, a modal submission."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.ids import BlockId

FIRST_SCRIPT_BLOCK = f"{BlockId.SCRIPT.value}0"
"""Where an edit's errors show: under the first script input."""


@dataclass(frozen=True, slots=True)
class Click:
    """A click on a draft message's button: which draft, who, where."""

    draft_id: str
    user: str
    channel: str
    ts: str | None
    trigger_id: str

    @classmethod
    def of(cls, body: dict[str, Any]) -> Click:
        action = body["actions"][0]
        container = body.get("container", {})
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
        ts = (body.get("message") or {}).get("ts") or container.get("message_ts")
        return cls(action["value"], body["user"]["id"], channel, ts, body.get("trigger_id", ""))

    def metadata(self) -> dict[str, Any]:
        """What a modal opened from this click carries back in its private metadata."""
        return {"draft_id": self.draft_id, "channel": self.channel, "ts": self.ts}


@dataclass(frozen=True, slots=True)
class Submission:
    """A submitted edit or reject modal: the draft it is about, who, and the inputs."""

    draft_id: str
    user: str
    values: dict[str, Any]

    @classmethod
    def of(cls, body: dict[str, Any], view: dict[str, Any]) -> Submission:
        metadata = json.loads(view.get("private_metadata") or "{}")
        return cls(metadata.get("draft_id", ""), body["user"]["id"], view["state"]["values"])

    @property
    def note(self) -> str | None:
        return (self.values.get(BlockId.NOTE.value, {}).get("note", {}).get("value") or "").strip() or None

    @property
    def script(self) -> str:
        """The edited script, put together from its inputs (each holds at most 3,000 characters)."""
        parts = sorted(
            (k for k in self.values if k.startswith(BlockId.SCRIPT.value)),
            key=lambda k: int(k.removeprefix(BlockId.SCRIPT.value)),
        )
        return "".join((self.values[k]["script"].get("value") or "") for k in parts)

    @property
    def save_anyway(self) -> bool:
        box = self.values.get(BlockId.SAVE_ANYWAY.value, {}).get("save_anyway", {})
        return bool(box.get("selected_options"))
