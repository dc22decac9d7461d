"""Migration statements sqlglot keeps as opaque text, read from their lexemes by a closed grammar.

VACUUM, CLUSTER, REINDEX, LOCK TABLE and the ALTER TABLE forms sqlglot does not parse
(``VALIDATE CONSTRAINT``, ``ADD ... USING INDEX``) are common in migrations. Each is read word by
word from the lexer's lexemes (comments and whitespace never count, quoted names are names); a
statement is *recognised* only when the grammar accounts for every lexeme, so anything unexpected
stays unanalysable.

>>> from core.domain.schema import Dialect
>>> from core.validation.script import Script
>>> read(Script("VACUUM (FULL) orders", Dialect.POSTGRESQL).statements[0], Dialect.POSTGRESQL).detail
{'full': True, 'tables': [(None, 'orders')]}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from core.domain.schema import Dialect
from core.validation.lex import Kind, Lexeme
from core.validation.script import Statement


@dataclass(slots=True)
class Command:
    """What a recognised statement does: its action and the tables it names."""

    action: str
    """vacuum, cluster, reindex, lock_table, validate_constraint, add_constraint_using_index."""
    tables: list[exp.Table] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)


class _Words:
    def __init__(self, words: list[Lexeme]) -> None:
        self.words = words
        self.i = 0

    @property
    def done(self) -> bool:
        return self.i >= len(self.words)

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        if j >= len(self.words):
            return ""
        w = self.words[j]
        return w.upper if w.kind is Kind.WORD else w.text if w.kind in (Kind.OP, Kind.NUMBER) else ""

    def take(self, *options: str) -> str:
        word = self.peek()
        if word and word in options:
            self.i += 1
            return word
        return ""

    def name(self) -> exp.Table | None:
        """``name`` or ``schema.name`` (quoted or not)."""
        parts: list[exp.Identifier] = []
        while True:
            if self.done:
                return None
            w = self.words[self.i]
            if w.kind is Kind.WORD:
                parts.append(exp.Identifier(this=w.text, quoted=False))
            elif w.kind is Kind.QUOTED:
                parts.append(exp.Identifier(this=w.value or "", quoted=True))
            else:
                return None
            self.i += 1
            if self.peek() != ".":
                break
            self.i += 1
        if len(parts) > 2:
            return None
        return exp.Table(this=parts[-1], db=parts[0] if len(parts) == 2 else None)

    def options(self) -> dict[str, str] | None:
        """A parenthesised option list ``(FULL, ANALYZE true)`` -> {"FULL": "", "ANALYZE": "TRUE"}."""
        out: dict[str, str] = {}
        if not self.take("("):
            return out
        while True:
            key = self.peek()
            if not key or not key[0].isalpha():
                return None
            self.i += 1
            value = ""
            if self.peek() not in (",", ")"):
                value = self.peek()
                if not value:
                    return None
                self.i += 1
            out[key] = value
            if self.take(")"):
                return out
            if not self.take(","):
                return None


def _on(value: str) -> bool:
    return value in ("", "TRUE", "ON", "1", "YES")


def read(stmt: Statement, dialect: Dialect) -> Command | None:
    """The command a statement is, or None when the grammar does not account for all of it."""
    words = _Words(stmt.words)
    heads = ("VACUUM", "CLUSTER", "REINDEX", "LOCK", "ALTER") if dialect is Dialect.POSTGRESQL else ("LOCK",)
    if dialect is Dialect.SQLITE:
        return None
    head = words.take(*heads)
    reader = {
        "VACUUM": _vacuum,
        "CLUSTER": _cluster,
        "REINDEX": _reindex,
        "LOCK": _lock,
        "ALTER": _alter,
    }.get(head)
    command = reader(words) if reader is not None else None
    return command if command is not None and words.done else None


def _vacuum(w: _Words) -> Command | None:
    opts = w.options()
    if opts is None:
        return None
    full = _on(opts["FULL"]) if "FULL" in opts else False
    while word := w.take("FULL", "FREEZE", "VERBOSE", "ANALYZE", "ANALYSE"):
        full = full or word == "FULL"
    tables = _table_list(w, columns=True)
    if tables is None:
        return None
    return Command("vacuum", tables, {"full": full, "tables": [(t.db or None, t.name) for t in tables]})


def _cluster(w: _Words) -> Command | None:
    w.take("VERBOSE")
    if w.options() is None:
        return None
    if w.done:
        return Command("cluster", [], {"all": True})
    first = w.name()
    if first is None:
        return None
    if w.take("ON"):  # the old form: CLUSTER index ON table
        table = w.name()
        return Command("cluster", [table], {"all": False}) if table is not None else None
    if w.take("USING") and w.name() is None:
        return None
    return Command("cluster", [first], {"all": False})


def _reindex(w: _Words) -> Command | None:
    opts = w.options()
    if opts is None:
        return None
    kind = w.take("INDEX", "TABLE", "SCHEMA", "DATABASE", "SYSTEM")
    if not kind:
        return None
    concurrently = bool(w.take("CONCURRENTLY")) or _on(opts.get("CONCURRENTLY", "FALSE"))
    target = None if w.done and kind in ("DATABASE", "SYSTEM") else w.name()
    if target is None and kind not in ("DATABASE", "SYSTEM"):
        return None
    tables = [target] if kind == "TABLE" and target is not None else []
    shown = target.sql("postgres") if target is not None else ""
    return Command("reindex", tables, {"kind": kind, "concurrently": concurrently, "name": shown})


_PG_LOCK_MODES = ("ACCESS", "ROW", "SHARE", "EXCLUSIVE", "UPDATE")


def _lock(w: _Words) -> Command | None:
    if w.take("TABLES"):  # MySQL: LOCK TABLES t [AS a] READ [LOCAL] | [LOW_PRIORITY] WRITE, ...
        tables = []
        while True:
            table = w.name()
            if table is None:
                return None
            tables.append(table)
            if w.take("AS") and w.name() is None:
                return None
            w.take("LOW_PRIORITY")
            mode = w.take("READ", "WRITE")
            if not mode:
                return None
            if mode == "READ":
                w.take("LOCAL")
            if not w.take(","):
                return Command("lock_table", tables, {"mode": "MySQL"})
    w.take("TABLE")
    w.take("ONLY")
    locked = _table_list(w, columns=False)
    if not locked:
        return None
    mode = "ACCESS EXCLUSIVE"
    if w.take("IN"):
        parts = []
        while word := w.take(*_PG_LOCK_MODES):
            parts.append(word)
        if not parts or not w.take("MODE"):
            return None
        mode = " ".join(parts)
    w.take("NOWAIT")
    return Command("lock_table", locked, {"mode": mode})


def _alter(w: _Words) -> Command | None:
    if not w.take("TABLE"):
        return None
    if w.take("IF") and not w.take("EXISTS"):
        return None
    w.take("ONLY")
    table = w.name()
    if table is None:
        return None
    w.take("*")
    if w.take("VALIDATE"):
        if not w.take("CONSTRAINT"):
            return None
        name = w.name()
        return Command("validate_constraint", [table], {"constraint": name.name}) if name is not None else None
    if not w.take("ADD"):
        return None
    constraint = ""
    if w.take("CONSTRAINT"):
        named = w.name()
        if named is None:
            return None
        constraint = named.name
    kind = "UNIQUE" if w.take("UNIQUE") else ("PRIMARY KEY" if w.take("PRIMARY") and w.take("KEY") else "")
    if not kind or not (w.take("USING") and w.take("INDEX")) or w.name() is None:
        return None
    while w.take("DEFERRABLE", "NOT", "INITIALLY", "DEFERRED", "IMMEDIATE"):
        pass
    return Command("add_constraint_using_index", [table], {"kind": kind, "constraint": constraint})


def _table_list(w: _Words, *, columns: bool) -> list[exp.Table] | None:
    tables: list[exp.Table] = []
    while not w.done and w.peek() not in ("IN", "NOWAIT"):
        table = w.name()
        if table is None:
            return None
        w.take("*")
        tables.append(table)
        if columns and w.take("("):
            while w.name() is not None and w.take(","):
                pass
            if not w.take(")"):
                return None
        if not w.take(","):
            break
    return tables
