"""Search recall on Spider: what ``search_schema`` (the MCP tool) returns, top 5 and top 10.

Every Spider dev database is a schema of one PostgreSQL database (~870 tables, see bench/spider.py). Each
question goes through the search verb (core/services/schema_search.search_tables, what Copilot.search_schema
and the MCP tool call) over the snapshot's retrieval index. A question counts as recalled at k when every
table of its gold query is on the first page of k tables; "any" counts questions with at least one.

python bench/search_recall_bench.py [--rebuild] [--misses N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import header
from bench.retrieval_bench import gold_tables, spider_model
from bench.spider import load_questions
from core.generation.retrieval import RetrievalIndex
from core.services.schema_search import search_tables


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--misses", type=int, default=0)
    args = ap.parse_args()
    model = spider_model(args.rebuild)
    questions = load_questions()
    index = RetrievalIndex.build(model)
    print(header(f"search_schema recall on Spider dev, {len(model.tables)} tables in one PostgreSQL database"))
    print(f"{len(questions)} questions, each through the search verb (limit 5 and limit 10, first page).\n")
    hits = {5: 0, 10: 0}
    any10 = 0
    times: list[float] = []
    misses = []
    for q in questions:
        gold = gold_tables(q)
        for k in (5, 10):
            t0 = time.perf_counter()
            page, _ = search_tables(index, q["question"], limit=k, offset=0)
            times.append((time.perf_counter() - t0) * 1000)
            got = {t.key for t, _, _ in page}
            hits[k] += gold <= got
            if k == 10:
                any10 += bool(gold & got)
                if not gold <= got and len(misses) < args.misses:
                    misses.append((q["question"], sorted(gold - got), [t.key for t, _, _ in page[:5]]))
    n = len(questions)
    print("| search | recall@5 (all gold tables) | recall@10 (all gold tables) | any gold table @10 | mean ms |")
    print("|---|---|---|---|---|")
    print(
        f"| search_schema | **{hits[5] / n:.3f}** | **{hits[10] / n:.3f}** | {any10 / n:.3f} "
        f"| {statistics.mean(times):.2f} |"
    )
    for question, missing, top in misses:
        print(f"- missed {missing} for {question!r}; top: {top}")


if __name__ == "__main__":
    main()
