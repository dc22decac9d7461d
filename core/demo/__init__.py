"""The bundled sample database: a small shop."""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path


def create_sample_database(path: Path) -> Path:
    """Create (or recreate) the sample shop database at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    script = resources.files("core.demo").joinpath("shop.sql").read_text(encoding="utf-8")
    conn = sqlite3.connect(path)
    try:
        conn.executescript(script)
        conn.commit()
    finally:
        conn.close()
    return path
