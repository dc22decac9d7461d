"""The real `sqldraft-mcp` over stdio and over streamable HTTP, through the official MCP client."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from mcp_server.server import main
from tests.mcp_server.conftest import DRAFT_TOKEN, REVIEW_TOKEN, result

pytestmark = pytest.mark.anyio
SCRIPT = str(Path(sys.executable).with_name("sqldraft-mcp"))


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def server_env(shop_copilot_factory, secret_key, tmp_path):
    """The environment of a sqldraft-mcp process over a store that already knows the demo shop."""
    copilot = shop_copilot_factory(generator="offline")
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "SQLDRAFT_STORE_URL": copilot.settings.store_url,
        "SQLDRAFT_SECRET_KEY": secret_key,
        "SQLDRAFT_GENERATOR": "offline",
        "SQLDRAFT_DATA_DIR": str(tmp_path / "data"),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(env: dict[str, str], log_path: Path, *extra: str) -> Iterator[str]:
    """A real `sqldraft-mcp --transport http` process on a free loopback port; yields its /mcp URL."""
    port = free_port()
    with log_path.open("w+") as log:
        proc = subprocess.Popen(
            [SCRIPT, "--transport", "http", "--port", str(port), *extra], env=env, stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    pytest.fail(f"sqldraft-mcp exited: {log.read()}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail("sqldraft-mcp did not listen within 30 s")
                    time.sleep(0.1)
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            proc.terminate()
            proc.wait(10)


@pytest.fixture
def http_server(server_env, tmp_path):
    """`sqldraft-mcp --transport http` on 127.0.0.1 with a review token and a draft-only token."""
    env = server_env | {"SQLDRAFT_MCP_TOKENS": f"ci-reviewer:draft+review={REVIEW_TOKEN}, assistant={DRAFT_TOKEN}"}
    with serving(env, tmp_path / "mcp-http.log") as url:
        yield url


def client_for(url: str, token: str | None) -> Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client(streamable_http_client(url, http_client=httpx2.AsyncClient(headers=headers, timeout=30)))


async def test_stdio_runs_the_real_command_as_the_local_user(server_env):
    params = StdioServerParameters(command=SCRIPT, args=["--transport", "stdio"], env=server_env)
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        draft = result(await client.call_tool("draft_sql", {"connection": "shop", "request": "count customers"}))
        denied = await client.call_tool("review_draft", {"draft_id": draft["id"], "decision": "approved"})
    assert "draft_sql" in names and len(names) == 9
    assert draft["status"] == "completed" and draft["requester"].startswith("mcp:local-")
    assert "count(*)" in draft["sql"].lower() and "offline generator" in draft["explanation"]
    assert denied.is_error and "reviewed by a person" in denied.content[0].text


async def test_http_with_a_review_token_drafts_and_reviews(http_server):
    async with client_for(http_server, DRAFT_TOKEN) as assistant:
        draft = result(await assistant.call_tool("draft_sql", {"connection": "shop", "request": "count orders"}))
        refused = await assistant.call_tool("review_draft", {"draft_id": draft["id"], "decision": "approved"})
    assert draft["requester"] == "mcp:assistant"
    assert refused.is_error and "lacks the 'review' scope" in refused.content[0].text
    async with client_for(http_server, REVIEW_TOKEN) as reviewer:
        reviewed = result(
            await reviewer.call_tool("review_draft", {"draft_id": draft["id"], "decision": "approved", "note": "fine"})
        )
        fetched = result(await reviewer.call_tool("get_draft", {"draft_id": draft["id"]}))
        huge = await reviewer.call_tool("validate_sql", {"sql": "SELECT 1;\n" * 105_000, "connection": "shop"})
    assert reviewed["decision"] == "approved" and reviewed["reviewer"] == "mcp:ci-reviewer"
    assert fetched["review_status"] == "approved"
    assert huge.is_error and "too large to validate (1,050,000 characters" in huge.content[0].text


@pytest.mark.parametrize("token", [None, "not-the-token-at-all-but-long-enough"])
async def test_http_without_a_valid_token_is_refused(http_server, token):
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    async with httpx2.AsyncClient() as http:
        response = await http.post(http_server, json=body, headers=headers)
    assert response.status_code == 401
    assert response.headers.get("www-authenticate", "").startswith("Bearer")
    assert "resource_metadata" not in response.headers["www-authenticate"]  # static tokens: no OAuth discovery
    with pytest.raises(Exception):  # noqa: B017 - the SDK client surfaces the 401 as an error
        async with client_for(http_server, token) as client:
            await client.list_tools()


async def test_http_refuses_a_foreign_host_header(http_server):
    headers = {
        "Accept": "application/json, text/event-stream",
        "Authorization": f"Bearer {REVIEW_TOKEN}",
        "Host": "attacker.example:8765",
    }
    async with httpx2.AsyncClient() as http:
        response = await http.post(http_server, json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, headers=headers)
    assert response.status_code in (403, 421)


def test_binding_beyond_loopback_without_tokens_is_refused(server_env, monkeypatch, capsys):
    for key, value in server_env.items():
        monkeypatch.setenv(key, value)
    assert main(["--transport", "http", "--host", "0.0.0.0", "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert "refusing to serve MCP on 0.0.0.0 without tokens" in err and "Traceback" not in err


def test_malformed_tokens_stop_the_server_with_one_line(server_env, monkeypatch, capsys):
    for key, value in server_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SQLDRAFT_MCP_TOKENS", "ci=tinysecret")
    assert main(["--transport", "http", "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert "shorter than 16 characters" in err and "tinysecret" not in err


def test_the_http_server_can_host_the_scheduler(shop_copilot_factory, server_env, tmp_path):
    from core.demo import create_sample_database

    copilot = shop_copilot_factory(generator="offline")
    env = server_env | {"SQLDRAFT_STORE_URL": copilot.settings.store_url}
    copilot.add_connection("late", f"sqlite:///{create_sample_database(tmp_path / 'late.db')}")  # never refreshed: due
    with serving(env, tmp_path / "mcp-scheduler.log", "--scheduler"):
        deadline = time.monotonic() + 30
        while not {p.name: p for p in copilot.list_connections()}["late"].snapshot_taken_at:
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert [(p.name, p.table_count) for p in copilot.list_connections()] == [("late", 6), ("shop", 6)]


def test_the_scheduler_needs_the_http_transport(capsys):
    assert main(["--transport", "stdio", "--scheduler"]) == 2
    assert "--scheduler needs --transport http" in capsys.readouterr().err
