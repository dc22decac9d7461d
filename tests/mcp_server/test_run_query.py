"""run_query and repair_draft through the official MCP client: the run scope, bounded rows, safe cells."""

import json
import sqlite3

import pytest
from mcp.client import Client

from mcp_server.auth import Identity
from mcp_server.server import build_server
from mcp_server.tools.run import MAX_BYTES
from tests.mcp_server.conftest import result

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def run_copilot(shop_copilot_factory, tmp_path):
    copilot = shop_copilot_factory(generator="offline")
    path = tmp_path / "cells.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE cells (id integer PRIMARY KEY, data blob, doc text, note text)")
        db.executemany("INSERT INTO cells VALUES (?, ?, ?, ?)", [(i, None, None, "x" * 3000) for i in range(1, 2001)])
        db.execute("UPDATE cells SET data = x'00ff', doc = '[1, \"two\", null]', note = NULL WHERE id = 1")
    copilot.add_connection("cells", f"sqlite:///{path}")
    copilot.refresh_snapshot("cells")
    return copilot


def _server(copilot, *scopes):
    return build_server(lambda: copilot, default_identity=Identity("mcp:ci", frozenset(scopes)), close_on_exit=False)


def _approved(copilot, sql, connection="cells"):
    draft = copilot.submit_sql(connection, sql, requester="cli:ada")
    copilot.review(draft.id, "approve", "cli:bob")
    return draft.id


async def test_run_query_without_the_run_scope_is_refused(run_copilot):
    draft_id = _approved(run_copilot, "SELECT id FROM cells WHERE id = 1")
    async with Client(_server(run_copilot, "draft", "review")) as client:
        refused = await client.call_tool("run_query", {"draft_id": draft_id})
    assert refused.is_error and "lacks the 'run' scope" in refused.content[0].text
    assert run_copilot.events(draft_id=draft_id, kind="run.completed") == []


async def test_run_query_returns_rows_with_safe_cells(run_copilot):
    draft_id = _approved(run_copilot, "SELECT id, data, doc, note FROM cells WHERE id IN (1, 2) ORDER BY id")
    async with Client(_server(run_copilot, "run")) as client:
        out = result(await client.call_tool("run_query", {"draft_id": draft_id, "limit": 5}))
    assert [c["name"] for c in out["columns"]] == ["id", "data", "doc", "note"]
    assert out["rows"][0][:3] == [1, {"type": "bytes", "length": 2, "hex": "00ff", "truncated": False},
                                  '[1, "two", null]']  # fmt: skip
    assert out["rows"][0][3] is None and out["rows"][1][3] == "x" * 3000
    assert out["row_count"] == 2 and out["truncated"] is False and out["elapsed_ms"] >= 0


async def test_run_query_is_bounded_in_size(run_copilot):
    draft_id = _approved(run_copilot, "SELECT id, note FROM cells ORDER BY id")
    async with Client(_server(run_copilot, "run")) as client:
        out = result(await client.call_tool("run_query", {"draft_id": draft_id, "limit": 1000}))
        too_many = await client.call_tool("run_query", {"draft_id": draft_id, "limit": 5000})
        zero = await client.call_tool("run_query", {"draft_id": draft_id, "limit": 0})
    assert out["truncated"] and out["truncated_by"] == "bytes" and out["row_count"] < 1000
    assert len(json.dumps(out["rows"])) <= MAX_BYTES
    assert too_many.is_error and "out of range" in too_many.content[0].text
    assert zero.is_error and "out of range" in zero.content[0].text


async def test_a_failed_run_hints_at_repair_draft(run_copilot):
    run_copilot.set_connection_options("cells", run_unapproved_reads=True)
    draft = run_copilot.submit_sql("cells", "SELECT id FROM cells WHERE id = 1", requester="cli:ada")
    async with Client(_server(run_copilot, "run", "draft")) as client:
        # drop the table behind the snapshot's back: the read validates, the database refuses it
        with sqlite3.connect(run_copilot.get_connection("cells").url.removeprefix("sqlite:///")) as db:
            db.execute("ALTER TABLE cells RENAME TO gone")
        failed = await client.call_tool("run_query", {"draft_id": draft.id})
    assert failed.is_error and "no such table" in failed.content[0].text
    assert f"call repair_draft with draft_id {draft.id}" in failed.content[0].text
