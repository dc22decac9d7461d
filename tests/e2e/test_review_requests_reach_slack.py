"""End to end, every part its own process: an assistant submits SQL over MCP (stdio), two bot processes
(`sqldraft-bot --http`) drain the same PostgreSQL-store outbox into the fake Slack Web API, and a signed
Approve click approves the draft, once."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters

from bot.ids import ActionId
from core.bootstrap import build_copilot
from core.demo import create_sample_database
from tests.conftest import make_settings
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SECRET, action_body, signed_headers

pytestmark = pytest.mark.anyio
BIN = Path(sys.executable).parent
GOOD_SQL = "SELECT status, count(*) AS n FROM orders GROUP BY status"


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def store(pg_store_url, secret_key, tmp_path):
    """A PostgreSQL store with the demo shop connection, snapshotted, reviewed in channel C7."""
    copilot = build_copilot(make_settings(pg_store_url, secret_key, tmp_path, generator="offline"))
    copilot.add_connection("shop", f"sqlite:///{create_sample_database(tmp_path / 'shop.db')}")
    copilot.refresh_snapshot("shop")
    copilot.set_connection_options("shop", review_channel="C7")
    yield copilot
    copilot.close()


@pytest.fixture
def env(store, secret_key, slack, tmp_path):
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "USER": "ada",
        "SQLDRAFT_STORE_URL": store.settings.store_url,
        "SQLDRAFT_SECRET_KEY": secret_key,
        "SQLDRAFT_GENERATOR": "offline",
        "SQLDRAFT_DATA_DIR": str(tmp_path / "data"),
        "SLACK_BOT_TOKEN": "xoxb-test-not-a-real-token",
        "SLACK_SIGNING_SECRET": SECRET,
        "SQLDRAFT_SLACK_API_URL": slack.api_url,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ours(url):
    """True once /healthz answers as sqldraft-bot does (another process may have won the port race)."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
            return response.status == 200 and json.loads(response.read()).get("ok") is True
    except (OSError, ValueError):
        return False


@contextmanager
def bot_process(env, log_path):
    """A real `sqldraft-bot --http` on a free loopback port; yields its base URL once its /healthz answers."""
    for _ in range(5):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = log_path.open("w+")
        proc = subprocess.Popen(
            [str(BIN / "sqldraft-bot"), "--http", "--port", str(port), "--no-scheduler"],
            env=env, stdout=log, stderr=log,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while proc.poll() is None and not _ours(url) and time.monotonic() < deadline:
            time.sleep(0.1)
        if proc.poll() is None and _ours(url):
            break
        proc.terminate()
        proc.wait(10)
        log.close()
    else:
        pytest.fail(f"sqldraft-bot did not serve: {log_path.read_text()[-2000:]}")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def click(url, draft_id, ts, user="U2"):
    body = action_body(ActionId.APPROVE, draft_id, user=user, channel="C7", ts=ts)
    request = urllib.request.Request(f"{url}/slack/events", data=body.encode(), headers=signed_headers(body))
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def posted_for(slack, draft_id):
    return [b for b in slack.of("chat.postMessage") if f"draft `{draft_id}`" in json.dumps(b.get("blocks", []))]


async def submit(env, **arguments):
    params = StdioServerParameters(command=str(BIN / "sqldraft-mcp"), args=["--transport", "stdio"], env=env)
    async with Client(params) as client:
        call = await client.call_tool("submit_sql", {"connection": "shop", **arguments})
        assert not call.is_error, call.content
        return call.structured_content


async def test_submit_over_mcp_two_bots_post_once_and_one_click_approves(store, env, slack, tmp_path):
    with ExitStack() as stack:
        bots = [stack.enter_context(bot_process(env, tmp_path / f"bot{i}.log")) for i in (1, 2)]
        first = await submit(env, sql=GOOD_SQL, purpose="orders per status")
        assert first["review_requested_in"] == "Slack channel C7" and first["review_status"] == "pending"
        message = slack.wait_for("chat.postMessage", lambda b: f"draft `{first['draft_id']}`" in json.dumps(b))
        assert message["channel"] == "C7" and "sqldraft_approve" in json.dumps(message["blocks"])
        # a second request, posted after the first was delivered: by then both drainers had their passes
        second = await submit(env, sql=GOOD_SQL + " ORDER BY 2 DESC")
        slack.wait_for("chat.postMessage", lambda b: f"draft `{second['draft_id']}`" in json.dumps(b))
        for draft_id in (first["draft_id"], second["draft_id"]):
            assert len(posted_for(slack, draft_id)) == 1
            [request] = store.review_requests(draft_id)
            assert request.status == "delivered" and request.attempts == 1
        ts = store.get_draft(first["draft_id"]).slack.ts
        assert click(bots[1], first["draft_id"], ts) == 200
        slack.wait_for("chat.update", lambda b: b.get("ts") == ts and "Approved by <@U2>" in json.dumps(b))
        assert click(bots[0], first["draft_id"], ts, user="U3") == 200  # a late click on the other replica
        late = slack.wait_for("chat.postEphemeral", lambda b: b["user"] == "U3")
        assert "already approved by <@U2>" in late["text"]
    approvals = [r for r in store.review_trail(first["draft_id"]) if r.decision == "approved"]
    assert [r.reviewer for r in approvals] == ["slack:U2"]
    assert store.get_draft(first["draft_id"]).requester.startswith("mcp:")


async def test_a_write_submitted_over_mcp_is_not_approvable_by_its_requester_in_slack(store, env, slack, tmp_path):
    with bot_process(env, tmp_path / "bot.log") as bot:
        own = await submit(env, sql="DELETE FROM orders WHERE id = 1", mode="dml")
        slack.wait_for("chat.postMessage", lambda b: f"draft `{own['draft_id']}`" in json.dumps(b))
        # four-eyes in the bot process: a write the Slack user U2 submitted, approved by U2
        mine = store.submit_sql("shop", "DELETE FROM orders WHERE id = 2", mode="dml", requester="slack:U2")
        assert click(bot, mine.id, "1.0") == 200
        denied = slack.wait_for("chat.postEphemeral", lambda b: b["user"] == "U2")
        assert denied["text"].startswith(":warning: ") and "slack:U2" not in denied["text"]
    assert store.get_draft(mine.id).review["status"] == "pending"
