"""Rate limits: parsed at start, counted in the store (replicas share them), refusals say how long to wait."""

from datetime import UTC, datetime, timedelta

import pytest

from core.bootstrap import build_copilot
from core.domain.limits import parse_rate_limits
from core.errors import ConfigurationError, Hint, RateLimited
from core.settings import load_settings
from tests.conftest import make_settings


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("draft=20/hour,run=sixty/hour", "'run=sixty/hour'"),
        ("draft=20", "'draft=20'"),
        ("deploy=5/hour", "'deploy=5/hour'"),
        ("draft@team=5/hour", "'draft@team=5/hour'"),
        ("draft=5/fortnight", "'draft=5/fortnight'"),
        ("draft=5/0h", "'draft=5/0h'"),
    ],
)
def test_a_rate_limit_setting_that_does_not_parse_is_one_line_naming_the_entry(text, named):
    with pytest.raises(ConfigurationError) as caught:
        load_settings(rate_limits=text)
    message = str(caught.value)
    assert "SQLDRAFT_RATE_LIMITS" in message and named in message and "\n" not in message


def test_the_documented_forms_parse():
    limits = parse_rate_limits("draft=20/hour, run=60/h ,validate=600/hour,draft@connection=100/15m,draft@global=5/day")
    assert [(x.action, x.scope, x.count, x.window_seconds) for x in limits] == [
        ("draft", "principal", 20, 3600),
        ("run", "principal", 60, 3600),
        ("validate", "principal", 600, 3600),
        ("draft", "connection", 100, 900),
        ("draft", "global", 5, 86400),
    ]
    assert parse_rate_limits("") == [] and parse_rate_limits(None) == []


class Clock:
    def __init__(self):
        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self):
        return self.now


def _replicas(url, secret_key, tmp_path, limits):
    clock = Clock()
    made = []
    for i in range(2):
        c = build_copilot(make_settings(url, secret_key, tmp_path / f"r{i}", rate_limits=limits))
        c.clock = clock
        made.append(c)
    return clock, made


def test_limits_are_shared_by_two_replicas_on_one_store_and_refusals_are_audited(store_url, secret_key, tmp_path):
    clock, (a, b) = _replicas(store_url, secret_key, tmp_path, "validate=3/hour,validate@global=5/hour")
    try:
        a.take_rate("validate", "slack:U1", "shop")
        b.take_rate("validate", "slack:U1", "shop")
        clock.now += timedelta(minutes=10)
        a.take_rate("validate", "slack:U1", "shop")
        with pytest.raises(RateLimited) as caught:
            b.take_rate("validate", "slack:U1", "shop")
        assert caught.value.retry_after == 50 * 60 + 1  # the oldest use leaves the window in 50 minutes
        assert [h.hint for h in caught.value.hints] == [Hint.WAIT] and caught.value.hints[0].arg == "51 min"
        b.take_rate("validate", "slack:U2", "shop")  # another principal has its own count...
        a.take_rate("validate", "mcp:ci", None)
        with pytest.raises(RateLimited, match="for everyone"):  # ...until the global limit
            a.take_rate("validate", "mcp:other", None)
        refused = a.events(kind="rate_limited")
        assert len(refused) == 2 and {e.principal for e in refused} == {"slack:U1", "mcp:other"}
        clock.now += timedelta(hours=2)
        a.take_rate("validate", "slack:U1", "shop")  # the window has passed
        a.take_rate("draft", "slack:U1", "shop")  # no draft limit set
    finally:
        a.close()
        b.close()


def test_a_connection_limit_counts_every_principal_on_that_connection(sqlite_store_url, secret_key, tmp_path):
    _, (a, b) = _replicas(sqlite_store_url, secret_key, tmp_path, "run@connection=2/minute")
    try:
        a.take_rate("run", "u1", "shop")
        b.take_rate("run", "u2", "shop")
        a.take_rate("run", "u3", "other")
        with pytest.raises(RateLimited, match="for shop"):
            b.take_rate("run", "u4", "shop")
    finally:
        a.close()
        b.close()
