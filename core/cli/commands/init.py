"""`sqldraft init`: create or upgrade the store; write a secret key to .env when none is set."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from core.cli.context import Context, add_command


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    add_command(
        subparsers, "init", cmd_init, "create or upgrade the store; write a secret key to .env if none is set", common
    )


def _write_secret_key(path: Path) -> None:
    from core.crypto import generate_key

    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    with path.open("a", encoding="utf-8") as fh:
        if existing and not existing.endswith("\n"):
            fh.write("\n")
        fh.write(f"SQLDRAFT_SECRET_KEY={generate_key()}\n")
    os.chmod(path, 0o600)


def cmd_init(ctx: Context) -> int:
    key_written = ctx.settings.secret_key is None
    if key_written:
        path = Path(".env")
        _write_secret_key(path)
        ctx.warn(
            f"wrote a new SQLDRAFT_SECRET_KEY to {path.resolve()}: keep it safe and back it up; without it the "
            "stored database passwords cannot be read"
        )
    from core.bootstrap import init_store

    result = init_store(ctx.reload_settings() if key_written else ctx.settings)
    before, after, where = result["revision_before"], result["revision"], result["store"]
    if before is None:
        note = f"created the store at {where}"
    elif before != after:
        note = f"upgraded the store at {where} from {before} to {after}"
    else:
        note = f"the store at {where} is up to date ({after})"
    ctx.emit(result | {"secret_key_written": key_written}, note)
    return 0
