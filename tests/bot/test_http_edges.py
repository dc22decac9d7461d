"""The bot's HTTP edge: body cap before reading, malformed requests 401/400 (never 500), replays and retries."""

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

import pytest

from tests.bot.conftest import has_buttons, llm_reply
from tests.bot.test_serving import http, post  # noqa: F401  (the served app fixture)
from tests.support.slack_requests import command_body, signed_headers


def _no_tracebacks(caplog):
    return [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


@pytest.mark.parametrize("timestamp", ["abc", "", "1e3", "1700000000.5", " 12", "-5"])
def test_a_malformed_timestamp_is_401_without_a_traceback(bot, http, caplog, timestamp):  # noqa: F811
    body = command_body("orders?")
    headers = signed_headers(body)
    headers["x-slack-request-timestamp"] = timestamp
    with caplog.at_level(logging.DEBUG):
        assert post(f"{http}/slack/events", body, headers)[0] == 401
    assert _no_tracebacks(caplog) == []


@pytest.mark.parametrize("signature", ["", "v0=", "v0=zz", "v1=" + "0" * 64, "abc"])
def test_a_malformed_signature_is_401(bot, http, caplog, signature):  # noqa: F811
    body = command_body("orders?")
    headers = signed_headers(body)
    headers["x-slack-signature"] = signature
    with caplog.at_level(logging.DEBUG):
        assert post(f"{http}/slack/events", body, headers)[0] == 401
    assert _no_tracebacks(caplog) == []


def test_a_signed_body_that_is_not_a_payload_is_400(bot, http, caplog):  # noqa: F811
    for body in ("payload=%7Bnot-json", "{not json", "payload=%FF%FE"):
        with caplog.at_level(logging.DEBUG):
            status, _ = post(f"{http}/slack/events", body, signed_headers(body))
        assert status == 400, body
    assert _no_tracebacks(caplog) == []


def test_a_declared_body_over_the_cap_is_413_before_it_is_read(bot, http):  # noqa: F811
    host, port = urllib.parse.urlsplit(http).netloc.split(":")
    connection = HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", "/slack/events")
    connection.putheader("Content-Length", str(200 * 1024 * 1024))
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.endheaders()
    connection.send(b"x" * 1024)  # a 200 MB body is declared, 1 KB sent: the answer must not wait for the rest
    response = connection.getresponse()
    assert response.status == 413
    connection.close()


def test_a_chunked_body_over_the_cap_is_413(bot, http):  # noqa: F811
    host, port = urllib.parse.urlsplit(http).netloc.split(":")
    connection = HTTPConnection(host, int(port), timeout=10)

    def chunks():
        for _ in range(40):
            yield b"y" * 65536  # 2.5 MB in all, no Content-Length

    connection.request("POST", "/slack/events", body=chunks(), encode_chunked=True)
    assert connection.getresponse().status == 413
    connection.close()


def test_a_body_under_the_cap_still_reaches_the_signature_check(bot, http):  # noqa: F811
    body = "x=" + "a" * 500_000
    assert post(f"{http}/slack/events", body, signed_headers(body, secret="forged"))[0] == 401


def _drafts(bot):
    return bot.copilot.history().total


def test_one_signed_command_sent_five_times_is_one_draft(bot, http):  # noqa: F811
    bot.llm.reply(llm_reply())
    body = command_body("how many orders per status?")
    headers = signed_headers(body)
    statuses = [post(f"{http}/slack/events", body, headers)[0] for _ in range(5)]
    assert statuses == [200] * 5
    bot.slack.wait_for("chat.update", has_buttons)
    retry = signed_headers(body) | {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert post(f"{http}/slack/events", body, retry)[0] == 200
    time.sleep(0.5)
    assert _drafts(bot) == 1


def test_healthz_does_no_io_and_readyz_reports_each_check(bot, http):  # noqa: F811
    with urllib.request.urlopen(f"{http}/healthz", timeout=5) as response:
        assert json.loads(response.read()) == {"ok": True}
    with urllib.request.urlopen(f"{http}/readyz", timeout=5) as response:
        ready = json.loads(response.read())
    assert response.status == 200 and ready["ok"] is True
    assert [c["name"] for c in ready["checks"]] == ["store", "migrations"]
    assert ready["pools"][0]["engine"] == "store"


def test_readyz_is_503_with_the_reason_when_the_store_is_broken(bot, http, caplog):  # noqa: F811
    store_file = Path(bot.copilot.settings.effective_store_url().removeprefix("sqlite:///"))
    bot.copilot.store.dispose()
    store_file.write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.DEBUG):
        status, text = _get(f"{http}/readyz")
    assert status == 503
    ready = json.loads(text)
    assert ready["ok"] is False and ready["checks"][0]["name"] == "store" and ready["checks"][0]["detail"]
    assert "Traceback" not in text and _no_tracebacks(caplog) == []


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_metrics_on_loopback_report_drafts_pools_and_refusals(bot, http):  # noqa: F811
    bot.llm.reply(llm_reply())
    body = command_body("how many orders per status?")
    assert post(f"{http}/slack/events", body, signed_headers(body))[0] == 200
    bot.slack.wait_for("chat.update", has_buttons)
    status, text = _get(f"{http}/metrics")
    assert status == 200
    from prometheus_client.parser import text_string_to_metric_families

    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
    }
    assert samples[("sqldraft_drafts", (("status", "completed"),))] == 1
    assert samples[("sqldraft_pool_waits", (("engine", "store"),))] == 0
    assert samples[("sqldraft_llm_latency_seconds_count", ())] >= 1
    assert samples[("sqldraft_rate_limit_refusals", ())] == 0
    assert ("sqldraft_outbox_backlog", ()) in samples


def _scrape(copilot, app, host):
    import socket as sockets
    import threading

    import uvicorn

    from bot.app import http_app

    with sockets.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(http_app(app, copilot, host=host), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        return _get(f"http://127.0.0.1:{port}/metrics")[0]
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_metrics_on_a_non_loopback_bind_are_404_unless_the_setting_enables_them(bot):
    assert _scrape(bot.copilot, bot.app, "0.0.0.0") == 404
    bot.copilot.settings.metrics = "on"
    assert _scrape(bot.copilot, bot.app, "0.0.0.0") == 200
    bot.copilot.settings.metrics = "off"
    assert _scrape(bot.copilot, bot.app, "127.0.0.1") == 404
