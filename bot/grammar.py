"""The /sqldraft grammar, parsed into commands (no Slack calls here).

/sqldraft [on CONNECTION] [query|dml|ddl] REQUEST
/sqldraft help | status | connections | use CONNECTION | refresh CONNECTION
/sqldraft history [status:S] [review:R] [risk:L] [lint:L] [conn:C] [mine] [page:N]
/sqldraft validate [on CONNECTION] [query|dml|ddl] SQL
/sqldraft show DRAFT_ID
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.domain.drafts import DRAFT_ID_RE, MAX_REQUEST_CHARS
from core.domain.history import HistoryFilters, HistoryQuery

MODES = ("query", "dml", "ddl")
HISTORY_KEYS = {
    "status": "status",
    "review": "review_status",
    "risk": "risk_level",
    "lint": "lint_status",
    "conn": "connection",
    "connection": "connection",
    "page": "page",
}


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Usage:
    message: str


@dataclass(frozen=True)
class Status:
    pass


@dataclass(frozen=True)
class ListConnections:
    pass


@dataclass(frozen=True)
class Use:
    connection: str


@dataclass(frozen=True)
class Refresh:
    connection: str


@dataclass(frozen=True)
class History:
    filters: dict[str, str] = field(default_factory=dict)
    mine: bool = False
    page: int = 1

    def query(self, *, requester: str) -> HistoryQuery:
        """The core's history query; ``mine`` keeps the drafts of ``requester``."""
        filters = HistoryFilters(**self.filters)
        if self.mine:
            filters.requester = requester
        return HistoryQuery(filters=filters, page=self.page, page_size=10)


@dataclass(frozen=True)
class Validate:
    sql: str
    connection: str | None
    mode: str


@dataclass(frozen=True)
class Show:
    draft_id: str


@dataclass(frozen=True)
class DraftRequest:
    request: str
    connection: str | None
    mode: str


Command = Help | Usage | Status | ListConnections | Use | Refresh | History | Validate | Show | DraftRequest


def _target(words: list[str]) -> tuple[str | None, str, list[str]]:
    """Leading ``on NAME`` and a mode word, then the rest."""
    connection = None
    if len(words) >= 2 and words[0].lower() == "on":
        connection, words = words[1], words[2:]
    mode = "query"
    if words and words[0].lower().rstrip(":") in MODES:
        mode, words = words[0].lower().rstrip(":"), words[1:]
    return connection, mode, words


def parse(text: str) -> Command:
    raw = (text or "").strip()
    if not raw:
        return Usage("Say what the SQL should do, e.g. `/sqldraft orders per customer this month`.")
    words = raw.split()
    head = words[0].lower()
    if head in ("help", "?", "-h", "--help"):
        return Help()
    if head == "status":
        return Status() if len(words) == 1 else Usage("`status` takes nothing after it.")
    if head == "connections":
        return ListConnections() if len(words) == 1 else Usage("`connections` takes nothing after it.")
    if head == "use":
        return (
            Use(words[1])
            if len(words) == 2
            else Usage("Use `/sqldraft use CONNECTION` to set this channel's default connection.")
        )
    if head == "refresh":
        return Refresh(words[1]) if len(words) == 2 else Usage("Use `/sqldraft refresh CONNECTION`.")
    if head == "show":
        if len(words) == 2 and DRAFT_ID_RE.match(words[1].lower()):
            return Show(words[1].lower())
        return Usage("Use `/sqldraft show DRAFT_ID` (ids look like d7k3m4x2pq).")
    if head == "history":
        return _history(words[1:])
    if head == "validate":
        connection, mode, rest = _target(words[1:])
        sql = _drop_words(raw, len(words) - len(rest))
        if not sql:
            return Usage("Use `/sqldraft validate [on CONNECTION] [dml|ddl] SQL`.")
        return Validate(sql=sql, connection=connection, mode=mode)
    connection, mode, rest = _target(words)
    request = " ".join(rest)
    if not request:
        return Usage("Say what the SQL should do after the connection and mode.")
    if len(request) > MAX_REQUEST_CHARS:
        return Usage(f"The request is {len(request):,} characters long; the limit is {MAX_REQUEST_CHARS:,}.")
    if len(rest) == 1 and connection is None and mode == "query" and not re.search(r"[?]", request):
        return Usage(f"`{request}` is not a command. Describe the SQL you need in a sentence, or see `/sqldraft help`.")
    return DraftRequest(request=request, connection=connection, mode=mode)


def _drop_words(text: str, count: int) -> str:
    """``text`` without its first ``count`` words, the rest exactly as typed (SQL keeps its layout)."""
    rest = text.strip()
    for _ in range(count):
        parts = rest.split(None, 1)
        rest = parts[1] if len(parts) > 1 else ""
    return rest.strip()


def _history(words: list[str]) -> Command:
    filters: dict[str, str] = {}
    mine = False
    page = 1
    for word in words:
        if word.lower() == "mine":
            mine = True
            continue
        key, sep, value = word.partition(":")
        if not sep or key.lower() not in HISTORY_KEYS or not value:
            return Usage(f"`{word}` is not a history filter: use status:, review:, risk:, lint:, conn:, page: or mine.")
        if key.lower() == "page":
            if not value.isdigit():
                return Usage("page: takes a number.")
            page = int(value)
        else:
            filters[HISTORY_KEYS[key.lower()]] = value
    return History(filters=filters, mine=mine, page=page)


HELP = """*sqldraft* drafts SQL for your database and never runs it. A person reviews every draft.
• `/sqldraft REQUEST`: draft on this channel's default connection, e.g. `/sqldraft orders per customer this month`
• `/sqldraft on CONNECTION [query|dml|ddl] REQUEST`: another connection, or a data (dml) or schema (ddl) change
• `/sqldraft status`: who drafts (the model and its endpoint, or the offline generator) and what its setup lacks
• `/sqldraft connections`: the connections you can draft on
• `/sqldraft use CONNECTION`: make it this channel's default
• `/sqldraft refresh CONNECTION`: read its schema again now
• `/sqldraft history [status:S] [review:pending] [risk:high] [lint:fail] [conn:C] [mine] [page:N]`
• `/sqldraft validate [on CONNECTION] [dml|ddl] SQL`: check SQL you wrote
• `/sqldraft show DRAFT_ID`: post a draft again (with its buttons)"""
