"""Reading what a command is given beyond its flags: SQL text, passwords, the caller's principal."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import TextIO

from core.errors import InvalidInput


def csv_list(value: str | None) -> list[str]:
    """``"a, b,"`` -> ``["a", "b"]``."""
    return [p.strip() for p in value.split(",") if p.strip()] if value else []


def cli_principal() -> str:
    """``cli:<login name>``: who is acting from this terminal."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"cli:{user}"


def read_sql_argument(sql: str | None, file: str | None, stdin: TextIO) -> str:
    """The SQL from --sql, --file or standard input (``-``).

    Raises:
        InvalidInput: none or several sources, unreadable file, text that is not UTF-8.
    """
    given = [x for x in (sql, file) if x is not None]
    if len(given) != 1:
        raise InvalidInput("give the SQL one way: --sql TEXT, --file FILE, or --file - for standard input")
    if sql is not None:
        return sql
    assert file is not None
    if file == "-":
        data = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode("utf-8")
        where = "standard input"
    else:
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise InvalidInput(f"cannot read {file}: {exc.strerror or exc}") from None
        where = file
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{where} is not valid UTF-8 (byte {exc.start}): save it as UTF-8 and try again") from None


def read_password(env_var: str | None, file: str | None, ask: bool, stdin: TextIO) -> str | None:
    """The password from an environment variable, a file or a prompt (at most one of them).

    Raises:
        InvalidInput: several sources, an unset variable, an unreadable or empty file, no terminal to ask on.
    """
    if len([s for s in (env_var, file, ask or None) if s]) > 1:
        raise InvalidInput("give the password one way: --password-env, --password-file or --ask-password")
    if env_var:
        value = os.environ.get(env_var)
        if not value:
            raise InvalidInput(f"environment variable {env_var} is not set or empty")
        return value
    if file:
        return _password_file(Path(file))
    if ask:
        if not stdin.isatty():
            raise InvalidInput("--ask-password needs a terminal: use --password-env or --password-file instead")
        return getpass.getpass("password: ")
    return None


def _password_file(path: Path) -> str:
    try:
        value = path.read_text(encoding="utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise InvalidInput(f"cannot read the password file {path}: not UTF-8 text") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read the password file {path}: {exc.strerror or exc}") from None
    if not value:
        raise InvalidInput(f"the password file {path} is empty")
    return value
