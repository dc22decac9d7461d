"""What differs between the databases sqldraft reads, one profile per dialect.

Each dialect is one module here named by its :class:`~core.domain.schema.Dialect` value
(``core/dialects/postgresql.py``) that defines ``PROFILE``; :func:`profile` loads it on first use.
Code that needs a dialect's fact asks its profile instead of branching on the dialect.

The modules are plain data and small functions: nothing here imports a driver, SQLAlchemy or the
code the entries name (introspection, server check) until it is called, so the validator and the
command line can import this package for nothing.

>>> profile(Dialect.POSTGRESQL).quote_if_needed("Order")
'"Order"'
>>> profile(Dialect.MYSQL).quote("a`b")
'`a``b`'
>>> by_name("mariadb").dialect.value
'mysql'
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.domain.schema import Dialect
from core.errors import ConfigurationError, InvalidInput

__all__ = [
    "Construct",
    "Dialect",
    "DialectProfile",
    "Fold",
    "Match",
    "Unsupported",
    "by_name",
    "by_scheme",
    "load_entry",
    "profile",
    "profiles",
]

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Fold(StrEnum):
    """What the database does to an unquoted identifier before it looks it up."""

    NONE = "none"
    LOWER = "lower"
    UPPER = "upper"


class Match(StrEnum):
    """How a folded name matches a catalog name."""

    EXACT = "exact"
    CASELESS = "caseless"
    SERVER = "server"
    """As a server setting says (MySQL table names: ``lower_case_table_names``; 0 means exact)."""


class Construct(StrEnum):
    """Constructs some dialects lack; a profile maps the ones it lacks to what to say."""

    ILIKE = "ilike"
    DOUBLE_COLON_CAST = "double_colon_cast"
    DISTINCT_ON = "distinct_on"
    FULL_JOIN = "full_join"
    AGGREGATE_FILTER = "aggregate_filter"
    RETURNING = "returning"
    NULLS_ORDER = "nulls_order"


@dataclass(frozen=True, slots=True)
class Unsupported:
    """What to tell the author of a construct the dialect lacks."""

    message: str
    suggestion: str


ConnectArgs = Callable[[int, float], dict[str, Any]]
"""connect_args(connect_timeout_s, statement_timeout_s): the driver's keyword arguments for a read-only session."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class DialectProfile:
    """Everything sqldraft needs to know that differs for one dialect (facts, not behaviour)."""

    dialect: Dialect
    name: str
    """How messages name it: ``PostgreSQL``."""
    products: str
    """The servers it covers, for prompts: ``MySQL/MariaDB``."""
    sqlglot: str
    """The sqlglot dialect name."""
    aliases: tuple[str, ...] = ()
    """Other names accepted where a dialect is named (``--dialect pg``)."""

    # --- connection URLs and drivers ---------------------------------------------------------
    url_schemes: tuple[str, ...]
    """URL schemes that mean this dialect (the first is the canonical one)."""
    sqlalchemy_driver: str
    """The SQLAlchemy drivername sqldraft connects with (``postgresql+psycopg``)."""
    drivers: frozenset[str]
    """Driver suffixes accepted after the scheme (``""``: none given)."""
    file_based: bool = False
    """The URL names a file: no host, no password, no schemas (SQLite)."""
    url_example: str
    connect_args: ConnectArgs | None = None
    """The driver arguments that make a network session read-only with timeouts (None for files)."""
    engine_hook: str | None = None
    """``module:function(engine, statement_timeout_s)`` to adjust a new engine (driver quirks), or None."""
    open_file: str | None = None
    """``module:function(path, timeout_s)`` returning a read-only DB-API connection (file-based dialects)."""
    read_only_session: tuple[str, ...]
    """What makes each session read-only, as the statements or settings sent (documentation and tests)."""
    read_only_hint: str
    """How to set up a read-only role; ``{database}`` is the connection's (quoted) database or file."""
    hint_placeholder: str = "db"
    version_query: str
    """One constant statement whose single value is the server version."""

    # --- identifiers ---------------------------------------------------------------------------
    quote_char: str
    """The identifier quote sqldraft writes (doubled inside the name)."""
    identifier_quotes: str
    """Characters that open a quoted identifier in this dialect's default mode."""
    fold: Fold
    table_match: Match
    column_match: Match
    has_schemas: bool = True
    default_schema: str | None = None
    """The schema an unqualified name means when the snapshot does not say (``public``)."""
    schema_aliases: frozenset[str] = frozenset()
    """Schema names that mean the one database itself (SQLite ``main``, ``temp``)."""
    system_schemas: frozenset[str] = frozenset()
    system_tables: frozenset[str] = frozenset()
    system_table_prefixes: tuple[str, ...] = ()
    system_columns: frozenset[str] = frozenset()

    # --- lexing facts (the lexer's grammar stays in core/validation/lex.py) ------------------
    whitespace: str = " \t\n\r\f\v"
    """What the server's tokenizer skips as whitespace."""
    line_ends: str = "\n"
    """What ends a ``--`` comment."""
    dash_comment_needs_space: bool = False
    """``--`` opens a comment only before whitespace, a control character or the end (MySQL)."""
    hash_comments: bool = False
    """``#`` opens a line comment (MySQL)."""
    executable_comments: bool = False
    """``/*! ... */`` is SQL the server runs (MySQL)."""
    nested_block_comments: bool = False
    """``/* /* */ */`` nests (PostgreSQL)."""
    open_comment_ends_text: bool = False
    """An unclosed ``/*`` comment runs to the end of the text instead of being an error (SQLite)."""
    dollar_quotes: bool = False
    """``$tag$ ... $tag$`` strings (PostgreSQL)."""
    parameter_prefixes: str = ""
    """Characters that open a named or numbered parameter the lexer reads (SQLite ``?1 :a @a $a #a``)."""

    # --- entries, loaded on first call --------------------------------------------------------
    introspection: str
    """``module:function(conn, include, exclude, progress) -> SchemaModel``."""
    server_check: str | None = None
    """``module:function(target)``: a context manager yielding ``prepare(sql) -> refusal | None``; None: no check."""
    server_checked_kinds: frozenset[str] = frozenset({"select", "insert", "update", "delete", "merge"})
    """Statement types the server check sends (others are skipped)."""
    explain: str | None = None
    """``module:function(target)``: a context manager yielding ``explain(sql) -> JSON plan`` (plain EXPLAIN of
    one read, never ANALYZE; see core/validation/explain.py); None: no plan estimates."""

    read_runner: str | None = None
    """``module:function(target, sql, max_rows, timeout_s) -> RawRun``: runs one validated read in a read-only
    transaction under the caps, always rolled back (see core/introspection/reads.py); None: no runs."""

    # --- drafting and validation ---------------------------------------------------------------
    prompt_hint: str
    unsupported: Mapping[Construct, Unsupported] = field(default_factory=dict)

    # --- identifier rules ----------------------------------------------------------------------

    def fold_unquoted(self, name: str) -> str:
        """The name an unquoted identifier stands for."""
        if self.fold is Fold.LOWER:
            return name.lower()
        if self.fold is Fold.UPPER:
            return name.upper()
        return name

    def quote(self, name: str) -> str:
        """``name`` as a quoted identifier, the quote character doubled inside."""
        q = self.quote_char
        return q + name.replace(q, q + q) + q

    def quote_if_needed(self, name: str) -> str:
        """``name`` bare when the database reads it back unchanged unquoted, else quoted."""
        if _PLAIN.match(name) and self.fold_unquoted(name) == name:
            return name
        return self.quote(name)

    def unquote(self, text: str) -> str:
        """The name a quoted identifier written with :attr:`quote_char` stands for (inverse of :meth:`quote`).

        Raises:
            InvalidInput: the text is not one such quoted identifier.
        """
        q = self.quote_char
        inner = text[1:-1]
        if len(text) < 2 or text[0] != q or text[-1] != q or inner.replace(q + q, "").count(q):
            raise InvalidInput(f"{text!r} is not a {self.name} quoted identifier: write it as {q}name{q}")
        return inner.replace(q + q, q)

    def key(self, name: str, match: Match, *, caseless_server: bool = False) -> str:
        """The lookup key of a (folded) name under ``match``."""
        if match is Match.CASELESS or (match is Match.SERVER and caseless_server):
            return name.lower()
        return name

    def is_system_table(self, schema: str | None, name: str) -> bool:
        """A catalog table the snapshot does not list (it exists; its columns are unknown)."""
        if schema is not None:
            return schema.lower() in self.system_schemas
        lowered = name.lower()
        return lowered in self.system_tables or lowered.startswith(self.system_table_prefixes)

    def read_only_advice(self, database: str | None) -> str:
        """The read-only setup advice, naming the connection's own database (quoted as the hint needs)."""
        target = database or self.hint_placeholder
        if self.file_based:
            import shlex

            shown = shlex.quote(target)
        else:
            shown = self.quote_if_needed(target)
        return self.read_only_hint.format(database=shown)


