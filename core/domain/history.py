"""History as the core reports it: the query (filters, sort, page), its rows and pages."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime

from pydantic import computed_field

from core.domain.drafts import DraftStatus
from core.domain.record import Record, Timestamp
from core.domain.review import ReviewStatus
from core.errors import InvalidInput

SORT_KEYS = ("created_at", "last_reviewed_at", "risk_count")
MAX_PAGE_SIZE = 100
LINT_STATUSES = ("pass", "warn", "fail")
RISK_LEVELS = ("none", "low", "medium", "high", "critical")


@dataclass(slots=True)
class HistoryFilters:
    connection: str | None = None
    requester: str | None = None
    status: str | None = None
    review_status: str | None = None
    lint_status: str | None = None
    risk_level: str | None = None
    has_final_script: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    text: str | None = None


@dataclass(slots=True)
class HistoryQuery:
    filters: HistoryFilters = field(default_factory=HistoryFilters)
    sort: str = "created_at"
    order: str = "desc"
    page: int = 1
    page_size: int = 20


class HistoryRow(Record):
    id: str
    connection: str
    requester: str
    request: str
    mode: str
    created_at: Timestamp
    latest_status: str
    attempt_count: int
    last_error_message: str | None
    lint_status: str | None
    risk_level: str | None
    risk_count: int
    review_status: str
    reviewed_by: str | None
    last_reviewed_at: Timestamp | None
    has_final_script: bool



class ExportRow(HistoryRow):
    """A history row as exported: the list columns plus the generated and the final (reviewed) script."""

    generated_script: str | None
    final_script: str | None


class HistoryPage(Record):
    items: list[HistoryRow]
    total: int
    page: int
    page_size: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _one_of(name: str, value: str | None, allowed: list[str]) -> str | None:
    if value is None or value == "":
        return None
    text = value.strip().lower()
    if text not in allowed:
        raise InvalidInput(f"{name} {value!r} is not one of its values: {', '.join(allowed)}")
    return text


def parse_datetime(name: str, value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"{name} {value!r} is not a date: use ISO 8601, e.g. 2026-11-01 or 2026-11-01T09:00:00Z"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_bool(name: str, value: str | bool | None) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = value.strip().lower()
    if text in ("yes", "true", "1", "y"):
        return True
    if text in ("no", "false", "0", "n"):
        return False
    raise InvalidInput(f"{name} {value!r} is not yes or no")


def check_query(query: HistoryQuery) -> HistoryQuery:
    """Validate every filter, the sort and the page.

    Raises:
        InvalidInput: naming the value and its allowed values.
    """
    f = query.filters
    f.status = _one_of("status", f.status, [s.value for s in DraftStatus])
    f.review_status = _one_of("review status", f.review_status, [s.value for s in ReviewStatus])
    f.lint_status = _one_of("lint status", f.lint_status, list(LINT_STATUSES))
    f.risk_level = _one_of("risk level", f.risk_level, list(RISK_LEVELS))
    if query.sort not in SORT_KEYS:
        raise InvalidInput(f"unknown sort key {query.sort!r}: use {', '.join(SORT_KEYS)}")
    if query.order not in ("asc", "desc"):
        raise InvalidInput(f"unknown order {query.order!r}: use asc or desc")
    if not isinstance(query.page, int) or query.page < 1:
        raise InvalidInput(f"page {query.page!r} is out of range: pages start at 1")
    if not isinstance(query.page_size, int) or not 1 <= query.page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"page size {query.page_size!r} is out of range: use 1 to {MAX_PAGE_SIZE}")
    if f.text is not None and len(f.text) > 200:
        raise InvalidInput("the text filter is over 200 characters")
    if f.created_from and f.created_to and f.created_from > f.created_to:
        raise InvalidInput("created from is after created to")
    return query


def any_filter(f: HistoryFilters) -> bool:
    return any(getattr(f, name.name) not in (None, "") for name in fields(f))
