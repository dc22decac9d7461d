"""Judge a function called in a read: an allowlist of built-ins per dialect, plus the snapshot's user functions.

What is not known to be free of side effects is not allowed: a name that is neither a listed
built-in nor a user function of the snapshot is ``unknown``, and callers treat unknown as unsafe.
The built-in lists are the ``<dialect>.tsv`` files next to this module, written by
``tools/gen_function_lists.py`` (see its docstring for how each list is made and reviewed).

How a name is resolved, per dialect:

- **Dangerous names win over everything**, whatever the qualifier and whatever ``extra_safe`` says:
  extension functions such as ``dblink`` or tablefunc's ``crosstab`` live in ordinary schemas, where
  the snapshot records them as user functions (``crosstab`` is even declared stable), and the list is
  what catches them.
- **PostgreSQL**: ``pg_catalog.f`` (or ``information_schema.f``) is the built-in; any other qualifier
  names a user function of that schema. An unqualified name is *not* simply the built-in: pg_catalog
  is searched first, but overload resolution weighs functions of every schema on the search path with
  different argument types equally, so ``lower(x)`` can resolve to a user's ``app.lower(mytype)``.
  The verdict is therefore the least safe of the built-in and every user function of that name.
  Quoted names keep their case (``"Lower"`` is not ``lower``); unquoted ones fold to lower case.
- **MySQL/MariaDB**: built-ins cannot be qualified and take precedence over stored functions (a stored
  function named like a built-in can only be called as ``db.f()``), so an unqualified known built-in
  is judged as that; other unqualified names are stored functions of any included schema (least safe
  wins); a qualified name is a stored function. Names compare case-insensitively.
- **SQLite**: no user functions are recorded (application-defined functions are per connection), and
  a schema-qualified call does not exist, so it is unknown.

A user function is safe when PostgreSQL says it is immutable or stable, or when a MySQL routine
declares ``NO SQL`` or ``READS SQL DATA`` (``DETERMINISTIC`` alone says nothing MySQL checks). Both
are the author's declarations: PostgreSQL refuses writes inside non-volatile SQL and PL/pgSQL
functions but not calls to volatile ones, and MySQL checks none of its characteristics; the read
still runs in a read-only transaction. Procedures and everything else are ``volatile``.

``extra_safe`` is a connection's own extension of the allowlist: lower-case names, ``name`` for a
function of that name in any schema or ``schema.name`` for one schema.

>>> from core.domain.schema import Dialect, UserFunction
>>> judge_function(Dialect.POSTGRESQL, "lower", None, []).cls
<FunctionClass.SAFE: 'safe'>
>>> judge_function(Dialect.POSTGRESQL, "pg_sleep", "pg_catalog", []).reason
'pg_catalog.pg_sleep is on the dangerous list: sleeps: holds a connection and its snapshot'
>>> touch = UserFunction(schema="app", name="touch", kind="function", volatility="volatile")
>>> judge_function(Dialect.POSTGRESQL, "touch", "app", [touch]).cls
<FunctionClass.VOLATILE: 'volatile'>
>>> judge_function(Dialect.POSTGRESQL, "touch", "app", [touch], frozenset({"app.touch"})).cls
<FunctionClass.SAFE: 'safe'>
>>> judge_function(Dialect.MYSQL, "SLEEP", None, []).cls
<FunctionClass.DANGEROUS: 'dangerous'>
>>> judge_function(Dialect.SQLITE, "no_such_function", None, []).cls
<FunctionClass.UNKNOWN: 'unknown'>
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from types import MappingProxyType

from core.domain.schema import Dialect, UserFunction, qualified

__all__ = ["BuiltinFunction", "FunctionClass", "FunctionVerdict", "builtin_functions", "judge_function"]


class FunctionClass(StrEnum):
    """What a function call may do in a read."""

    SAFE = "safe"
    DANGEROUS = "dangerous"
    VOLATILE = "volatile"
    UNKNOWN = "unknown"


_SEVERITY = {FunctionClass.SAFE: 0, FunctionClass.UNKNOWN: 1, FunctionClass.VOLATILE: 2, FunctionClass.DANGEROUS: 3}
_PG_BUILTIN_SCHEMAS = ("pg_catalog", "information_schema")
_MYSQL_SAFE_ACCESS = ("NO SQL", "READS SQL DATA")


@dataclass(frozen=True)
class FunctionVerdict:
    """The class of one called function and why, in words fit for a finding."""

    name: str
    cls: FunctionClass
    reason: str


@dataclass(frozen=True)
class BuiltinFunction:
    """One line of a ``<dialect>.tsv`` list."""

    name: str
    cls: FunctionClass
    note: str


@functools.cache
def builtin_functions(dialect: Dialect) -> Mapping[str, BuiltinFunction]:
    """The dialect's listed built-ins by name (lower case; ``information_schema.x`` for those outside pg_catalog).

    Raises:
        ValueError: a line of the packaged list is malformed.
    """
    text = resources.files("core.validation.functions").joinpath(f"{dialect.value}.tsv").read_text(encoding="utf-8")
    entries: dict[str, BuiltinFunction] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line or line.startswith("#") or line == "name\tclass\tnote":
            continue
        fields = line.split("\t")
        if len(fields) != 3 or fields[1] not in (FunctionClass.SAFE, FunctionClass.DANGEROUS):
            raise ValueError(f"{dialect.value}.tsv line {number} is not name<TAB>safe|dangerous<TAB>note")
        entries[fields[0]] = BuiltinFunction(fields[0], FunctionClass(fields[1]), fields[2])
    return MappingProxyType(entries)


def judge_function(
    dialect: Dialect,
    name: str,
    schema: str | None,
    user_functions: Sequence[UserFunction],
    extra_safe: frozenset[str] = frozenset(),
    *,
    quoted: bool = False,
) -> FunctionVerdict:
    """Classify a call of ``name`` (unquoted already; ``quoted`` says whether it was) qualified by ``schema``."""
    display = qualified(schema, name)
    builtins = builtin_functions(dialect)
    folds = dialect is not Dialect.POSTGRESQL
    forms = _name_forms(name, quoted=quoted, case_insensitive=folds)
    allowed = frozenset(e.lower() for e in extra_safe) if folds else extra_safe

    for form in forms:
        entry = builtins.get(form)
        if entry is not None and entry.cls is FunctionClass.DANGEROUS:
            return FunctionVerdict(
                display, FunctionClass.DANGEROUS, f"{display} is on the dangerous list: {entry.note}"
            )

    if dialect is Dialect.POSTGRESQL and schema in _PG_BUILTIN_SCHEMAS:
        prefix = "" if schema == "pg_catalog" else f"{schema}."
        builtin = _builtin_verdict(display, [prefix + f for f in forms], builtins)
        if builtin is not None:
            return builtin
        return _allowed(display) if _in(allowed, schema, forms) else _unknown(display, dialect)
    if dialect is Dialect.SQLITE and schema is not None:
        return FunctionVerdict(display, FunctionClass.UNKNOWN, f"{display}: SQLite has no schema-qualified functions")

    candidates: list[FunctionVerdict] = []
    if schema is None:
        builtin = _builtin_verdict(display, forms, builtins)
        if builtin is not None:
            if dialect is Dialect.MYSQL:
                return builtin
            candidates.append(builtin)
    for function in _matching(user_functions, forms, schema, case_insensitive=folds):
        candidates.append(_user_verdict(dialect, function, allowed))
    if not candidates:
        return _allowed(display) if _in(allowed, schema, forms) else _unknown(display, dialect)
    return max(candidates, key=lambda v: _SEVERITY[v.cls])


def _name_forms(name: str, *, quoted: bool, case_insensitive: bool) -> list[str]:
    """The spellings to look up: exact first, then lower case where the name folds."""
    forms = [name]
    if (case_insensitive or not quoted) and name.lower() != name:
        forms.append(name.lower())
    return forms


def _in(allowed: frozenset[str], schema: str | None, forms: list[str]) -> bool:
    """Whether ``extra_safe`` names the function: bare (any schema) or qualified with its schema."""
    return any(form in allowed or qualified(schema, form) in allowed for form in forms)


def _builtin_verdict(
    display: str, keys: Iterable[str], builtins: Mapping[str, BuiltinFunction]
) -> FunctionVerdict | None:
    for key in keys:
        entry = builtins.get(key)
        if entry is not None and entry.cls is FunctionClass.SAFE:
            return FunctionVerdict(
                display, FunctionClass.SAFE, f"{display} is a side-effect-free built-in ({entry.note})"
            )
    return None


def _matching(
    functions: Sequence[UserFunction], forms: list[str], schema: str | None, *, case_insensitive: bool
) -> list[UserFunction]:
    def same(a: str | None, b: str) -> bool:
        return a is not None and (a.lower() == b.lower() if case_insensitive else a == b)

    return [
        f for f in functions if any(same(f.name, form) for form in forms) and (schema is None or same(f.schema, schema))
    ]


def _user_verdict(dialect: Dialect, function: UserFunction, allowed: frozenset[str]) -> FunctionVerdict:
    key = function.key
    spellings = (key, function.name) if dialect is Dialect.POSTGRESQL else (key.lower(), function.name.lower())
    if any(s in allowed for s in spellings):
        return _allowed(key)
    if function.kind == "procedure":
        return FunctionVerdict(key, FunctionClass.VOLATILE, f"{key} is a procedure: only CALL runs it")
    if dialect is Dialect.POSTGRESQL:
        if function.volatility in ("immutable", "stable"):
            return FunctionVerdict(
                key, FunctionClass.SAFE, f"{key} is a user {function.kind} declared {function.volatility}"
            )
        return FunctionVerdict(
            key, FunctionClass.VOLATILE, f"{key} is a user {function.kind} declared {function.volatility}"
        )
    access = (function.data_access or "").upper()
    if access in _MYSQL_SAFE_ACCESS:
        return FunctionVerdict(key, FunctionClass.SAFE, f"{key} is a stored {function.kind} declared {access}")
    declared = f"declared {access}" if access else "with no declared data access"
    return FunctionVerdict(key, FunctionClass.VOLATILE, f"{key} is a stored {function.kind} {declared}")


def _allowed(display: str) -> FunctionVerdict:
    return FunctionVerdict(display, FunctionClass.SAFE, f"{display} is allowed by the connection's extra_safe list")


def _unknown(display: str, dialect: Dialect) -> FunctionVerdict:
    return FunctionVerdict(
        display,
        FunctionClass.UNKNOWN,
        f"{display} is neither on the {dialect.value} list of side-effect-free built-ins nor a known user function",
    )
