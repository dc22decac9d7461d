"""search_schema over MCP (official client): the join path on the demo shop, partitions folded on PostgreSQL."""

import pytest
from mcp.client import Client

from mcp_server.auth import Identity
from mcp_server.server import build_server
from tests.core.introspection.test_postgres_partitions import SAKILA_PARTITIONED
from tests.mcp_server.conftest import result
from tests.support.servers import run_pg

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def sakila_server(mcp_copilot, pg_url):
    run_pg(pg_url, *SAKILA_PARTITIONED)
    mcp_copilot.add_connection("sakila", pg_url)
    assert mcp_copilot.refresh_snapshot("sakila").status != "error"
    return build_server(
        lambda: mcp_copilot, default_identity=Identity("mcp:local-ada", frozenset({"draft"})), close_on_exit=False
    )


async def _search(server, connection, query, limit=5):
    async with Client(server) as client:
        found = await client.call_tool("search_schema", {"connection": connection, "query": query, "limit": limit})
    return result(found)["tables"]


async def test_partitions_are_one_hit_and_customer_comes_with_payment(sakila_server):
    hits = await _search(sakila_server, "sakila", "customers total payments")
    names = [h["table"] for h in hits]
    assert set(names[:2]) == {"public.payment", "public.customer"}, names
    assert not any("_p2007_" in n for n in names)
    payment = next(h for h in hits if h["table"] == "public.payment")
    assert payment["kind"] == "partitioned_table"
    assert "partitioned by range (payment_date), 6 partitions" in payment["reason"]


async def test_the_bridge_table_comes_with_the_tables_it_joins(sakila_server):
    hits = await _search(sakila_server, "sakila", "films never rented")
    reasons = {h["table"]: h["reason"] for h in hits}
    assert {"public.film", "public.rental", "public.inventory"} <= set(reasons), reasons
    assert reasons["public.inventory"] == "joins public.rental and public.film"
    assert "partitioned by inheritance, 2 child tables" in reasons["public.rental"]


async def test_demo_shop_customers_and_payments_come_with_orders(sakila_server):
    names = [h["table"] for h in await _search(sakila_server, "shop", "customers total payments")]
    assert {"customers", "orders", "payments"} <= set(names), names
