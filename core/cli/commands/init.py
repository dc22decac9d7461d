"""`sqldraft init`: create or upgrade the store; write a secret key and the store URL to the user's config file
when no key is set."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from core.cli.context import Context, add_command


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = add_command(
        subparsers,
        "init",
        cmd_init,
        "create or upgrade the store; write a secret key to the config file "
        "($XDG_CONFIG_HOME/sqldraft/sqldraft.env) if none is set",
        common,
    )
    parser.add_argument(
        "--force-into-existing",
        action="store_true",
        help="create the store in a database that already holds other tables (they are left alone)",
    )


def _defined(text: str, name: str) -> bool:
    return any(
        line.strip().removeprefix("export ").split("=", 1)[0].strip().upper() == name for line in text.splitlines()
    )


def write_config_file(path: Path, *, key: str, store_url: str) -> None:
    """Append the key (and the store URL when the file sets none) to ``path``, created with mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    lines = [f"SQLDRAFT_SECRET_KEY={key}"]
    if not _defined(existing, "SQLDRAFT_STORE_URL"):
        lines.append(f"SQLDRAFT_STORE_URL={store_url}")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        if existing and not existing.endswith("\n"):
            fh.write("\n")
        fh.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)


def cmd_init(ctx: Context) -> int:
    from core.paths import config_file

    key_written = ctx.settings.secret_key is None
    if key_written:
        from core.crypto import generate_key

        path = config_file()
        write_config_file(path, key=generate_key(), store_url=ctx.settings.effective_store_url())
        ctx.warn(
            f"wrote a new SQLDRAFT_SECRET_KEY to {path}: keep it safe and back it up; without it the "
            "stored database passwords cannot be read"
        )
    from core.bootstrap import init_store

    settings = ctx.reload_settings() if key_written else ctx.settings
    result = init_store(settings, into_existing=bool(getattr(ctx.args, "force_into_existing", False)))
    before, after, where = result["revision_before"], result["revision"], result["store"]
    if before is None:
        note = f"created the store at {where}"
    elif before != after:
        note = f"upgraded the store at {where} from {before} to {after}"
    else:
        note = f"the store at {where} is up to date ({after})"
    ctx.emit(result | {"secret_key_written": key_written}, note)
    return 0
