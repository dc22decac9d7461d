"""The /sqldraft slash command."""

from __future__ import annotations

from functools import partial

from slack_bolt import App

from bot.deps import Deps
from bot.ids import COMMAND
from bot.listeners.commands.sqldraft import sqldraft


def register(app: App, deps: Deps) -> None:
    app.command(COMMAND)(partial(sqldraft, deps=deps))
