"""list_connections tells the assistant who drafts: the same status as `sqldraft llm status`."""

import pytest
from mcp.client import Client

from mcp_server.auth import Identity
from mcp_server.server import build_server
from tests.mcp_server.conftest import result

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


def server_for(copilot):
    identity = Identity("mcp:local-ada", frozenset({"draft"}))
    return build_server(lambda: copilot, default_identity=identity, close_on_exit=False)


async def test_list_connections_names_the_model_and_its_host_never_the_key(local_server, fake_llm):
    async with Client(local_server) as client:
        llm = result(await client.call_tool("list_connections", {}))["llm"]
    host = fake_llm.url.split("/")[2]
    assert llm["generator"] == "llm" and llm["configured"] is True and llm.get("missing", []) == []
    assert llm["summary"] == f"llm: model m at {host}" and llm["model"] == "m" and llm["host"] == host
    assert fake_llm.attempts == 0  # the status reads settings; it does not call the model


async def test_list_connections_says_what_a_partial_llm_setup_lacks(shop_copilot_factory):
    copilot = shop_copilot_factory(generator="llm", llm_base_url="http://models.internal/v1")
    async with Client(server_for(copilot)) as client:
        llm = result(await client.call_tool("list_connections", {}))["llm"]
    assert llm["configured"] is False and llm["missing"] == ["SQLDRAFT_LLM_MODEL (or OPENAI_MODEL)"]


async def test_list_connections_of_the_offline_generator_has_no_host(shop_copilot_factory):
    copilot = shop_copilot_factory(generator="offline")
    async with Client(server_for(copilot)) as client:
        listed = await client.call_tool("list_connections", {})
    llm = result(listed)["llm"]
    assert llm["generator"] == "offline" and llm.get("host") is None and llm["summary"].startswith("offline:")
