"""One exception tree with user-safe messages and structured hints.

Every error a user can cause derives from :class:`SqldraftError`; its ``str()`` is one line that
names what was wrong, in words no adapter owns. What to do about it is a :class:`Hint`, which each
adapter says in its own terms (a command line, an MCP tool, a Slack command) with
:meth:`SqldraftError.render`. Anything else is a bug and is reported with an incident id.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


class Hint(enum.StrEnum):
    """A way out that an error suggests; the adapter that shows the error says how."""

    REFRESH_SNAPSHOT = "refresh_snapshot"
    """Take a snapshot of the connection (``arg``: the connection)."""
    ADD_CONNECTION = "add_connection"
    """There are no connections: add one."""
    LIST_DRAFTS = "list_drafts"
    """List recent drafts (and so their ids)."""
    LIST_EXAMPLES = "list_examples"
    """List the stored examples (and so their ids)."""
    USE_FORCE = "use_force"
    """Remove the connection anyway; its drafts are kept (``arg``: the connection)."""
    GIVE_DIALECT = "give_dialect"
    """Name a connection, or a dialect to check syntax and risk without one."""
    OMIT_DIALECT = "omit_dialect"
    """The dialect given disagrees with the connection's: leave it out, or drop the connection."""
    GENERATE_KEY = "generate_key"
    """Generate a secret key for SQLDRAFT_SECRET_KEY."""
    UPGRADE_STORE = "upgrade_store"
    """Upgrade the metadata store to this version."""
    ALLOW_INVALID = "allow_invalid"
    """Save the edit although it has error findings (an explicit, recorded choice)."""
    FORCE_INTO_EXISTING = "force_into_existing"
    """Create the store inside a database that holds other tables anyway (an explicit choice)."""
    WAIT = "wait"
    """A rate limit was reached: try again later (``arg``: how long to wait)."""
    ROTATE_KEYS = "rotate_keys"
    """Add a new key in front of the current one and re-encrypt, instead of replacing the key."""
    REPAIR_DRAFT = "repair_draft"
    """Ask the generator for a corrected script using the run's database error (``arg``: the draft id)."""


@dataclass(frozen=True, slots=True)
class HintRef:
    """A hint with the one argument it needs, if any (``HintRef(Hint.REFRESH_SNAPSHOT, "shop")``)."""

    hint: Hint
    arg: str = ""


class SqldraftError(Exception):
    """Base of every error sqldraft reports to a user (message is safe to show, hints say what to do)."""

    exit_code = 2

    def __init__(self, message: str, *, hints: Iterable[Hint | HintRef] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.hints: tuple[HintRef, ...] = tuple(h if isinstance(h, HintRef) else HintRef(h) for h in hints)

    def __str__(self) -> str:
        return self.message

    def render(self, phrases: Mapping[Hint, str]) -> str:
        """The message and each hint in an adapter's terms: ``phrases[hint]`` with ``{arg}`` filled in.

        The hints follow a colon, or a semicolon when the message has a colon of its own.

        >>> NotFound("no draft with id 'x'", hints=[Hint.LIST_DRAFTS]).render({Hint.LIST_DRAFTS: "see history"})
        "no draft with id 'x': see history"
        """
        if not self.hints:
            return self.message
        said = "; ".join(phrases[h.hint].format(arg=h.arg) for h in self.hints)
        return f"{self.message}{'; ' if ': ' in self.message else ': '}{said}"


class InvalidInput(SqldraftError):
    """The caller gave a value sqldraft cannot use."""


class NotFound(SqldraftError):
    """A named thing (connection, draft, snapshot, table) does not exist."""


class NoSnapshot(NotFound):
    """A connection has no schema snapshot yet; the hint is to take one of ``connection``."""

    def __init__(self, message: str, connection: str) -> None:
        super().__init__(message, hints=[HintRef(Hint.REFRESH_SNAPSHOT, connection)])


class Conflict(SqldraftError):
    """The operation clashes with the current state (duplicate name, already decided)."""


class Forbidden(SqldraftError):
    """The principal may not do this."""


class RateLimited(SqldraftError):
    """A rate limit (SQLDRAFT_RATE_LIMITS) refused the action; ``retry_after`` seconds until it is allowed."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(message, hints=[HintRef(Hint.WAIT, arg=_duration(self.retry_after))])


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{(seconds + 59) // 60} min"
    return f"{(seconds + 3599) // 3600} h"


class ConfigurationError(SqldraftError):
    """A setting is missing or wrong."""


class SecretKeyError(ConfigurationError):
    """The Fernet key is missing, malformed, or not the one a credential was encrypted with."""


class StoreVersionError(SqldraftError):
    """The metadata store was created by another version of sqldraft."""


class UpstreamError(SqldraftError):
    """A database or service sqldraft talks to failed (unreachable, refused, timed out)."""


class TargetUnreachable(UpstreamError):
    """The database of a connection could not be reached or refused the login."""


class LLMError(UpstreamError):
    """The language model endpoint failed or answered something unusable."""


class TooLarge(InvalidInput):
    """An input is over its configured size limit."""


class InvalidEdit(InvalidInput):
    """An edited script has error findings and saving it anyway was not asked for.

    ``findings`` are the error findings as dicts (rule, message, line, column), for adapters to show.
    """

    def __init__(self, message: str, findings: list[dict[str, object]]) -> None:
        super().__init__(message, hints=[Hint.ALLOW_INVALID])
        self.findings = findings


class ExecutionBlocked(Forbidden):
    """A draft whose script writes or changes schema was asked to run; ``sql`` is the script (returned, never run)."""

    def __init__(self, message: str, sql: str) -> None:
        super().__init__(message)
        self.sql = sql


class QueryFailed(UpstreamError):
    """The target database refused or cancelled a read while running it; the error is recorded on the draft."""
