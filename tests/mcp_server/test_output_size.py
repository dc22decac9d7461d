"""Tool results stay small: a 50-column table costs an assistant a few KB per call, not tens."""

import sqlite3

import pytest
from mcp.client import Client

from mcp_server.auth import Identity
from mcp_server.server import build_server
from tests.mcp_server.conftest import result

pytestmark = pytest.mark.anyio
LIMIT = 4096


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def wide_copilot(shop_copilot_factory, tmp_path):
    copilot = shop_copilot_factory(generator="offline")
    path = tmp_path / "fifty.db"
    cols = ", ".join(f"measure_{i:02d} numeric DEFAULT 0" for i in range(48))
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE sites (id integer PRIMARY KEY, name text NOT NULL)")
        db.execute(
            f"CREATE TABLE readings (id integer PRIMARY KEY, site_id integer NOT NULL REFERENCES sites(id), {cols})"
        )
        db.execute("CREATE INDEX ix_readings_site ON readings (site_id)")
    copilot.add_connection("plant", f"sqlite:///{path}")
    copilot.refresh_snapshot("plant")
    return copilot


async def test_every_tool_answers_a_fifty_column_table_in_a_few_kilobytes(wide_copilot):
    server = build_server(
        lambda: wide_copilot, default_identity=Identity("mcp:local-x", frozenset({"draft"})), close_on_exit=False
    )
    sql = "SELECT r.id, r.measure_00 FROM readings AS r JOIN sites AS s ON s.id = r.site_id WHERE s.name = 'a'"
    calls = {
        "list_connections": {},
        "search_schema": {"connection": "plant", "query": "readings per site"},
        "describe_table": {"connection": "plant", "table": "readings"},
        "validate_sql": {"connection": "plant", "sql": sql},
        "draft_sql": {"connection": "plant", "request": "latest 10 readings"},
    }
    sizes = {}
    async with Client(server) as client:
        for name, args in calls.items():
            call = await client.call_tool(name, args)
            body = result(call)
            sizes[name] = len(call.content[0].text)
            if name == "draft_sql":
                fetched = await client.call_tool("get_draft", {"draft_id": body["id"]})
                sizes["get_draft"] = len(fetched.content[0].text)
            if name == "describe_table":
                assert len(body["columns"]) == 50 and ":null" not in call.content[0].text
                assert body["indexes"] == [{"name": "ix_readings_site", "columns": ["site_id"]}]
    assert all(size < LIMIT for size in sizes.values()), sizes
