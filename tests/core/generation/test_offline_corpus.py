"""The offline generator on a corpus over the demo shop and a sakila-like database, checked on real rows.

Each answered request's SQL and the expected SQL run on the same SQLite database; the rows must agree.
A request the corpus expects declined must come back ``clarification_needed`` with what it understood.
Wrong answers must be 0; the tally (correct / declined / wrong) is printed.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from tests.core.generation.sakila import create_sakila

CORPUS = yaml.safe_load((Path(__file__).with_name("offline_corpus.yaml")).read_text(encoding="utf-8"))
CASES = [(db, case["request"], case["expect"]) for db, cases in CORPUS.items() for case in cases]
TALLY: Counter[str] = Counter()


@pytest.fixture(scope="module")
def corpus_copilot(tmp_path_factory):
    from core.bootstrap import build_copilot
    from core.demo import create_sample_database
    from core.settings import Settings

    folder = tmp_path_factory.mktemp("corpus")
    dbs = {"shop": create_sample_database(folder / "shop.db"), "sakila": create_sakila(folder / "sakila.db")}
    copilot = build_copilot(
        Settings(data_dir=folder, store_url=f"sqlite:///{folder / 'store.db'}", generator="offline", secret_key=None)
    )
    for name, path in dbs.items():
        copilot.add_connection(name, f"sqlite:///{path}")
        copilot.refresh_snapshot(name)
    yield copilot, dbs
    copilot.close()
    print(f"\noffline corpus: {TALLY['correct']} correct, {TALLY['declined']} declined, {TALLY['wrong']} wrong")


def _norm(value: object) -> object:
    if isinstance(value, float | Decimal):
        return round(float(value), 6)
    return value


def _run(path: Path, sql: str) -> tuple[list[str], list[tuple[object, ...]]]:
    with sqlite3.connect(path) as conn:
        cur = conn.execute(sql)
        return [d[0] for d in cur.description], [tuple(_norm(v) for v in row) for row in cur.fetchall()]


def same_rows(got_sql: str, expected_sql: str, path: Path) -> bool:
    """True when every expected column appears among the generated ones with the same values, row for row."""
    _, got = _run(path, got_sql)
    _, want = _run(path, expected_sql)
    if len(got) != len(want):
        return False
    ordered = "order by" in expected_sql.lower() and "limit" in expected_sql.lower()
    if not want:
        return True
    width = len(want[0])
    columns_got = [[row[k] for row in got] for k in range(len(got[0]))]
    mapping = []
    for j in range(width):
        column = [row[j] for row in want]
        key = (lambda c: c) if ordered else (lambda c: sorted(c, key=repr))
        match = next((k for k, g in enumerate(columns_got) if key(g) == key(column) and k not in mapping), None)
        if match is None:
            return False
        mapping.append(match)
    projected = [tuple(row[k] for k in mapping) for row in got]
    return projected == want if ordered else sorted(projected, key=repr) == sorted(want, key=repr)


@pytest.mark.parametrize(("db", "request_text", "expect"), CASES, ids=[f"{d}: {r}" for d, r, _ in CASES])
def test_the_offline_generator_answers_exactly_or_declines(corpus_copilot, db, request_text, expect):
    copilot, dbs = corpus_copilot
    draft = copilot.draft(db, request_text, requester="cli:corpus")
    if draft.status.value == "clarification_needed":
        TALLY["declined"] += 1
        assert draft.unresolved_questions and draft.confidence == 0.0
        assert expect == "declines", f"declined: {draft.unresolved_questions[0]}"
        return
    assert draft.status.value == "completed", draft.error_message
    script = draft.generated_script or ""
    correct = expect != "declines" and same_rows(script, expect, dbs[db])
    TALLY["correct" if correct else "wrong"] += 1
    assert correct, f"wrong answer:\n{script}"
    assert draft.lint_status in ("pass", "warn") and 0.6 <= (draft.confidence or 0) < 1
    assert draft.explanation.startswith("Drafted by the offline generator")


def test_the_corpus_is_large_enough_and_has_both_kinds():
    answered = [c for c in CASES if c[2] != "declines"]
    assert len(CASES) >= 60 and len(answered) >= 30 and len(CASES) - len(answered) >= 20
