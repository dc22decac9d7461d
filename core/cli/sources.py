"""What `sqldraft validate` is given to read: files, folders, globs, standard input and ``--sql``.

Everything is read (and refused) before anything is validated, so a bad path is one line and exit 2,
never half a run. Folders give their ``*.sql`` files, recursively, in natural file-name order
(``V2__x.sql`` before ``V10__y.sql``), the order migration tools apply them; so do globs.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from core.errors import InvalidInput

STDIN = "-"
GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class Source:
    """One script to validate: where it came from and its text."""

    text: str
    path: str | None = None
    """The path as the user gave it or as a folder/glob expanded it; None for ``--sql`` and standard input."""
    label: str = ""
    """How reports name it: the path, ``standard input`` or ``--sql``."""


def natural_key(path: str) -> list[tuple[int, int | str]]:
    """Sort key that orders the numbers inside names by value: ``2`` before ``10``.

    >>> sorted(["V10__b.sql", "V2__a.sql", "V1__c.sql"], key=natural_key)
    ['V1__c.sql', 'V2__a.sql', 'V10__b.sql']
    """
    key: list[tuple[int, int | str]] = []
    for part in re.split(r"(\d+)", path.replace(os.sep, "/")):
        if part.isdigit():
            key.append((0, int(part)))
        elif part:
            key.append((1, part))
    return key


def has_glob(text: str) -> bool:
    return any(c in GLOB_CHARS for c in text)


def expand(argument: str) -> list[str]:
    """The file paths one positional argument stands for (a file, a folder's *.sql, a glob's matches).

    Raises:
        InvalidInput: no such path, a folder without .sql files, a glob that matches nothing.
    """
    path = Path(argument)
    if path.is_dir():
        found = _sql_files(path)
        if not found:
            raise InvalidInput(f"{argument}: the folder holds no .sql files (searched its subfolders too)")
        return found
    if path.exists() or not has_glob(argument):
        if not path.exists():
            raise InvalidInput(f"{argument}: no such file or folder")
        return [argument]
    matches = sorted(glob.glob(argument, recursive=True), key=natural_key)
    files: list[str] = []
    for match in matches:
        files.extend(_sql_files(Path(match)) if Path(match).is_dir() else [match])
    if not files:
        raise InvalidInput(f"{argument}: no file matches this pattern")
    return files


def _sql_files(folder: Path) -> list[str]:
    found = [str(p) for p in folder.rglob("*") if p.suffix.lower() == ".sql" and p.is_file()]
    return sorted(found, key=natural_key)


def collect(*, paths: Iterable[str], files: Iterable[str], sql: str | None, stdin: TextIO) -> list[Source]:
    """Read every source: ``--sql`` first, then each ``--file``, then the positional paths, in order.

    A file named twice is read once (its first place counts). ``-`` (as ``--file -`` or a path) is
    standard input, at most once.

    Raises:
        InvalidInput: nothing given, a path that is missing, unreadable, a folder given as --file,
            not UTF-8 text, or holding NUL bytes; standard input named twice.
    """
    sources: list[Source] = []
    if sql is not None:
        sources.append(Source(sql, None, "--sql"))
    wanted: list[str] = []
    for file in files:
        if file != STDIN and Path(file).is_dir():
            raise InvalidInput(
                f"{file} is a folder, not a file: give it without --file (sqldraft validate ... {file}) "
                "to validate the .sql files in it"
            )
        wanted.append(file)
    for argument in paths:
        wanted.extend([STDIN] if argument == STDIN else expand(argument))
    seen: set[str] = set()
    for name in wanted:
        key = name if name == STDIN else os.path.realpath(name)
        if key in seen:
            if name == STDIN:
                raise InvalidInput("standard input (-) is named twice: give it once")
            continue
        seen.add(key)
        sources.append(_read(name, stdin))
    if not sources:
        raise InvalidInput(
            "nothing to validate: give files or folders (PATH ...), --file FILE, --sql TEXT, or - for standard input"
        )
    return sources


def _read(name: str, stdin: TextIO) -> Source:
    if name == STDIN:
        data = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode("utf-8")
        where, path = "standard input", None
    else:
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            raise InvalidInput(f"cannot read {name}: {exc.strerror or exc}") from None
        where, path = name, name
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{where} is not valid UTF-8 (byte {exc.start}): save it as UTF-8 and try again") from None
    nul = text.find("\x00")
    if nul >= 0:
        raise InvalidInput(f"{where} holds a NUL byte (character {nul}): it looks like a binary file, not SQL text")
    return Source(text, path, where)
