"""Where sqldraft keeps its files when no setting says otherwise."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def default_data_dir() -> Path:
    """The per-user data directory (XDG on Linux, the platform's usual place elsewhere)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "sqldraft"


def config_dir() -> Path:
    """The per-user config directory: ``$XDG_CONFIG_HOME/sqldraft`` (default ``~/.config/sqldraft``).

    Windows uses ``%APPDATA%\\sqldraft``; every other platform follows XDG so that one rule holds for servers.
    """
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "sqldraft"


def config_file() -> Path:
    """The user's settings file that ``sqldraft init`` writes (``sqldraft.env`` in :func:`config_dir`)."""
    return config_dir() / "sqldraft.env"


def env_files() -> tuple[Path, ...]:
    """The settings files in the order they are read, the later winning: the user's config file, then ``.env``
    in the current directory (the environment wins over both)."""
    return (config_file(), Path(".env"))
