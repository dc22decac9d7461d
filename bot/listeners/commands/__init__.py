"""The /sqldraft slash command."""

from __future__ import annotations

from slack_bolt import App

from bot.ids import COMMAND
from bot.listeners import Deps
from bot.listeners.commands.sqldraft import SqldraftCommand


def register(app: App, deps: Deps) -> None:
    app.command(COMMAND)(SqldraftCommand(deps).handle)
