"""One exception tree with user-safe messages.

Every error a user can cause derives from :class:`SqldraftError`; its ``str()`` is one line that
names what was wrong and what to do. Adapters translate these once; anything else is a bug and is
reported with an incident id.
"""

from __future__ import annotations


class SqldraftError(Exception):
    """Base of every error sqldraft reports to a user (message is safe to show)."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(SqldraftError):
    """The caller gave a value sqldraft cannot use."""


class NotFound(SqldraftError):
    """A named thing (connection, draft, snapshot, table) does not exist."""


class NoSnapshot(NotFound):
    """A connection has no schema snapshot yet; ``connection`` names it (adapters suggest their own way to take one)."""

    def __init__(self, message: str, connection: str) -> None:
        super().__init__(message)
        self.connection = connection


class Conflict(SqldraftError):
    """The operation clashes with the current state (duplicate name, already decided)."""


class Forbidden(SqldraftError):
    """The principal may not do this."""


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
