"""What every listener gets besides Bolt's own arguments: the core and the Slack presenter."""

from __future__ import annotations

from dataclasses import dataclass

from bot.presenter import Presenter
from core.service import Copilot


@dataclass(frozen=True, slots=True)
class Deps:
    copilot: Copilot
    presenter: Presenter