def profile(dialect: Dialect) -> DialectProfile:
    """The profile of ``dialect`` (module ``core.dialects.<dialect value>``).

    Raises:
        ConfigurationError: no profile module for the dialect (a dialect added to the enum only).
    """
    found = _PROFILES.get(dialect)
    if found is not None:
        return found
    try:
        module = importlib.import_module(f"{__name__}.{Dialect(dialect).value}")
    except ModuleNotFoundError:
        raise ConfigurationError(f"dialect {dialect!s} has no profile: add core/dialects/{dialect!s}.py") from None
    found = module.PROFILE
    if not isinstance(found, DialectProfile) or found.dialect is not dialect:
        raise ConfigurationError(f"core/dialects/{dialect!s}.py must define PROFILE for {dialect!s}")
    _PROFILES[dialect] = found
    return found


_PROFILES: dict[Dialect, DialectProfile] = {}


def profiles() -> list[DialectProfile]:
    """Every dialect's profile, in the enum's order."""
    return [profile(d) for d in Dialect]


def by_name(text: str) -> DialectProfile:
    """The profile a user's dialect name means (``postgresql``, ``postgres``, ``pg``, ``mariadb``...).

    Raises:
        InvalidInput: no dialect has that name.
    """
    wanted = (text or "").strip().lower()
    for p in profiles():
        if wanted == p.dialect.value or wanted in p.aliases:
            return p
    names = ", ".join(f"{p.dialect.value}" + (f" ({'/'.join(p.aliases)})" if p.aliases else "") for p in profiles())
    raise InvalidInput(f"unknown dialect {text!r}: use one of {names}")


def by_scheme(scheme: str) -> DialectProfile | None:
    """The profile whose URLs start with ``scheme`` (``mariadb``), or None."""
    for p in profiles():
        if scheme in p.url_schemes:
            return p
    return None


def load_entry(entry: str) -> Any:
    """The object an entry ``module:attribute`` names, imported now."""
    module, _, attribute = entry.partition(":")
    return getattr(importlib.import_module(module), attribute)
