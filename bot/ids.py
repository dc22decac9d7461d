"""Every id Slack sends back to the app: the command, action ids, modal callback ids, block ids."""

from __future__ import annotations

from enum import StrEnum

COMMAND = "/sqldraft"


class ActionId(StrEnum):
    APPROVE = "sqldraft_approve"
    REJECT = "sqldraft_reject"
    EDIT = "sqldraft_edit"
    RETRY = "sqldraft_retry"
    RUN = "sqldraft_run"
    REPAIR = "sqldraft_repair"


class CallbackId(StrEnum):
    EDIT_MODAL = "sqldraft_edit_modal"
    REJECT_MODAL = "sqldraft_reject_modal"
    OVERRIDE_MODAL = "sqldraft_override_modal"


class BlockId(StrEnum):
    SCRIPT = "sqldraft_script_"
    """Prefix: a long script is edited in several inputs (each holds at most 3,000 characters)."""
    NOTE = "sqldraft_note"
    SAVE_ANYWAY = "sqldraft_save_anyway"


def principal(user_id: str) -> str:
    return f"slack:{user_id}"


def mention(principal_id: str | None) -> str:
    """``slack:U123`` -> ``<@U123>``; other principals as they are."""
    if principal_id and principal_id.startswith("slack:"):
        return f"<@{principal_id.removeprefix('slack:')}>"
    return principal_id or "someone"
