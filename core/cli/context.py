"""What every command handler gets: its arguments, the output streams, settings and a lazy Copilot."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from core.errors import ConfigurationError
from core.settings import Settings, load_settings

if TYPE_CHECKING:
    from core.service import Copilot

Handler = Callable[["Context"], int]


class Context:
    """A command's arguments, streams, settings and Copilot (built on first use, closed at the end)."""

    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
        self.args = args
        self.out = out
        self.err = err
        self.json: bool = bool(getattr(args, "json", False))
        self._settings: Settings | None = None
        self._copilot: Copilot | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    def settings_if_valid(self) -> Settings | None:
        """The settings, or None when one is invalid (the command reports it when it needs them)."""
        try:
            return self.settings
        except ConfigurationError:
            return None

    def reload_settings(self) -> Settings:
        self._settings = None
        return self.settings

    @property
    def copilot(self) -> Copilot:
        if self._copilot is None:
            from core.bootstrap import build_copilot

            self._copilot = build_copilot(self.settings)
        return self._copilot

    def emit(self, data: Any, text: str | Callable[[], str]) -> None:
        """Print ``data`` as JSON under --json, else the text rendering."""
        if self.json:
            self.out.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")
        else:
            rendered = text() if callable(text) else text
            if rendered:
                self.out.write(rendered.rstrip("\n") + "\n")

    def fail(self, message: str) -> None:
        """Report a failure the command goes on from (a refresh among several): one line on stderr."""
        self.err.write(f"sqldraft: {message}\n")

    def warn(self, message: str) -> None:
        self.err.write(f"warning: {message}\n")

    def close(self) -> None:
        if self._copilot is not None:
            self._copilot.close()


def add_command(
    subparsers: Any, name: str, handler: Handler, help_text: str, common: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    """Register one command (or action of a group) with the common options and its handler."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, parents=[common], help=help_text, description=help_text
    )
    parser.set_defaults(handler=handler)
    return parser


def add_group(subparsers: Any, name: str, help_text: str, common: argparse.ArgumentParser) -> Any:
    """Register a command group (``connections``, ``snapshot`` ...) and return its action subparsers."""
    group = subparsers.add_parser(name, parents=[common], help=help_text)
    return group.add_subparsers(dest="subcommand", metavar="ACTION", required=True)
