"""Logging for the command line, configured once at start-up.

Messages go to stderr at ``SQLDRAFT_LOG_LEVEL`` (DEBUG with ``--debug``), and warnings and errors,
tracebacks included, to ``sqldraft.log`` in the data dir, wherever the settings put it (environment
or ``.env``). The traceback of an error the command line reports itself stays out of the terminal:
the user sees one line with the incident id.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from core.paths import default_data_dir

if TYPE_CHECKING:
    from core.cli.context import CommonSettings

INCIDENTS = "sqldraft.cli.incidents"
"""The logger of the command's own unexpected errors (file only; stderr gets the one-line message)."""

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_QUIET = ("httpx", "httpcore", "alembic")
"""Libraries that log routine steps (each request, each migration) at INFO: kept to warnings unless --debug."""


class _CliHandler:
    """Marks the handlers this module installs, so a second call (tests run many) replaces them."""


class _StderrHandler(logging.StreamHandler, _CliHandler):  # type: ignore[type-arg]
    pass


class _FileHandler(logging.FileHandler, _CliHandler):
    pass


def _not_an_incident(record: logging.LogRecord) -> bool:
    return record.name != INCIDENTS


def log_file(settings: CommonSettings | None) -> Path | None:
    """``<data dir>/sqldraft.log``, or None when the data dir cannot be created."""
    if settings is not None:
        base = settings.data_dir
    else:  # a setting is invalid (the command reports it): fall back as the settings would
        base = Path(os.environ.get("SQLDRAFT_DATA_DIR") or default_data_dir()).expanduser()
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return base / "sqldraft.log"


def configure_logging(settings: CommonSettings | None, *, debug: bool = False) -> Path | None:
    """Install the stderr and file handlers on the root logger; return the log file's path."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _CliHandler)]:
        root.removeHandler(old)
        old.close()
    level = logging.DEBUG if debug else logging.getLevelName(settings.log_level if settings else "INFO")
    stderr = _StderrHandler(sys.stderr)
    stderr.setLevel(level)
    stderr.setFormatter(logging.Formatter(FORMAT))
    stderr.addFilter(_not_an_incident)
    root.addHandler(stderr)
    path = log_file(settings)
    if path is not None:
        file = _FileHandler(path, encoding="utf-8", delay=True)
        file.setLevel(logging.WARNING)
        file.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(file)
    root.setLevel(min(level, logging.WARNING))
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.DEBUG if debug else max(level, logging.WARNING))
    return path
