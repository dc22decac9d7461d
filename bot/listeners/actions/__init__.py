"""Buttons on draft messages: Approve, Reject, Edit, Retry, Run, Fix with the error."""

from __future__ import annotations

from functools import partial

from slack_bolt import App

from bot.deps import Deps
from bot.ids import ActionId
from bot.listeners.actions.approve import approve
from bot.listeners.actions.edit import edit
from bot.listeners.actions.reject import reject
from bot.listeners.actions.retry import retry
from bot.listeners.actions.run import repair, run


def register(app: App, deps: Deps) -> None:
    app.action(ActionId.APPROVE.value)(partial(approve, deps=deps))
    app.action(ActionId.REJECT.value)(partial(reject, deps=deps))
    app.action(ActionId.EDIT.value)(partial(edit, deps=deps))
    app.action(ActionId.RETRY.value)(partial(retry, deps=deps))
    app.action(ActionId.RUN.value)(partial(run, deps=deps))
    app.action(ActionId.REPAIR.value)(partial(repair, deps=deps))
