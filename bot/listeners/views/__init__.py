"""Modal submissions: the edit (re-validated, errors shown in the modal) and the rejection note."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks import script_from_submission
from bot.errors import explain
from bot.ids import BlockId, CallbackId
from bot.listeners import Deps
from bot.listeners.actions import metadata
from bot.presenter import with_mentions
from core.errors import SqldraftError


def register(app: App, deps: Deps) -> None:
    handlers = ModalSubmissions(deps)
    app.view(CallbackId.EDIT_MODAL.value)(handlers.edit)
    app.view(CallbackId.REJECT_MODAL.value)(handlers.reject)


def _note(values: dict[str, Any]) -> str | None:
    return (values.get(BlockId.NOTE.value, {}).get("note", {}).get("value") or "").strip() or None


class ModalSubmissions:
    def __init__(self, deps: Deps) -> None:
        self.copilot = deps.copilot
        self.presenter = deps.presenter

    def edit(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        first = f"{BlockId.SCRIPT.value}0"
        script = script_from_submission(values)
        save_anyway = bool(values.get(BlockId.SAVE_ANYWAY.value, {}).get("save_anyway", {}).get("selected_options"))
        draft_id = metadata(view).get("draft_id", "")
        user = body["user"]["id"]
        if not script.strip():
            ack(response_action="errors", errors={first: "The script is blank: write the SQL to keep."})
            return
        try:
            draft = self.copilot.get_draft(draft_id)
            checked = self.copilot.validate(script, connection=draft.connection, mode=draft.mode)
            if checked.errors and not save_anyway:
                lines = "; ".join(f"line {f.line}: {f.message}" for f in checked.errors[:3])
                more = f" (and {len(checked.errors) - 3} more)" if len(checked.errors) > 3 else ""
                ack(
                    response_action="errors",
                    errors={
                        first: (
                            f"{len(checked.errors)} error(s): {lines}{more}. "
                            "Fix them, or tick 'Save even if it does not validate'."
                        )[:2000]
                    },
                )
                return
            self.copilot.review(
                draft_id,
                "edit",
                self.presenter.principal(user, draft.connection),
                note=_note(values),
                final_script=script,
            )
        except SqldraftError as exc:
            ack(response_action="errors", errors={first: with_mentions(explain(exc))[:2000]})
            return
        ack()
        self.presenter.update(draft)

    def reject(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        draft_id = metadata(view).get("draft_id", "")
        user = body["user"]["id"]
        try:
            draft = self.copilot.get_draft(draft_id)
            self.copilot.review(
                draft_id,
                "reject",
                self.presenter.principal(user, draft.connection),
                note=_note(view["state"]["values"]),
            )
        except SqldraftError as exc:
            ack(response_action="errors", errors={BlockId.NOTE.value: with_mentions(explain(exc))[:2000]})
            return
        ack()
        self.presenter.update(draft)
