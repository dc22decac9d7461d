"""List and call every sqldraft MCP tool through the MCP Inspector CLI (npm), over stdio and HTTP.

    python bench/mcp_inspector.py [--version 0.15.0] [--prefix DIR]

Installs ``@modelcontextprotocol/inspector`` with npm into a cache folder (once), runs ``sqldraft demo``
into a temporary data folder, then drives ``sqldraft-mcp`` with ``mcp-inspector --cli``: tools/list,
every tool, the resource templates and two resources, an error path, and the same over streamable
HTTP on 127.0.0.1. Each call is checked; the script prints one line per call and exits 1 on a failure.

Inspector 0.15.0 is the newest release that runs on Node 20 (later ones need Node >= 22.7.5); it has
no option to send an Authorization header, so over HTTP it exercises the explicit loopback no-token
mode (``--allow-anonymous-local``, draft scope only), and the token paths are covered by
tests/mcp_server/test_transports.py. The stdio server runs with ``--allow-review``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import mcp_http_server

BIN = Path(sys.executable).parent


class Inspector:
    def __init__(self, executable: Path, env: dict[str, str]) -> None:
        self.executable = executable
        self.env = env
        self.failures = 0

    def call(self, target: list[str], method: str, *extra: str, label: str = "") -> tuple[dict[str, Any], float]:
        started = time.perf_counter()
        env_args = [a for k, v in self.env.items() for a in ("-e", f"{k}={v}")] if target[0] != "http" else []
        args = target[1:] if target[0] == "http" else target
        proc = subprocess.run(
            [str(self.executable), "--cli", *env_args, *args, "--method", method, *extra],
            capture_output=True,
            text=True,
            timeout=120,
            env=os.environ | self.env,
        )
        elapsed = (time.perf_counter() - started) * 1000
        if proc.returncode != 0:
            raise RuntimeError(f"{label or method}: inspector exited {proc.returncode}: {proc.stderr.strip()[-400:]}")
        return json.loads(proc.stdout), elapsed

    def check(self, label: str, ok: bool, elapsed: float, detail: str) -> None:
        self.failures += 0 if ok else 1
        print(f"{'ok  ' if ok else 'FAIL'} {label:<44} {elapsed:7.0f} ms  {detail}")


def tool(ins: Inspector, target: list[str], name: str, **args: Any) -> tuple[dict[str, Any], float]:
    extra = ["--tool-name", name]
    for key, value in args.items():
        extra += ["--tool-arg", f"{key}={value}"]
    return ins.call(target, "tools/call", *extra, label=name)


def structured(result: dict[str, Any]) -> dict[str, Any]:
    if result.get("isError"):
        raise RuntimeError(result["content"][0]["text"])
    return result["structuredContent"]  # type: ignore[no-any-return]


def session(ins: Inspector, target: list[str], transport: str) -> None:
    listed, ms = ins.call(target, "tools/list")
    names = sorted(t["name"] for t in listed["tools"])
    every = all(t.get("outputSchema") and t.get("annotations") for t in listed["tools"])
    ins.check(f"{transport} tools/list", len(names) == 9 and every, ms, ", ".join(names))

    conns, ms = tool(ins, target, "list_connections")
    shop = structured(conns)["connections"]
    ins.check(f"{transport} list_connections", shop[0]["name"] == "shop", ms, f"{shop[0]['tables']} tables")

    found, ms = tool(ins, target, "search_schema", connection="shop", query="orders status", limit=3)
    hits = structured(found)
    ins.check(
        f"{transport} search_schema",
        hits["tables"][0]["table"] == "orders" and bool(hits["next_cursor"]),
        ms,
        f"{[t['table'] for t in hits['tables']]} of {hits['total_matches']}",
    )

    table, ms = tool(ins, target, "describe_table", connection="shop", table="orders")
    t = structured(table)
    ins.check(f"{transport} describe_table", t["primary_key"] == ["id"], ms, f"{len(t['columns'])} columns")

    drafted, ms = tool(ins, target, "draft_sql", connection="shop", request="How many orders per status?")
    d = structured(drafted)
    ins.check(f"{transport} draft_sql", d["status"] == "completed" and bool(d["sql"]), ms, f"{d['id']} {d['sql']!r}")

    checked, ms = tool(ins, target, "validate_sql", connection="shop", sql="SELECT statuz FROM orders")
    v = structured(checked)
    ins.check(f"{transport} validate_sql (a typo)", v["status"] == "fail", ms, v["findings"][0]["message"])

    fetched, ms = tool(ins, target, "get_draft", draft_id=d["id"])
    ins.check(f"{transport} get_draft", structured(fetched)["id"] == d["id"], ms, structured(fetched)["review_status"])

    history, ms = tool(ins, target, "list_history", page_size=10)
    h = structured(history)
    ins.check(f"{transport} list_history", h["total"] >= 4, ms, f"{h['total']} drafts")

    pending = next(i for i in h["items"] if i["review_status"] == "pending" and i["requester"] != d["requester"])
    reviewed, ms = tool(ins, target, "review_draft", draft_id=pending["id"], decision="approved", note="inspector")
    if transport == "stdio":
        r = structured(reviewed)
        ins.check(f"{transport} review_draft", r["decision"] == "approved", ms, f"{pending['id']} by {r['reviewer']}")
    else:
        text = reviewed["content"][0]["text"]
        ins.check(
            f"{transport} review_draft (no review scope)", reviewed.get("isError") and "'review'" in text, ms, text
        )

    own, ms = tool(ins, target, "review_draft", draft_id=d["id"], decision="approved")
    text = own["content"][0]["text"]
    ins.check(f"{transport} review_draft (own draft)", bool(own.get("isError")), ms, text[:90])

    refreshed, ms = tool(ins, target, "refresh_snapshot", connection="shop")
    ins.check(f"{transport} refresh_snapshot", structured(refreshed)["status"] == "unchanged", ms, "unchanged")

    wrong, ms = tool(ins, target, "describe_table", connection="shop", table="order")
    text = wrong["content"][0]["text"]
    ins.check(f"{transport} describe_table (no such table)", bool(wrong.get("isError")), ms, text)

    templates, ms = ins.call(target, "resources/templates/list")
    uris = [t["uriTemplate"] for t in templates["resourceTemplates"]]
    ins.check(f"{transport} resources/templates/list", len(uris) == 4, ms, ", ".join(uris))

    read, ms = ins.call(target, "resources/read", "--uri", "sqldraft://connections/shop/schema.md")
    md = read["contents"][0]["text"]
    ins.check(f"{transport} resources/read schema.md", "CREATE TABLE orders" in md, ms, f"{len(md)} characters")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="0.15.0", help="the Inspector release (default 0.15.0, for Node 20)")
    parser.add_argument(
        "--prefix",
        type=Path,
        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sqldraft" / "inspector",
    )
    args = parser.parse_args()
    if shutil.which("npm") is None:
        print("npm is not installed: install Node.js and npm, then run this again", file=sys.stderr)
        return 2
    prefix = args.prefix / args.version
    executable = prefix / "node_modules" / ".bin" / "mcp-inspector"
    if not executable.exists():
        subprocess.run(
            ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--loglevel=error",
             f"@modelcontextprotocol/inspector@{args.version}"],
            check=True,
        )  # fmt: skip
    with tempfile.TemporaryDirectory() as work:
        data = Path(work) / "data"
        env = {"SQLDRAFT_DATA_DIR": str(data), "SQLDRAFT_GENERATOR": "offline", "HOME": os.environ.get("HOME", work)}
        subprocess.run([str(BIN / "sqldraft"), "demo"], env=os.environ | env, check=True, capture_output=True)
        env["SQLDRAFT_STORE_URL"] = f"sqlite:///{data / 'demo' / 'store.db'}"
        ins = Inspector(executable, env)
        print(f"MCP Inspector {args.version}, node {subprocess.check_output(['node', '--version'], text=True).strip()}")
        session(ins, [str(BIN / "sqldraft-mcp"), "--allow-review"], "stdio")
        with mcp_http_server(env, "--allow-anonymous-local") as url:
            session(ins, ["http", url, "--transport", "http"], "http")
    print(f"{ins.failures} failure(s)")
    return 1 if ins.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
