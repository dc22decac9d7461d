"""Connection profiles: how to reach a target database and how to treat it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.domain.record import Record
from core.domain.schema import Dialect
from core.errors import InvalidInput

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")

_INTERVAL_RE = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def validate_name(name: str) -> str:
    """A connection name: 1-63 letters, digits, ``_``, ``.`` or ``-``, starting with a letter or digit.

    Raises:
        InvalidInput: blank, spaces or other characters.
    """
    stripped = (name or "").strip()
    if not stripped:
        raise InvalidInput("connection name is blank: give a name such as 'analytics'")
    if not NAME_RE.match(stripped):
        raise InvalidInput(
            f"connection name {stripped!r} is not valid: use 1-63 letters, digits, '_', '.' or '-' (no spaces)"
        )
    return stripped


@dataclass(frozen=True, slots=True)
class Schedule:
    """A refresh schedule: every N seconds, or a five-field cron expression, or never."""

    interval_seconds: int | None = None
    cron: str | None = None
    disabled: bool = False

    @classmethod
    def parse(cls, text: str) -> Schedule:
        """Parse ``30m``, ``6h``, ``1d``, ``off`` or ``cron:0 */6 * * *`` / a bare five-field cron.

        Raises:
            InvalidInput: anything else.
        """
        value = (text or "").strip()
        if value.lower() in ("off", "never", "none", "manual"):
            return cls(disabled=True)
        m = _INTERVAL_RE.match(value)
        if m:
            seconds = int(m.group(1)) * _UNIT_SECONDS[m.group(2)]
            if seconds < 60:
                raise InvalidInput(f"refresh interval {value!r} is too short: use at least 1m")
            return cls(interval_seconds=seconds)
        expr = value[5:].strip() if value.lower().startswith("cron:") else value
        if len(expr.split()) == 5:
            from apscheduler.triggers.cron import CronTrigger

            try:
                CronTrigger.from_crontab(expr)
            except ValueError as exc:
                raise InvalidInput(f"refresh schedule {value!r} is not a valid cron expression: {exc}") from None
            return cls(cron=expr)
        raise InvalidInput(
            f"refresh schedule {value!r} is not understood: use an interval such as 30m, 6h or 1d, "
            "a five-field cron expression such as '0 */6 * * *', or 'off'"
        )

    def __str__(self) -> str:
        if self.disabled:
            return "off"
        if self.cron:
            return f"cron {self.cron}"
        assert self.interval_seconds is not None
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if self.interval_seconds % size == 0:
                return f"{self.interval_seconds // size}{unit}"
        return f"{self.interval_seconds}s"


@dataclass(slots=True)
class ConnectionOptions:
    """Per-connection settings kept with the profile."""

    include_schemas: list[str] = field(default_factory=list)
    exclude_schemas: list[str] = field(default_factory=list)
    refresh: str | None = None
    """Schedule text; None means the default (``SQLDRAFT_DEFAULT_REFRESH``)."""
    notify_channel: str | None = None
    """Where drift notices go (an adapter's address, e.g. a Slack channel id)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Options that later features add (approval policy and the like)."""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "include_schemas": self.include_schemas,
            "exclude_schemas": self.exclude_schemas,
            "refresh": self.refresh,
            "notify_channel": self.notify_channel,
        }
        d.update(self.extra)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> ConnectionOptions:
        d = dict(d or {})
        return cls(
            include_schemas=list(d.pop("include_schemas", None) or []),
            exclude_schemas=list(d.pop("exclude_schemas", None) or []),
            refresh=d.pop("refresh", None),
            notify_channel=d.pop("notify_channel", None),
            extra=d,
        )


CHANNEL_RE = re.compile(r"^[A-Za-z0-9_.#-]{1,64}$")

REVIEW_OPTIONS: dict[str, tuple[object, str]] = {
    "approvers": ([], "who may approve (principals and groups); empty: anyone known (or SQLDRAFT_APPROVERS)"),
    "allow_self_approval": (False, "the requester of a script that writes or changes schema may approve it too"),
    "allow_override": (
        True,
        "a script that failed validation or has critical risk may be approved with an explicit override and a note",
    ),
    "run_unapproved_reads": (
        False,
        "a validated read (one SELECT, risk at most low, no error finding) may be run before it is approved",
    ),
    "review_channel": (
        None,
        "where review requests for drafts made outside Slack are posted (a channel id); "
        "unset: the Slack channel bound to the connection, if any",
    ),
}
"""The review options a connection may set in ``extra``: (default, what it does). Defaults are the safe ones."""


def check_review_options(extra: dict[str, Any]) -> None:
    """Check (and normalise) the review options in a connection's ``extra`` options.

    Raises:
        InvalidInput: a flag that is not yes/no, or a review channel that is not one channel id.
    """
    for flag in ("allow_self_approval", "allow_override", "run_unapproved_reads"):
        if flag in extra and not isinstance(extra[flag], bool):
            raise InvalidInput(f"{flag} must be yes or no")
    if "review_channel" in extra:
        channel = (extra["review_channel"] or "").strip() if isinstance(extra["review_channel"], str | None) else None
        if channel is None or (channel and not CHANNEL_RE.match(channel)):
            raise InvalidInput(
                f"review channel {str(extra['review_channel'])[:70]!r} is not a channel id: "
                "give one such as C0123456789"
            )
        if channel:
            extra["review_channel"] = channel
        else:
            extra.pop("review_channel")


@dataclass(slots=True)
class RefreshStatus:
    at: datetime
    status: str
    """``changed``, ``unchanged`` or ``error``."""
    error: str | None = None
    duration_ms: int | None = None


@dataclass(slots=True)
class ConnectionProfile:
    """A stored connection, without its credential."""

    id: int
    name: str
    dialect: Dialect
    url: str
    """SQLAlchemy URL without the password."""
    has_password: bool
    options: ConnectionOptions
    created_at: datetime
    last_refresh: RefreshStatus | None = None
    snapshot_id: int | None = None
    snapshot_taken_at: datetime | None = None
    snapshot_checksum: str | None = None
    table_count: int | None = None
    mariadb: bool = False

    def schedule(self, default: str) -> Schedule:
        return Schedule.parse(self.options.refresh or default)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "dialect": self.dialect.value,
            "url": self.url,
            "has_password": self.has_password,
            "options": self.options.to_dict(),
            "created_at": _iso(self.created_at),
            "snapshot": None
            if self.snapshot_id is None
            else {
                "id": self.snapshot_id,
                "taken_at": _iso(self.snapshot_taken_at),
                "checksum": self.snapshot_checksum,
                "tables": self.table_count,
            },
            "last_refresh": None
            if self.last_refresh is None
            else {
                "at": _iso(self.last_refresh.at),
                "status": self.last_refresh.status,
                "error": self.last_refresh.error,
                "duration_ms": self.last_refresh.duration_ms,
            },
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class VerifyReport(Record):
    """What ``connections verify`` found: reachable, server version, and whether the role can write."""

    name: str
    ok: bool
    server_version: str | None
    can_write: bool | None
    write_reasons: list[str]
    elapsed_ms: int
    error: str | None = None
    read_only_hint: str | None = None
