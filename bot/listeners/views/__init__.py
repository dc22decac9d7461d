"""Modal submissions: the edit (re-validated, errors shown in the modal), the rejection note, the override note."""

from __future__ import annotations

from functools import partial

from slack_bolt import App

from bot.deps import Deps
from bot.ids import CallbackId
from bot.listeners.views.edit_modal import edit_submitted
from bot.listeners.views.override_modal import override_submitted
from bot.listeners.views.reject_modal import reject_submitted


def register(app: App, deps: Deps) -> None:
    app.view(CallbackId.EDIT_MODAL.value)(partial(edit_submitted, deps=deps))
    app.view(CallbackId.REJECT_MODAL.value)(partial(reject_submitted, deps=deps))
    app.view(CallbackId.OVERRIDE_MODAL.value)(partial(override_submitted, deps=deps))
