"""Listeners, one package per kind, each with register(app, deps)."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App

from bot.presenter import Presenter
from core.service import Copilot


@dataclass(slots=True)
class Deps:
    copilot: Copilot
    presenter: Presenter


def register(app: App, deps: Deps) -> None:
    from bot.listeners import actions, commands, errors, views

    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    errors.register(app, deps)
