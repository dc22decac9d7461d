"""Listeners, one package per kind (commands, actions, views) plus the error handler, each with register(app, deps).

As in the bolt-python starter template: a module per listener holds one short function, and its
package's ``register`` hands it to Bolt with the dependencies bound.
"""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners import actions, commands, errors, views


def register(app: App, deps: Deps) -> None:
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    errors.register(app, deps)
