"""`sqldraft keys generate|rotate`: the Fernet keys that encrypt stored credentials."""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.context import Context, add_command, add_group


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    keys = add_group(subparsers, "keys", "manage the Fernet keys that encrypt credentials", common)
    add_command(keys, "generate", cmd_keys_generate, "print a fresh key", common)
    add_command(
        keys, "rotate", cmd_keys_rotate, "re-encrypt every credential with the first key of SQLDRAFT_SECRET_KEY", common
    )


def cmd_keys_generate(ctx: Context) -> int:
    from core.crypto import generate_key

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
