"""Drafting overhead on the 2,000-table wide schema: everything except waiting for the model.

Retrieval, prompt, reply parsing, validation and every store write, measured per draft as the
draft's wall time minus the model latency the draft itself recorded. The model is a scripted
OpenAI-compatible server on loopback (the real openai SDK), answering at once.

python bench/draft_overhead.py [--drafts 200] [--store sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PG_BASE, header, make_wide, percentile, pg_exists, pg_recreate, sa_url
from bench.snapshot_bench import table_count
from core.bootstrap import build_copilot
from core.settings import Settings
from tests.support.fake_llm import FakeLLM


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--drafts", type=int, default=200)
    ap.add_argument("--tables", type=int, default=2000)
    ap.add_argument("--store", default="sqlite", choices=["sqlite", "postgresql"])
    args = ap.parse_args()
    name = f"sqldraft_bench_wide_{args.tables}"
    url = f"{PG_BASE}/{name}"
    if not pg_exists(name) or table_count(sa_url(url)) != args.tables:
        make_wide(pg_recreate(name), args.tables)
    folder = Path(tempfile.mkdtemp(prefix="draft_overhead_"))
    store = (
        f"sqlite:///{folder / 'store.db'}" if args.store == "sqlite" else sa_url(pg_recreate("sqldraft_bench_store"))
    )
    with FakeLLM() as fake:
        settings = Settings(
            data_dir=folder,
            store_url=store,
            secret_key=None,
            generator="llm",
            llm_base_url=fake.url,
            llm_model="fake",
            llm_api_key="bench-key",
        )
        copilot = build_copilot(settings)
        copilot.add_connection("wide", url)
        copilot.refresh_snapshot("wide")
        _, schema = copilot.current_schema("wide")
        rnd = random.Random(5)
        tables = [t for t in schema.tables if t.foreign_keys]
        work = []
        for _ in range(args.drafts + 10):
            t = rnd.choice(tables)
            fk = t.foreign_keys[0]
            col = rnd.choice([c.name for c in t.columns if c.name != "id"])
            request = (
                f"{' '.join(t.name.split('_'))} rows with their {fk.ref_table.replace('_', ' ')} where {col} is set"
            )
            sql = (
                f"SELECT c.id, c.{col}, p.id AS parent_id FROM {t.name} c JOIN {fk.ref_table} p "
                f"ON p.id = c.{fk.columns[0]} WHERE c.{col} IS NOT NULL ORDER BY c.id LIMIT 100"
            )
            work.append((request, sql))
        timings, totals, llm_ms, schema_tokens = [], [], [], []
        for i, (request, sql) in enumerate(work):
            fake.reply(json.dumps({"sql": sql, "explanation": "x", "confidence": 0.8}))
            start = time.perf_counter()
            draft = copilot.draft("wide", request, requester="bench:overhead")
            wall = (time.perf_counter() - start) * 1000
            if i < 10:
                continue  # warm-up: the first draft builds the retrieval index and the validator
            assert draft.status.value == "completed", draft.error_message
            timings.append(wall - draft.llm.latency_ms)
            totals.append(wall)
            llm_ms.append(draft.llm.latency_ms)
            schema_tokens.append(draft.references["schema_tokens"])
        copilot.close()
    print(header(f"Drafting overhead, {args.tables}-table snapshot, {args.store} store"))
    print(
        f"{len(timings)} drafts after 10 warm-up drafts; overhead = draft wall time minus the model latency the "
        "draft recorded.\n"
    )
    print("| measure | result |")
    print("|---|---|")
    print(f"| overhead p50 | {statistics.median(timings):.1f} ms |")
    print(f"| overhead p95 | **{percentile(timings, 95):.1f} ms** |")
    print(f"| overhead max | {max(timings):.1f} ms |")
    print(f"| model latency (loopback fake) p50 | {statistics.median(llm_ms):.1f} ms |")
    print(f"| whole draft p50 | {statistics.median(totals):.1f} ms |")
    print(f"| schema tokens in the prompt, mean | {statistics.mean(schema_tokens):.0f} |")


if __name__ == "__main__":
    main()
