"""A rate limit refusal over MCP is a tool error that says how long to wait."""

import pytest
from mcp.client import Client

from mcp_server.auth import Identity
from mcp_server.server import build_server
from tests.mcp_server.conftest import reply, result

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def test_the_second_draft_over_the_limit_is_a_tool_error_with_the_wait(shop_copilot_factory, fake_llm):
    copilot = shop_copilot_factory(
        generator="llm", llm_base_url=fake_llm.url, llm_model="m", llm_api_key="k", llm_timeout=5.0,
        rate_limits="draft=1/hour",
    )  # fmt: skip
    ada = Identity("mcp:ada", frozenset({"draft"}))
    server = build_server(lambda: copilot, default_identity=ada, close_on_exit=False)
    fake_llm.reply(reply())
    async with Client(server) as client:
        first = result(await client.call_tool("draft_sql", {"connection": "shop", "request": "orders per status"}))
        assert first["status"] == "completed"
        second = await client.call_tool("draft_sql", {"connection": "shop", "request": "orders per status"})
    assert second.is_error
    text = second.content[0].text
    assert "rate limit reached" in text and "call again in" in text and "\n" not in text.strip()
    assert len(copilot.history().items) == 1
    assert [e.principal for e in copilot.events(kind="rate_limited")] == ["mcp:ada"]
