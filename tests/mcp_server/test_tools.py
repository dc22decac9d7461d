"""Every tool through the official MCP client, in process: schemas, results, annotations, error paths."""

import json

import pytest
from mcp.client import Client

from core.errors import Hint
from mcp_server.auth import Identity
from mcp_server.errors import HINTS
from mcp_server.server import build_server
from tests.mcp_server.conftest import GOOD_SQL, reply, result

pytestmark = pytest.mark.anyio

TOOLS = {
    "list_connections",
    "refresh_snapshot",
    "search_schema",
    "describe_table",
    "draft_sql",
    "submit_sql",
    "validate_sql",
    "get_draft",
    "list_history",
    "review_draft",
    "run_query",
    "repair_draft",
}
READ_ONLY = {
    "list_connections", "search_schema", "describe_table", "validate_sql", "get_draft", "list_history", "run_query",
}


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def test_tools_publish_typed_inputs_outputs_and_annotations(local_server):
    async with Client(local_server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == TOOLS
    for name, tool in tools.items():
        assert (
            tool.description
            and "\n    " not in tool.description
            and tool.output_schema
            and tool.output_schema["type"] == "object"
        ), name
        for arg, spec in tool.input_schema.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{arg} has no description"
        assert bool(tool.annotations.read_only_hint) == (name in READ_ONLY), name
        assert tool.annotations.destructive_hint is False, name
        open_world = ("refresh_snapshot", "draft_sql", "submit_sql", "run_query", "repair_draft")
        assert bool(tool.annotations.open_world_hint) == (name in open_world), name
    assert tools["draft_sql"].input_schema["properties"]["mode"]["enum"] == ["query", "dml", "ddl"]
    assert tools["review_draft"].input_schema["properties"]["decision"]["enum"] == ["approved", "rejected", "edited"]
    assert tools["list_history"].input_schema["properties"]["sort"]["enum"] == [
        "created_at",
        "last_reviewed_at",
        "risk_count",
    ]
    assert "never connects to or changes the target database" in tools["draft_sql"].description
    assert "validate_sql" in tools["draft_sql"].description and "describe_table" in tools["search_schema"].description
    assert tools["draft_sql"].annotations.destructive_hint is False


async def test_the_whole_workflow(local_server, fake_llm):
    fake_llm.reply(reply())
    async with Client(local_server) as client:
        connections = result(await client.call_tool("list_connections", {}))["connections"]
        assert [c["name"] for c in connections] == ["shop"] and connections[0]["tables"] == 6
        found = result(
            await client.call_tool("search_schema", {"connection": "shop", "query": "orders status", "limit": 2})
        )
        assert found["tables"][0]["table"] == "orders" and found["next_cursor"] and found["total_matches"] > 2
        more = result(
            await client.call_tool(
                "search_schema",
                {"connection": "shop", "query": "orders status", "limit": 2, "cursor": found["next_cursor"]},
            )
        )
        assert {t["table"] for t in more["tables"]}.isdisjoint({t["table"] for t in found["tables"]})
        table = result(await client.call_tool("describe_table", {"connection": "shop", "table": "orders"}))
        assert table["primary_key"] == ["id"] and table["foreign_keys"][0]["references_table"] == "customers"
        assert "payments" in table["referenced_by"] and "ddl" not in table  # DDL only on request
        ddl = result(
            await client.call_tool("describe_table", {"connection": "shop", "table": "orders", "include_ddl": True})
        )
        assert "CREATE TABLE orders" in ddl["ddl"]
        draft = result(await client.call_tool("draft_sql", {"connection": "shop", "request": "orders per status"}))
        assert draft["status"] == "completed" and draft["sql"] == GOOD_SQL and draft["requester"] == "mcp:local-ada"
        assert draft["validation"]["status"] == "pass" and "validate_sql" in draft["next_step"]
        checked = result(
            await client.call_tool("validate_sql", {"sql": "SELECT statuz FROM orders", "connection": "shop"})
        )
        assert checked["status"] == "fail" and checked["findings"][0]["suggestion"] == "did you mean status?"
        fetched = result(await client.call_tool("get_draft", {"draft_id": draft["id"]}))
        assert fetched["id"] == draft["id"] and fetched["review_status"] == "pending"
        history = result(await client.call_tool("list_history", {"mine": True, "page_size": 5}))
        assert [i["id"] for i in history["items"]] == [draft["id"]]
        refreshed = result(await client.call_tool("refresh_snapshot", {"connection": "shop"}))
        assert refreshed["status"] == "unchanged"


async def test_an_assistant_cannot_approve_its_own_draft_but_may_review_others(local_server, mcp_copilot, fake_llm):
    fake_llm.reply(reply()).reply(reply())
    async with Client(local_server) as client:
        own = result(await client.call_tool("draft_sql", {"connection": "shop", "request": "orders per status"}))
        denied = await client.call_tool("review_draft", {"draft_id": own["id"], "decision": "approved"})
        assert denied.is_error and "an assistant's draft is reviewed by a person" in denied.content[0].text
        edit = await client.call_tool(
            "review_draft", {"draft_id": own["id"], "decision": "edited", "final_script": GOOD_SQL + " LIMIT 5"}
        )
        assert edit.is_error and "requested this draft and may not edit it too" in edit.content[0].text
        others = mcp_copilot.draft("shop", "How many orders per status?", requester="slack:U1")
        edited = result(
            await client.call_tool(
                "review_draft",
                {
                    "draft_id": others.id,
                    "decision": "edited",
                    "final_script": GOOD_SQL + " ORDER BY n DESC",
                    "note": "sorted",
                },
            )
        )
        assert edited["decision"] == "edited" and "+SELECT" in edited["diff"]
        assert edited["final_validation"]["status"] in ("pass", "warn")


@pytest.mark.parametrize(
    ("tool", "arguments", "message"),
    [
        (
            "search_schema",
            {"connection": "nowhere", "query": "x"},
            "unknown connection 'nowhere'; known connections: shop",
        ),
        ("describe_table", {"connection": "shop", "table": "order"}, "did you mean orders"),
        ("get_draft", {"draft_id": "dzzzzzzzzz"}, "no draft with id 'dzzzzzzzzz': list_history shows recent drafts"),
        ("get_draft", {"draft_id": "x" * 41}, "draft_id: String should have at most 40 characters"),
        (
            "get_draft",
            {"draft_id": "order-7"},
            "'order-7' is not a draft id: ids look like d7k3m4x2pq; list_history shows recent drafts",
        ),
        ("describe_table", {"connection": "c" * 100_000, "table": "x"}, "String should have at most 63 characters"),
        (
            "validate_sql",
            {"sql": "SELECT 1", "connection": "shop", "dialect": "mysql"},
            "or dialect (syntax and risk only), not both",
        ),
        ("draft_sql", {"connection": "shop", "request": "x" * 4001}, "the limit is 4,000"),
        (
            "draft_sql",
            {"connection": "shop", "request": "orders", "mode": "upsert"},
            "mode: Input should be 'query', 'dml' or 'ddl'",
        ),
        (
            "list_history",
            {"page_size": 500},
            "invalid argument(s): page_size: Input should be less than or equal to 100",
        ),
        ("list_history", {"page": 0}, "page: Input should be greater than or equal to 1"),
        (
            "search_schema",
            {"connection": "shop", "query": "x", "limit": 51},
            "limit: Input should be less than or equal to 50",
        ),
        ("describe_table", {"connection": "shop"}, "table: Field required"),
        ("validate_sql", {"sql": "SELECT 1;\n" * 120_000, "dialect": "sqlite"}, "too large"),
        ("validate_sql", {"sql": "SELECT 1"}, "pass connection (recommended: names are checked too) or dialect"),
        (
            "search_schema",
            {"connection": "shop", "query": "x", "cursor": "garbage"},
            "the cursor is not one this server gave out: call again without cursor",
        ),
        ("list_connections", {"verbose": True}, "list_connections: unknown argument(s): verbose; it takes none"),
        ("review_draft", {"draft_id": "dzzzzzzzzz", "decision": "approved"}, "no draft with id"),
    ],
)
async def test_bad_input_is_a_tool_error_the_model_can_act_on(local_server, tool, arguments, message):
    async with Client(local_server) as client:
        call = await client.call_tool(tool, arguments)
    assert call.is_error
    text = call.content[0].text
    assert message in text and "Traceback" not in text and "\n" not in text and "pydantic.dev" not in text
    assert len(text) < 600  # what the caller sent is not echoed back at length


async def test_a_connection_without_a_snapshot_says_how_to_refresh(local_server, mcp_copilot, tmp_path):
    mcp_copilot.add_connection("fresh", f"sqlite:///{tmp_path / 'nothing.db'}")
    async with Client(local_server) as client:
        call = await client.call_tool("describe_table", {"connection": "fresh", "table": "x"})
    assert call.is_error and "connection 'fresh' has no snapshot yet" in call.content[0].text
    assert "call refresh_snapshot with connection 'fresh'" in call.content[0].text
    assert "sqldraft " not in call.content[0].text  # the model is told the tool, not the command line


async def test_hinted_errors_name_the_tool_to_call(local_server):
    assert set(HINTS) == set(Hint)
    async with Client(local_server) as client:
        call = await client.call_tool("get_draft", {"draft_id": "dzzzzzzzzz"})
    assert call.is_error
    assert call.content[0].text.endswith("no draft with id 'dzzzzzzzzz': list_history shows recent drafts")


async def test_resources_give_the_schema_tables_and_drafts(local_server, mcp_copilot, fake_llm):
    fake_llm.reply(reply())
    draft = mcp_copilot.draft("shop", "How many orders per status?", requester="slack:U1")
    async with Client(local_server) as client:
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
        assert {
            "sqldraft://connections/{connection}/schema.md",
            "sqldraft://connections/{connection}/schema.json",
            "sqldraft://connections/{connection}/tables/{table}",
            "sqldraft://drafts/{draft_id}",
        } <= templates
        stored = json.loads((await client.read_resource(f"sqldraft://drafts/{draft.id}")).contents[0].text)
        assert stored["id"] == draft.id and stored["requester"] == "slack:U1" and stored["sql"]
        markdown = (await client.read_resource("sqldraft://connections/shop/schema.md")).contents[0].text
        assert "CREATE TABLE orders" in markdown and "a customer's checkout" in markdown
        data = json.loads((await client.read_resource("sqldraft://connections/shop/schema.json")).contents[0].text)
        assert not data["summarized"] and len(data["schema"]["tables"]) == 6
        table = (await client.read_resource("sqldraft://connections/shop/tables/payments")).contents[0].text
        assert "CREATE TABLE payments" in table
        with pytest.raises(Exception, match="did you mean"):
            await client.read_resource("sqldraft://connections/shop/tables/paymnts")
        with pytest.raises(Exception, match="no draft with id"):
            await client.read_resource("sqldraft://drafts/dzzzzzzzzz")


async def test_a_huge_schema_is_summarized_not_dumped(shop_copilot_factory, tmp_path):
    from tests.support.servers import run_sqlite
    from tests.support.wide import wide_ddl

    copilot = shop_copilot_factory(generator="offline")
    path = str(tmp_path / "wide.db")
    run_sqlite(path, ";\n".join(wide_ddl(400, "sqlite")) + ";")
    copilot.add_connection("wide", f"sqlite:///{path}")
    copilot.refresh_snapshot("wide")
    server = build_server(
        lambda: copilot, default_identity=Identity("mcp:local-x", frozenset({"draft"})), close_on_exit=False
    )
    async with Client(server) as client:
        markdown = (await client.read_resource("sqldraft://connections/wide/schema.md")).contents[0].text
        data = json.loads((await client.read_resource("sqldraft://connections/wide/schema.json")).contents[0].text)
        found = result(
            await client.call_tool("search_schema", {"connection": "wide", "query": "code amount", "limit": 50})
        )
    assert "summarized" in markdown and "search_schema" in markdown and len(markdown) < 20_000
    assert data["summarized"] and data["table_count"] == 400
    assert len(found["tables"]) == 50 and found["next_cursor"]


async def test_wide_tables_page_their_columns_and_long_schemas_are_summarized(shop_copilot_factory, tmp_path):
    from tests.support.servers import run_sqlite

    copilot = shop_copilot_factory(generator="offline")
    path = str(tmp_path / "columns.db")
    columns = ", ".join(f"measure_{i:03d} numeric" for i in range(250))
    run_sqlite(path, ";\n".join(f"create table wide_{t:03d} (id integer primary key, {columns})" for t in range(60)))
    copilot.add_connection("columns", f"sqlite:///{path}")
    copilot.refresh_snapshot("columns")
    server = build_server(
        lambda: copilot, default_identity=Identity("mcp:local-x", frozenset({"draft"})), close_on_exit=False
    )
    async with Client(server) as client:
        args = {"connection": "columns", "table": "wide_007", "include_ddl": True}
        first = result(await client.call_tool("describe_table", args))
        args |= {"cursor": first["next_cursor"]}
        second = result(await client.call_tool("describe_table", args))
        third = result(await client.call_tool("describe_table", args | {"cursor": second["next_cursor"]}))
        foreign = await client.call_tool("describe_table", args | {"table": "wide_008"})
        markdown = (await client.read_resource("sqldraft://connections/columns/schema.md")).contents[0].text
        data = json.loads((await client.read_resource("sqldraft://connections/columns/schema.json")).contents[0].text)
    names = [c["name"] for page in (first, second, third) for c in page["columns"]]
    assert names == ["id"] + [f"measure_{i:03d}" for i in range(250)] and first["total_columns"] == 251
    assert "next_cursor" not in third and "CREATE TABLE wide_007" in first["ddl"] and "ddl" not in second
    assert foreign.is_error and "the cursor belongs to another query" in foreign.content[0].text
    assert "summarized" in markdown and len(markdown) < 20_000  # 60 tables only, but 360 KB of DDL
    assert data["summarized"] and data["table_count"] == 60 and len(data["tables"]) == 60


async def test_a_database_password_never_reaches_the_assistant(local_server, mcp_copilot, caplog):
    mcp_copilot.add_connection("broken", "postgresql://reader:Sup3rSecretPw@127.0.0.1:1/nowhere")
    async with Client(local_server) as client:
        refreshed = await client.call_tool("refresh_snapshot", {"connection": "broken"})
        listed = result(await client.call_tool("list_connections", {}))
        described = await client.call_tool("describe_table", {"connection": "broken", "table": "x"})
    assert refreshed.is_error and "refreshing 'broken' failed:" in refreshed.content[0].text
    broken = next(c for c in listed["connections"] if c["name"] == "broken")
    assert broken["last_refresh_status"] == "error" and broken["last_refresh_error"]
    seen = refreshed.content[0].text + json.dumps(listed) + described.content[0].text + caplog.text
    assert "Sup3rSecretPw" not in seen


async def test_an_edit_with_errors_is_refused_with_its_finding_unless_allow_invalid(
    local_server, mcp_copilot, fake_llm
):
    fake_llm.reply(reply())
    others = mcp_copilot.draft("shop", "How many orders per status?", requester="slack:U1")
    broken = {"draft_id": others.id, "decision": "edited", "final_script": "SELECT statuz FROM orders"}
    async with Client(local_server) as client:
        refused = await client.call_tool("review_draft", broken)
        assert refused.is_error and "statuz" in refused.content[0].text
        assert "review_draft again with allow_invalid true" in refused.content[0].text
        assert mcp_copilot.get_draft(others.id).review["status"] == "pending"
        unnoted = await client.call_tool("review_draft", {**broken, "allow_invalid": True})
        assert unnoted.is_error and "note" in unnoted.content[0].text
        noted = {**broken, "allow_invalid": True, "note": "statuz lands in tonight's migration"}
        saved = result(await client.call_tool("review_draft", noted))
    assert saved["decision"] == "edited" and saved["final_validation"]["status"] == "fail"
    assert mcp_copilot.get_draft(others.id).review["status"] == "edited"
