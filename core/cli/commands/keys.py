"""`sqldraft keys generate|rotate`: the Fernet keys that encrypt stored credentials."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from core.cli.context import Context, add_command, add_group


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    keys = add_group(subparsers, "keys", "manage the Fernet keys that encrypt credentials", common)
    add_command(keys, "generate", cmd_keys_generate, "print a fresh key", common)
    add_command(
        keys, "rotate", cmd_keys_rotate, "re-encrypt every credential with the first key of SQLDRAFT_SECRET_KEY", common
    )


def _store_may_hold_credentials(ctx: Context) -> bool:
    """False only for a SQLite store file that does not exist yet (nothing stored, nothing to create)."""
    from sqlalchemy.engine import make_url

    url = make_url(ctx.settings.effective_store_url())
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database and not database.startswith(":"):
        return Path(database).exists()
    return True


def cmd_keys_generate(ctx: Context) -> int:
    """Print a fresh key, unless the store holds credentials the configured keys cannot read: a new key would not
    read them either, and replacing the key would lose them."""
    from core.crypto import generate_key
    from core.errors import ConfigurationError, Hint

    unreadable = ctx.copilot.unreadable_credentials() if _store_may_hold_credentials(ctx) else []
    if unreadable:
        shown = ", ".join(unreadable[:5]) + (f" and {len(unreadable) - 5} more" if len(unreadable) > 5 else "")
        where = "no SQLDRAFT_SECRET_KEY is set" if ctx.settings.secret_key is None else "SQLDRAFT_SECRET_KEY is not it"
        raise ConfigurationError(
            f"the store holds credentials encrypted with another key ({shown}) and {where}: a new key cannot read "
            "them; set the key they were stored with instead of generating one",
            hints=[Hint.ROTATE_KEYS],
        )
    key = generate_key()
    ctx.emit({"key": key}, key)
    return 0


def cmd_keys_rotate(ctx: Context) -> int:
    count = ctx.copilot.rotate_keys()
    ctx.emit(
        {"reencrypted": count},
        f"re-encrypted {count} credential(s) with the first key of SQLDRAFT_SECRET_KEY; "
        "the other keys can be removed once every process uses the new setting",
    )
    return 0
