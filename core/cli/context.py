"""What every command handler gets: its arguments, the output streams, settings and a lazy Copilot."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from core.errors import ConfigurationError
from core.paths import default_data_dir, env_files

if TYPE_CHECKING:
    from core.service import Copilot
    from core.settings import Settings

Handler = Callable[["Context"], int]

LIGHT_KEYS = ("DATA_DIR", "LOG_LEVEL", "MAX_SQL_CHARS", "LARGE_TABLE_ROWS", "LARGE_OFFSET")
"""The settings a light command (``validate --dialect``) reads; see :class:`LightSettings`."""


class CommonSettings(Protocol):
    """What logging and dialect-only validation read: the full settings or their defaults."""

    @property
    def data_dir(self) -> Path: ...
    @property
    def log_level(self) -> str: ...
    @property
    def max_sql_chars(self) -> int: ...
    @property
    def large_table_rows(self) -> int: ...
    @property
    def large_offset(self) -> int: ...


@dataclass(frozen=True, slots=True)
class LightSettings:
    """The defaults of :data:`LIGHT_KEYS` (the same as ``core.settings.Settings``'s; a test keeps them equal).

    Used only when none of those keys is set in the environment or ``.env``: building the full settings
    imports pydantic-settings, a third of a dialect-only validation's start-up.
    """

    data_dir: Path = field(default_factory=default_data_dir)
    log_level: str = "INFO"
    max_sql_chars: int = 262_144
    large_table_rows: int = 100_000
    large_offset: int = 10_000


def light_keys_configured(*files: Path) -> bool:
    """True when the environment or a settings file (default: ``.env`` and the user's config file) sets one of
    :data:`LIGHT_KEYS` (names compared case-insensitively)."""
    wanted = {f"SQLDRAFT_{k}" for k in LIGHT_KEYS}
    if any(name.upper() in wanted for name in os.environ):
        return True
    for env_file in files or env_files():
        try:
            text = env_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            name = line.strip().removeprefix("export ").split("=", 1)[0].strip()
            if name.upper() in wanted:
                return True
    return False


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
            from core.settings import load_settings

            self._settings = load_settings()
        return self._settings

    def settings_if_valid(self) -> Settings | None:
        """The settings, or None when one is invalid (the command reports it when it needs them)."""
        try:
            return self.settings
        except ConfigurationError:
            return None

    def common_settings(self) -> CommonSettings:
        """The few settings logging and dialect-only validation need, without pydantic when none is set.

        Raises:
            ConfigurationError: one of them is set and invalid.
        """
        if self._settings is None and not light_keys_configured():
            return LightSettings()
        return self.settings

    def common_settings_if_valid(self) -> CommonSettings | None:
        try:
            return self.common_settings()
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
