"""The app served for real: over HTTP (uvicorn + starlette) and over Socket Mode; drift notices; the manifest."""

import concurrent.futures
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import uvicorn
import yaml

from bot.app import http_app, web_client
from bot.ids import COMMAND, ActionId
from tests.bot.conftest import has_buttons, llm_reply, text_of
from tests.support.servers import run_pg
from tests.support.slack_requests import command_body, signed_headers

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def http(bot):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            http_app(bot.app, bot.copilot), host="127.0.0.1", port=port, log_level="warning", limit_concurrency=200
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started and time.time() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def post(url, body, headers):
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_http_endpoint_checks_signatures_and_serves_health(bot, http):
    bot.llm.reply(llm_reply())
    body = command_body("how many orders per status?")
    assert post(f"{http}/slack/events", body, signed_headers(body))[0] == 200
    bot.slack.wait_for("chat.update", has_buttons)
    assert post(f"{http}/slack/events", body, signed_headers(body, secret="forged"))[0] == 401
    assert post(f"{http}/slack/events", body, signed_headers(body, timestamp=int(time.time()) - 400))[0] == 401
    with urllib.request.urlopen(f"{http}/healthz", timeout=5) as response:
        assert response.status == 200 and json.loads(response.read()) == {"ok": True}


def test_twenty_concurrent_commands_are_all_acked_within_three_seconds(bot, http):
    for _ in range(20):
        bot.llm.reply(llm_reply(), delay=1.5)  # a slow model must not hold up the acks

    def one(i):
        body = command_body(f"how many orders per status, version {i}?", user=f"U{i:02d}")
        start = time.perf_counter()
        status, _ = post(f"{http}/slack/events", body, signed_headers(body))
        return status, time.perf_counter() - start

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one, range(20)))
    assert all(status == 200 for status, _ in results)
    slowest = max(seconds for _, seconds in results)
    assert slowest < 3.0, f"slowest ack took {slowest:.2f} s"
    deadline = time.time() + 60
    while len([b for b in bot.slack.of("chat.update") if has_buttons(b)]) < 20 and time.time() < deadline:
        time.sleep(0.1)
    assert len([b for b in bot.slack.of("chat.update") if has_buttons(b)]) == 20


def test_socket_mode_delivers_commands_and_sends_acks(bot):
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from tests.support.fake_socket_mode import FakeSocketMode

    with FakeSocketMode() as peer:
        bot.slack.answer_overrides = None
        original = bot.slack.answer

        def answer(method, body):
            if method == "apps.connections.open":
                return {"ok": True, "url": peer.url}
            return original(method, body)

        bot.slack.answer = answer
        handler = SocketModeHandler(bot.app, app_token="xapp-test-not-a-real-token", web_client=bot.app.client)
        handler.connect()
        try:
            assert peer.connected.wait(10)
            bot.llm.reply(llm_reply())
            payload = {
                "command": COMMAND,
                "text": "how many orders per status?",
                "user_id": "U1",
                "channel_id": "C1",
                "team_id": "T1",
                "response_url": "",
                "trigger_id": "t",
            }
            peer.send(
                {"envelope_id": "env-1", "type": "slash_commands", "payload": payload, "accepts_response_payload": True}
            )
            assert peer.wait_for_ack("env-1")["envelope_id"] == "env-1"
            bot.slack.wait_for("chat.update", has_buttons)
            draft = bot.copilot.history().items[0]
            peer.send(
                {
                    "envelope_id": "env-2",
                    "type": "interactive",
                    "accepts_response_payload": False,
                    "payload": {
                        "type": "block_actions",
                        "user": {"id": "U2"},
                        "channel": {"id": "C1"},
                        "team": {"id": "T1"},
                        "api_app_id": "A1",
                        "trigger_id": "t2",
                        "message": {"ts": "1.0"},
                        "container": {"type": "message"},
                        "actions": [{"action_id": ActionId.APPROVE.value, "value": draft.id, "type": "button"}],
                    },
                }
            )
            peer.wait_for_ack("env-2")
            bot.slack.wait_for("chat.update", lambda b: "Approved by <@U2>" in text_of(b))
        finally:
            handler.close()


def test_a_schema_change_is_announced_in_the_connections_channel(bot, pg_url):
    run_pg(pg_url, "CREATE TABLE invoices (id int PRIMARY KEY, amount numeric, customer text)")
    bot.copilot.add_connection("billing", pg_url)
    bot.copilot.set_connection_options("billing", notify_channel="C9")
    bot.copilot.refresh_snapshot("billing")
    bot.copilot.bind_connection("slack:C2", "billing", principal="slack:U0")
    bot.llm.reply(llm_reply("SELECT id, amount FROM invoices WHERE amount > 100"))
    from tests.support.slack_requests import dispatch

    dispatch(bot.app, command_body("invoices above 100", channel="C2"))
    bot.slack.wait_for("chat.update", has_buttons)
    waiting = bot.copilot.history().items[0].id
    approved_example = bot.copilot.add_example(
        "billing", "big invoices", "SELECT amount FROM invoices", principal="slack:U0"
    )
    run_pg(pg_url, "ALTER TABLE invoices DROP COLUMN amount", "CREATE TABLE credit_notes (id int PRIMARY KEY)")
    assert bot.copilot.refresh_snapshot("billing", trigger="scheduled").status == "changed"
    notice = bot.slack.wait_for("chat.postMessage", lambda b: b.get("channel") == "C9")
    content = text_of(notice)
    assert "Schema change on billing" in content and "credit_notes" in content and "invoices.amount" in content
    assert f"#{approved_example.id}" in content and waiting in content


def test_the_manifest_matches_the_app(bot):
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert commands == [COMMAND]
    registered = [
        listener for listener in bot.app._listeners if any("command" in str(m.__dict__) for m in listener.matchers)
    ]
    assert registered, "the app registers the slash command"
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    docs = (ROOT / "docs" / "slack.md").read_text()
    for scope in scopes:
        assert f"`{scope}`" in docs, f"scope {scope} is not justified in docs/slack.md"
    assert manifest["settings"]["interactivity"]["is_enabled"] and manifest["settings"]["socket_mode_enabled"]


def test_the_web_client_uses_the_configured_api_url_and_retries_rate_limits(bot):
    client = web_client(bot.copilot.settings)
    assert client.base_url == bot.slack.api_url
    assert any(type(h).__name__ == "RateLimitErrorRetryHandler" for h in client.retry_handlers)


def test_the_message_gallery_in_the_docs_is_current():
    from bot.gallery import markdown, samples

    for name, payload in samples().items():
        committed = json.loads((ROOT / "docs" / "slack" / f"{name}.json").read_text())
        assert committed == json.loads(json.dumps(payload)), f"run `python -m bot.gallery docs/slack` ({name})"
    assert markdown() in (ROOT / "docs" / "slack.md").read_text()


def test_the_bot_refuses_to_start_without_what_it_needs(monkeypatch, capsys):
    from bot.app import main

    assert main(["--http"]) == 2
    assert "SLACK_SIGNING_SECRET" in capsys.readouterr().err
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    assert main(["--http"]) == 2
    assert "SLACK_BOT_TOKEN is not set" in capsys.readouterr().err
    assert main(["--socket"]) == 2
    assert "--socket needs SLACK_APP_TOKEN" in capsys.readouterr().err
