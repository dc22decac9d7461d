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
from tests.mcp_server.test_tools import TOOLS

pytestmark = pytest.mark.anyio
SCRIPT = str(Path(sys.executable).with_name("sqldraft-mcp"))


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def shop(shop_copilot_factory):
    """The store the server processes use: the demo shop, snapshotted, offline generator."""
    return shop_copilot_factory(generator="offline")


@pytest.fixture
def server_env(shop, secret_key, tmp_path):
    """The environment of a sqldraft-mcp process over the shop's store."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "SQLDRAFT_STORE_URL": shop.settings.store_url,
        "SQLDRAFT_SECRET_KEY": secret_key,
        "SQLDRAFT_GENERATOR": "offline",
        "SQLDRAFT_DATA_DIR": str(tmp_path / "data"),
    }


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextmanager
def serving(env: dict[str, str], log_path: Path, *extra: str, host: str = "127.0.0.1") -> Iterator[str]:
    """A real `sqldraft-mcp --transport http` process on a free loopback port; yields its /mcp URL."""
    port = free_port(host)
    with log_path.open("w+") as log:
        proc = subprocess.Popen(
            [SCRIPT, "--transport", "http", "--host", host, "--port", str(port), *extra],
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    pytest.fail(f"sqldraft-mcp exited: {log.read()}")
                try:
                    socket.create_connection((host, port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail("sqldraft-mcp did not listen within 30 s")
                    time.sleep(0.1)
            yield f"http://{'[' + host + ']' if ':' in host else host}:{port}/mcp"
        finally:
            proc.terminate()
            proc.wait(10)


TOKENS = f"ci-reviewer:draft+review={REVIEW_TOKEN}, assistant={DRAFT_TOKEN}"


@pytest.fixture
def http_server(server_env, tmp_path):
    """`sqldraft-mcp --transport http` on 127.0.0.1 with a review token and a draft-only token."""
    with serving(server_env | {"SQLDRAFT_MCP_TOKENS": TOKENS}, tmp_path / "mcp-http.log") as url:
        yield url


def client_for(url: str, token: str | None) -> Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client(streamable_http_client(url, http_client=httpx2.AsyncClient(headers=headers, timeout=30)))


async def test_stdio_runs_the_real_command_as_the_local_users_assistant(server_env, shop):
    params = StdioServerParameters(command=SCRIPT, args=["--transport", "stdio"], env=server_env)
    async with Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        draft = result(await client.call_tool("draft_sql", {"connection": "shop", "request": "count customers"}))
        denied = await client.call_tool("review_draft", {"draft_id": draft["id"], "decision": "approved"})
    assert names == TOOLS
    assert draft["status"] == "completed" and draft["requester"].startswith("mcp:local-")
    assert "count(*)" in draft["sql"].lower() and "offline generator" in draft["explanation"]
    assert denied.is_error and "runs without the 'review' scope" in denied.content[0].text
    assert "--allow-review" in denied.content[0].text


async def test_stdio_reviews_only_when_allowed_and_never_its_users_own_drafts(server_env, shop):
    others = shop.draft("shop", "How many orders per status?", requester="slack:U1")
    params = StdioServerParameters(command=SCRIPT, args=["--allow-review"], env=server_env)
    async with Client(params) as client:
        own = result(await client.call_tool("draft_sql", {"connection": "shop", "request": "count customers"}))
        user = own["requester"].removeprefix("mcp:local-")
        users = shop.draft("shop", "latest 5 orders", requester=f"cli:{user}")  # the person at the terminal
        denied_own = await client.call_tool("review_draft", {"draft_id": own["id"], "decision": "approved"})
        denied_users = await client.call_tool("review_draft", {"draft_id": users.id, "decision": "approved"})
        approved = result(await client.call_tool("review_draft", {"draft_id": others.id, "decision": "approved"}))
    assert denied_own.is_error and "may not approve it too" in denied_own.content[0].text
    assert denied_users.is_error and "may not approve it too" in denied_users.content[0].text
    assert approved["reviewer"] == f"mcp:local-{user}" and shop.get_draft(others.id).review["status"] == "approved"


async def test_http_with_a_review_token_drafts_and_reviews(http_server):
    async with client_for(http_server, DRAFT_TOKEN) as assistant:
        draft = result(await assistant.call_tool("draft_sql", {"connection": "shop", "request": "count orders"}))
        refused = await assistant.call_tool("review_draft", {"draft_id": draft["id"], "decision": "approved"})
        unknown = await assistant.call_tool("get_draft", {"draft_id": draft["id"], "verbose": True})
    assert draft["requester"] == "mcp:assistant"
    assert refused.is_error and "this token (mcp:assistant) lacks the 'review' scope" in refused.content[0].text
    assert unknown.is_error and "unknown argument(s): verbose; it takes draft_id" in unknown.content[0].text
    async with client_for(http_server, REVIEW_TOKEN) as reviewer:
        reviewed = result(
            await reviewer.call_tool("review_draft", {"draft_id": draft["id"], "decision": "approved", "note": "fine"})
        )
        fetched = result(await reviewer.call_tool("get_draft", {"draft_id": draft["id"]}))
        huge = await reviewer.call_tool("validate_sql", {"sql": "SELECT 1;\n" * 105_000, "connection": "shop"})
    assert reviewed["decision"] == "approved" and reviewed["reviewer"] == "mcp:ci-reviewer"
    assert fetched["review_status"] == "approved"
    assert huge.is_error and "too large to validate (1,050,000 characters" in huge.content[0].text


async def test_http_on_ipv6_loopback_with_tokens(server_env, tmp_path):
    with serving(server_env | {"SQLDRAFT_MCP_TOKENS": TOKENS}, tmp_path / "v6.log", host="::1") as url:
        async with client_for(url, DRAFT_TOKEN) as client:
            listed = result(await client.call_tool("list_connections", {}))
    assert url.startswith("http://[::1]:") and listed["connections"][0]["name"] == "shop"


async def test_anonymous_local_http_only_when_asked_and_only_to_draft(server_env, tmp_path):
    with serving(server_env, tmp_path / "anon.log", "--allow-anonymous-local") as url:
        async with client_for(url, None) as client:
            draft = result(await client.call_tool("draft_sql", {"connection": "shop", "request": "count orders"}))
            refused = await client.call_tool("review_draft", {"draft_id": draft["id"], "decision": "rejected"})
    assert draft["requester"] == "mcp:anonymous-local"
    assert refused.is_error and "a call without a token lacks the 'review' scope" in refused.content[0].text


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


@pytest.mark.parametrize(
    ("args", "environment", "message"),
    [
        (["--transport", "http", "--host", "0.0.0.0"], {}, "refusing to serve MCP on 0.0.0.0 without tokens"),
        (["--transport", "http"], {}, "the HTTP transport needs bearer tokens: set SQLDRAFT_MCP_TOKENS"),
        (
            ["--transport", "http", "--allow-anonymous-local"],
            {"SQLDRAFT_MCP_ALLOWED_HOSTS": "sqldraft.internal"},
            "would let a proxy's callers in without a token",
        ),
        (
            ["--transport", "http", "--allow-anonymous-local"],
            {"SQLDRAFT_MCP_TOKENS": TOKENS},
            "--allow-anonymous-local is for a server without SQLDRAFT_MCP_TOKENS",
        ),
        (["--transport", "http"], {"SQLDRAFT_MCP_TOKENS": "ci=tinysecret"}, "shorter than 16 characters"),
        (["--transport", "http"], {"SQLDRAFT_MCP_TOKENS": "/no/such/tokens"}, "nor the path of a readable file"),
        (["--transport", "http"], {"SQLDRAFT_MCP_TOKENS": f"a={DRAFT_TOKEN},tinysecret"}, "entry 2 is not"),
        (["--transport", "http", "--allow-review"], {}, "--allow-review is for --transport stdio"),
        (["--transport", "stdio", "--scheduler"], {}, "--scheduler needs --transport http"),
        (["--transport", "stdio", "--allow-anonymous-local"], {}, "--allow-anonymous-local is for --transport http"),
        (["--transport", "http", "--port", "70000"], {}, "--port 70000 is not a TCP port"),
    ],
)
def test_the_server_refuses_to_start_wrongly_with_one_line(server_env, monkeypatch, capsys, args, environment, message):
    for key, value in (server_env | environment).items():
        monkeypatch.setenv(key, value)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and "tinysecret" not in err and len(err.splitlines()) == 1


def test_tokens_can_come_from_a_file(tmp_path):
    from mcp_server.auth import parse_tokens

    path = tmp_path / "tokens"
    path.write_text(f"# the team\nassistants={DRAFT_TOKEN}\n\nrelease:draft+review={REVIEW_TOKEN}\n")
    entries = parse_tokens(str(path))
    assert [(e.name, e.token, sorted(e.scopes)) for e in entries] == [
        ("assistants", DRAFT_TOKEN, ["draft"]),
        ("release", REVIEW_TOKEN, ["draft", "review"]),
    ]


def test_dns_rebinding_protection_names_this_server():
    from mcp_server.server import transport_security

    local = transport_security("127.0.0.1", 8765, "")
    assert "127.0.0.1:8765" in local.allowed_hosts and "[::1]:8765" in local.allowed_hosts
    assert "evil.example:8765" not in local.allowed_hosts and "https://localhost:8765" in local.allowed_origins
    wide = transport_security("0.0.0.0", 8765, "sqldraft.internal")
    assert f"{socket.gethostname()}:8765" in wide.allowed_hosts and "sqldraft.internal" in wide.allowed_hosts
    assert "https://sqldraft.internal" in wide.allowed_origins


def test_the_http_server_can_host_the_scheduler(shop, server_env, tmp_path):
    from core.demo import create_sample_database

    shop.add_connection("late", f"sqlite:///{create_sample_database(tmp_path / 'late.db')}")  # never refreshed: due
    env = server_env | {"SQLDRAFT_MCP_TOKENS": TOKENS}
    with serving(env, tmp_path / "mcp-scheduler.log", "--scheduler"):
        deadline = time.monotonic() + 30
        while not {p.name: p for p in shop.list_connections()}["late"].snapshot_taken_at:
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert [(p.name, p.table_count) for p in shop.list_connections()] == [("late", 6), ("shop", 6)]
