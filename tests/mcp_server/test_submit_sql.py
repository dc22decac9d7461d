"""submit_sql and review_draft's override_note through the official MCP client (in process)."""

import pytest
from mcp.client import Client

from tests.mcp_server.conftest import GOOD_SQL, result

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def test_submit_sql_says_where_review_was_requested(local_server, mcp_copilot):
    async with Client(local_server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools["submit_sql"].input_schema["properties"]) == {"connection", "sql", "mode", "purpose"}
        nowhere = result(await client.call_tool("submit_sql", {"connection": "shop", "sql": GOOD_SQL}))
        assert nowhere["validation_status"] in ("pass", "warn") and nowhere["review_status"] == "pending"
        assert nowhere["review_requested_in"].startswith("no review channel configured: ")
        assert "--review-channel" in nowhere["review_requested_in"]
        mcp_copilot.set_connection_options("shop", review_channel="C7")
        there = result(
            await client.call_tool("submit_sql", {"connection": "shop", "sql": GOOD_SQL, "purpose": "orders"})
        )
        assert there["review_requested_in"] == "Slack channel C7"
    draft = mcp_copilot.get_draft(there["draft_id"])
    assert draft.submitted and draft.requester == "mcp:local-ada"
    assert [r.channel for r in mcp_copilot.review_requests(draft.id)] == ["C7"]


async def test_bad_submissions_are_one_line_tool_errors(local_server):
    async with Client(local_server) as client:
        empty = await client.call_tool("submit_sql", {"connection": "shop", "sql": "   "})
        unknown = await client.call_tool("submit_sql", {"connection": "nowhere", "sql": GOOD_SQL})
    assert empty.is_error and "\n" not in empty.content[0].text and "Traceback" not in empty.content[0].text
    assert unknown.is_error and "unknown connection 'nowhere'" in unknown.content[0].text


async def test_an_assistant_cannot_approve_a_write_it_submitted(local_server, mcp_copilot):
    async with Client(local_server) as client:
        for mode in ("query", "dml"):
            own = result(
                await client.call_tool(
                    "submit_sql", {"connection": "shop", "sql": "DELETE FROM orders WHERE id = 1", "mode": mode}
                )
            )
            denied = await client.call_tool("review_draft", {"draft_id": own["draft_id"], "decision": "approved"})
            assert denied.is_error, mode
            assert mcp_copilot.get_draft(own["draft_id"]).review["status"] == "pending"


async def test_approving_a_failing_script_needs_a_non_blank_override_note(local_server, mcp_copilot):
    failing = mcp_copilot.submit_sql("shop", "SELECT statuz FROM orders", requester="cli:bob")
    async with Client(local_server) as client:
        plain = await client.call_tool("review_draft", {"draft_id": failing.id, "decision": "approved"})
        assert plain.is_error and "override_note" in plain.content[0].text
        blank = await client.call_tool(
            "review_draft", {"draft_id": failing.id, "decision": "approved", "override_note": "   "}
        )
        assert blank.is_error and "note" in blank.content[0].text
        assert mcp_copilot.get_draft(failing.id).review["status"] == "pending"
        done = result(
            await client.call_tool(
                "review_draft",
                {"draft_id": failing.id, "decision": "approved", "override_note": "column lands tonight"},
            )
        )
    assert done["decision"] == "approved" and done["note"] == "column lands tonight"
