"""Long calls over MCP: progress, a deadline, drafts that outlive their caller; completions, logging, resources."""

import time

import anyio
import pytest
from mcp.client import Client
from mcp_types import ResourceTemplateReference

from mcp_server.auth import Identity
from mcp_server.server import build_server
from tests.mcp_server.conftest import GOOD_SQL, reply, result

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


def server_for(copilot):
    identity = Identity("mcp:local-ada", frozenset({"draft", "review"}))
    return build_server(lambda: copilot, default_identity=identity, close_on_exit=False)


@pytest.fixture
def slow_copilot(shop_copilot_factory, fake_llm):
    """A copilot whose draft_sql deadline is one second (the fake model can take longer)."""
    return shop_copilot_factory(
        generator="llm", llm_base_url=fake_llm.url, llm_model="m", llm_api_key="k", llm_timeout=30.0,
        mcp_draft_deadline=1.0,
    )  # fmt: skip


def settle(copilot, draft_id):
    """The draft once it is no longer queued or running (the pool finishes it; bounded wait)."""
    for _ in range(300):
        draft = copilot.get_draft(draft_id)
        if draft.status.value not in ("queued", "running"):
            return draft
        time.sleep(0.05)
    raise AssertionError(f"draft {draft_id} still {draft.status.value}")


async def test_draft_sql_reports_its_steps_as_progress_when_asked(local_server, fake_llm):
    fake_llm.reply(reply("SELECT nope FROM orders")).reply(reply())
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress, total, message):
        seen.append((progress, total, message))

    async with Client(local_server) as client:
        call = await client.call_tool(
            "draft_sql", {"connection": "shop", "request": "orders per status"}, progress_callback=on_progress
        )
    draft = result(call)
    assert draft["status"] == "completed" and draft["sql"] == GOOD_SQL
    messages = [m for _, _, m in seen]
    assert messages[0] == "retrieving the relevant tables"
    assert "prompting the model (attempt 1 of 3)" in messages and "prompting the model (attempt 2 of 3)" in messages
    assert "validating attempt 2 of 3" in messages
    values = [p for p, _, _ in seen]
    assert values == sorted(values) and {t for _, t, _ in seen} == {100}


async def test_refresh_snapshot_reports_progress(local_server):
    seen = []

    async def on_progress(progress, total, message):
        seen.append(message)

    async with Client(local_server) as client:
        refreshed = result(
            await client.call_tool("refresh_snapshot", {"connection": "shop"}, progress_callback=on_progress)
        )
    assert refreshed["status"] == "unchanged" and seen and all(isinstance(m, str) and m for m in seen)


async def test_a_slow_draft_answers_running_by_the_deadline_and_get_draft_reports_it_later(slow_copilot, fake_llm):
    fake_llm.reply(reply(), delay=3.0)
    async with Client(server_for(slow_copilot)) as client:
        draft = result(await client.call_tool("draft_sql", {"connection": "shop", "request": "orders per status"}))
        assert draft["status"] == "running" and "get_draft" in draft["next_step"]
        settle(slow_copilot, draft["id"])
        later = result(await client.call_tool("get_draft", {"draft_id": draft["id"]}))
    assert later["status"] == "completed" and later["sql"] == GOOD_SQL


async def test_a_client_that_leaves_mid_draft_does_not_interrupt_it(slow_copilot, fake_llm):
    fake_llm.reply(reply(), delay=2.0)
    async with Client(server_for(slow_copilot)) as client:
        with anyio.move_on_after(0.5):
            await client.call_tool("draft_sql", {"connection": "shop", "request": "orders per status"})
    (row,) = slow_copilot.history().items
    assert settle(slow_copilot, row.id).status.value == "completed"


async def test_completion_offers_connections_tables_and_drafts_and_nothing_for_other_arguments(
    local_server, mcp_copilot, fake_llm
):
    fake_llm.reply(reply())
    table_ref = ResourceTemplateReference(type="ref/resource", uri="sqldraft://connections/{connection}/tables/{table}")
    draft_ref = ResourceTemplateReference(type="ref/resource", uri="sqldraft://drafts/{draft_id}")
    async with Client(local_server) as client:
        assert client.server_capabilities.completions is not None
        draft = result(await client.call_tool("draft_sql", {"connection": "shop", "request": "orders per status"}))
        names = await client.complete(table_ref, {"name": "connection", "value": "sh"})
        tables = await client.complete(table_ref, {"name": "table", "value": "ord"}, {"connection": "shop"})
        ids = await client.complete(draft_ref, {"name": "draft_id", "value": draft["id"][:3]})
        other = await client.complete(table_ref, {"name": "colour", "value": "re"})
        unknown = await client.complete(table_ref, {"name": "table", "value": "o"}, {"connection": "nope"})
    assert names.completion.values == ["shop"]
    assert set(tables.completion.values) >= {"orders", "order_items"} and "customers" not in tables.completion.values
    assert draft["id"] in ids.completion.values
    assert other.completion.values == [] and unknown.completion.values == []


async def test_log_notifications_follow_the_level_the_client_sets(local_server):
    logged = []

    async def on_log(params):
        logged.append((params.level, params.logger, params.data))

    async with Client(local_server, mode="legacy", logging_callback=on_log) as client:
        assert client.server_capabilities.logging is not None
        await client.set_logging_level("warning")
        result(await client.call_tool("refresh_snapshot", {"connection": "shop"}))
        quiet = list(logged)
        await client.set_logging_level("info")
        result(await client.call_tool("refresh_snapshot", {"connection": "shop"}))
    assert quiet == []
    assert logged and all(level == "info" and logger == "sqldraft.refresh" for level, logger, _ in logged)


async def test_resources_list_names_each_connections_schema(local_server):
    async with Client(local_server) as client:
        listed = await client.list_resources()
        text = (await client.read_resource("sqldraft://connections/shop/schema.md")).contents[0].text
    uris = [str(r.uri) for r in listed.resources]
    assert uris == ["sqldraft://connections/shop/schema.md", "sqldraft://connections/shop/schema.json"]
    assert "CREATE TABLE orders" in text
