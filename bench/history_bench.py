"""History list speed with 100,000 drafts in the store (SQLite and PostgreSQL).

Page 1 for every filter with every sort key and order; deep pages; text search.

python bench/history_bench.py [--drafts 100000] [--stores sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import header, pg_recreate, sa_url
from core.services.history import HistoryFilters, HistoryQuery, history_page
from core.store import Store
from core.store.models import ConnectionRow, DraftRow

WORDS = (
    "orders customers revenue refunds weekly monthly churn active users invoices payments per country "
    "status latest top by region product category signups trial conversion"
).split()


def populate(store: Store, n: int, seed: int = 3) -> None:
    rnd = random.Random(seed)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with store.uow() as uow:
        conns = []
        for name in ("analytics", "billing", "crm"):
            row = ConnectionRow(
                name=name,
                dialect="postgresql",
                url=f"postgresql+psycopg://r@h/{name}",
                options={},
                created_at=now,
                updated_at=now,
            )
            uow.session.add(row)
            uow.session.flush()
            conns.append((row.id, name))
        uow.commit()
    statuses = (
        ["completed"] * 80 + ["failed"] * 8 + ["clarification_needed"] * 7 + ["canceled"] * 3 + ["queued", "running"]
    )
    batch = []
    for i in range(n):
        conn_id, conn_name = rnd.choice(conns)
        status = rnd.choice(statuses)
        created = now - timedelta(seconds=rnd.randrange(365 * 86400))
        review = (
            rnd.choice(["pending"] * 5 + ["approved"] * 3 + ["rejected", "edited"])
            if status == "completed"
            else "pending"
        )
        reviewed = created + timedelta(minutes=rnd.randrange(1, 3000)) if review != "pending" else None
        lint = rnd.choice(["pass"] * 6 + ["warn"] * 3 + ["fail"]) if status == "completed" else None
        risk = rnd.choice(["none"] * 6 + ["low", "medium", "medium", "high", "critical"]) if lint else None
        batch.append(
            {
                "id": f"d{i:09d}",
                "connection_id": conn_id,
                "connection_name": conn_name,
                "snapshot_id": 1,
                "request_text": (text := " ".join(rnd.choice(WORDS) for _ in range(rnd.randrange(4, 12)))),
                "request_search": text.lower(),
                "mode": "query",
                "requester": f"slack:U{rnd.randrange(60):04d}",
                "status": status,
                "generator": "llm",
                "attempt_count": rnd.randrange(1, 4),
                "created_at": created,
                "updated_at": created,
                "error_message": "timeout" if status == "failed" else None,
                "lint_status": lint,
                "risk_level": risk,
                "risk_count": rnd.randrange(0, 4) if lint else 0,
                "review_status": review,
                "reviewed_by": "slack:U0001" if reviewed else None,
                "last_reviewed_at": reviewed,
                "has_final_script": review == "edited",
                "assumptions": [],
                "plan_steps": [],
                "risks": [],
                "impacted_objects": [],
                "unresolved_questions": [],
                "references": {},
                "prompt_tokens": 0,
                "completion_tokens": 0,
                "llm_latency_ms": 0,
            }
        )
        if len(batch) == 5000:
            with store.uow() as uow:
                uow.session.execute(insert(DraftRow), batch)
                uow.commit()
            batch = []
    if batch:
        with store.uow() as uow:
            uow.session.execute(insert(DraftRow), batch)
            uow.commit()
    if store.backend == "postgresql":
        # the state autovacuum keeps a live table in: statistics and a current visibility map
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE) drafts")
    else:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


FILTERS = {
    "none": HistoryFilters(),
    "connection": HistoryFilters(connection="billing"),
    "requester": HistoryFilters(requester="slack:U0007"),
    "status": HistoryFilters(status="failed"),
    "review status": HistoryFilters(review_status="approved"),
    "lint status": HistoryFilters(lint_status="fail"),
    "risk level": HistoryFilters(risk_level="critical"),
    "has final script": HistoryFilters(has_final_script=True),
    "created between": HistoryFilters(
        created_from=datetime(2026, 3, 1, tzinfo=UTC), created_to=datetime(2026, 4, 1, tzinfo=UTC)
    ),
    "text": HistoryFilters(text="churn"),
    "connection + review + risk": HistoryFilters(connection="crm", review_status="pending", risk_level="medium"),
}


def timed_page(store: Store, query: HistoryQuery, repeat: int = 3) -> float:
    best = []
    for _ in range(repeat):
        with store.session() as session:
            start = time.perf_counter()
            history_page(session, query)
            best.append((time.perf_counter() - start) * 1000)
    return statistics.median(best)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--drafts", type=int, default=100_000)
    ap.add_argument("--stores", default="sqlite,postgresql")
    args = ap.parse_args()
    print(header(f"History with {args.drafts:,} drafts"))
    for backend in args.stores.split(","):
        if backend == "sqlite":
            url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'history.db'}"
        else:
            url = sa_url(pg_recreate("sqldraft_bench_history"))
        store = Store(url)
        store.upgrade()
        start = time.perf_counter()
        populate(store, args.drafts)
        load = time.perf_counter() - start
        rows = []
        worst = (0.0, "")
        for fname, filters in FILTERS.items():
            cells = []
            for sort in ("created_at", "last_reviewed_at", "risk_count"):
                for order in ("desc", "asc"):
                    ms = timed_page(store, HistoryQuery(filters=filters, sort=sort, order=order, page=1, page_size=20))
                    cells.append(ms)
                    if ms > worst[0]:
                        worst = (ms, f"{fname}, {sort} {order}")
            rows.append((fname, max(cells), statistics.median(cells)))
        deep = {}
        for label, page in (("page 100", 100), ("page 1,000", 1000), ("last page", args.drafts // 20)):
            deep[label] = max(
                timed_page(store, HistoryQuery(sort=s, order=o, page=page, page_size=20))
                for s in ("created_at", "last_reviewed_at", "risk_count")
                for o in ("desc", "asc")
            )
        name = "SQLite" if backend == "sqlite" else "PostgreSQL"
        print(f"\n### {name} store ({load:.0f} s to load)\n")
        print("| filter | page 1, slowest of 6 sort/order combinations | median |")
        print("|---|---|---|")
        for fname, mx, med in rows:
            print(f"| {fname} | {mx:.1f} ms | {med:.1f} ms |")
        print(f"\nslowest page 1 overall: **{worst[0]:.1f} ms** ({worst[1]}); target 50 ms\n")
        print("| deep page (no filter), slowest of 6 sort/order combinations | time |")
        print("|---|---|")
        for label, ms in deep.items():
            print(f"| {label} | {ms:.1f} ms |")
        store.dispose()


if __name__ == "__main__":
    main()
