"""The MCP HTTP server's edge: /healthz, /readyz and a body cap enforced before the body is read."""

import json
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPConnection

from tests.mcp_server.test_transports import anyio_backend, http_server, server_env, shop  # noqa: F401


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_healthz_and_readyz_answer_beside_the_mcp_app(http_server):  # noqa: F811
    base = http_server.removesuffix("/mcp")
    assert _get(f"{base}/healthz") == (200, {"ok": True})
    status, ready = _get(f"{base}/readyz")
    assert status == 200 and ready["ok"] is True
    assert [c["name"] for c in ready["checks"]] == ["store", "migrations"]
    assert ready["pools"][0]["engine"] == "store"


def test_a_declared_body_over_the_cap_is_413_before_it_is_read(http_server):  # noqa: F811
    netloc = urllib.parse.urlsplit(http_server).netloc
    host, port = netloc.rsplit(":", 1)
    connection = HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", "/mcp")
    connection.putheader("Content-Length", str(500 * 1024 * 1024))
    connection.putheader("Content-Type", "application/json")
    connection.endheaders()
    connection.send(b"{" * 1024)
    assert connection.getresponse().status == 413
    connection.close()


def test_a_chunked_body_over_the_cap_is_413(http_server):  # noqa: F811
    netloc = urllib.parse.urlsplit(http_server).netloc
    host, port = netloc.rsplit(":", 1)
    connection = HTTPConnection(host, int(port), timeout=10)
    connection.request("POST", "/mcp", body=(b" " * 65536 for _ in range(200)), encode_chunked=True)
    assert connection.getresponse().status == 413
    connection.close()


def test_metrics_are_served_on_loopback(http_server):  # noqa: F811
    base = http_server.removesuffix("/mcp")
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
        text = response.read().decode()
    assert response.status == 200 and "sqldraft_drafts" in text and 'sqldraft_pool_waits{engine="store"} 0.0' in text
