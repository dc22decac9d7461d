"""Rate limits as ``SQLDRAFT_RATE_LIMITS`` spells them: ``action[@scope]=count/window`` entries, comma separated.

``draft=20/hour`` limits each principal; ``draft@connection=100/hour`` each connection (all principals);
``draft@global=500/day`` the whole install. Actions: draft, run, validate. Windows: second, minute, hour, day
(or s, m, h, d), optionally with a number (``10/15m``).
"""

from __future__ import annotations

import re
from typing import Literal, cast

from core.domain.record import Record

Scope = Literal["principal", "connection", "global"]
ACTIONS = ("draft", "run", "validate")
SCOPES = ("principal", "connection", "global")
_UNITS = {"s": 1, "second": 1, "m": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_ENTRY = re.compile(r"(?P<action>[a-z]+)(?:@(?P<scope>[a-z]+))?=(?P<count>\d+)/(?P<n>\d*)(?P<unit>[a-z]+)")


class RateLimit(Record):
    """At most ``count`` uses of ``action`` per ``window_seconds``, counted per principal, connection or globally."""

    action: str
    scope: Scope = "principal"
    count: int
    window_seconds: int

    def __str__(self) -> str:
        scope = "" if self.scope == "principal" else f"@{self.scope}"
        return f"{self.action}{scope}={self.count}/{self.window_seconds}s"


def parse_rate_limits(text: str | None) -> list[RateLimit]:
    """The limits in ``text``; ValueError naming the first entry that does not parse."""
    limits = []
    for raw in (text or "").split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        match = _ENTRY.fullmatch(entry.replace(" ", ""))
        unit = _UNITS.get(match.group("unit")) if match else None
        if match is None or unit is None:
            raise ValueError(f"entry {raw.strip()!r} is not action[@scope]=count/window, e.g. draft=20/hour")
        action, scope = match.group("action"), match.group("scope") or "principal"
        if action not in ACTIONS:
            raise ValueError(f"entry {raw.strip()!r}: the action must be one of {', '.join(ACTIONS)}")
        if scope not in SCOPES:
            raise ValueError(f"entry {raw.strip()!r}: the scope must be one of {', '.join(SCOPES)}")
        window = unit * int(match.group("n") or 1)
        if window <= 0:
            raise ValueError(f"entry {raw.strip()!r}: the window must be longer than zero")
        count = int(match.group("count"))
        limits.append(RateLimit(action=action, scope=cast(Scope, scope), count=count, window_seconds=window))
    return limits
