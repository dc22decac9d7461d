"""`sqldraft demo`: the whole product on a bundled sample database, with nothing to configure."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from core.bootstrap import build_copilot
from core.demo import create_sample_database
from core.domain.connections import ConnectionProfile
from core.domain.drafts import Draft
from core.domain.history import HistoryPage, HistoryQuery
from core.domain.review import ReviewRecord
from core.domain.schema import Table
from core.domain.snapshots import RefreshResult
from core.settings import Settings

CONNECTION = "shop"
REVIEWER = "cli:demo-reviewer"
SAMPLE_REQUESTS = (
    "How many orders per status?",
    "Latest 5 orders with status paid",
    "Top 3 customers by total amount",
)


@dataclass(frozen=True)
class DemoReport:
    """What the demo did, step by step, for an adapter to render."""

    store: str
    database: Path
    demo_dir: Path
    connection: ConnectionProfile
    snapshot: RefreshResult
    tables: list[Table]
    refresh_again: RefreshResult
    drafts: list[Draft]
    approved: ReviewRecord
    edited: ReviewRecord
    """The edit, with its diff (generated.sql -> final.sql) and the final script's validation."""
    history: HistoryPage
    now: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "database": str(self.database),
            "snapshot": self.snapshot.to_dict(),
            "refresh_again": self.refresh_again.status,
            "drafts": [d.to_dict() for d in self.drafts],
            "edit": self.edited.to_dict(),
            "history": self.history.to_dict(),
        }


def demo_settings(base: Settings) -> Settings:
    """The embedded defaults in a demo folder of their own: SQLite store, no key, offline generator."""
    demo_dir = base.data_dir / "demo"
    return Settings(
        data_dir=base.data_dir, store_url=f"sqlite:///{demo_dir / 'store.db'}", secret_key=None, generator="offline"
    )


def run_demo(base: Settings) -> DemoReport:
    """Recreate the demo folder, then register, snapshot, draft, review and list, as a user would."""
    settings = demo_settings(base)
    demo_dir = settings.data_dir / "demo"
    if demo_dir.exists():
        shutil.rmtree(demo_dir)
    database = create_sample_database(demo_dir / "shop.db")
    copilot = build_copilot(settings)
    try:
        profile = copilot.add_connection(CONNECTION, f"sqlite:///{database}")
        first = copilot.refresh_snapshot(CONNECTION)
        _, schema = copilot.current_schema(CONNECTION)
        again = copilot.refresh_snapshot(CONNECTION)
        drafts = [copilot.draft(CONNECTION, request, requester="cli:demo") for request in SAMPLE_REQUESTS]
        approved = copilot.review(drafts[0].id, "approve", REVIEWER, note="matches the dashboard")
        final = (
            (drafts[1].generated_script or "")
            .replace("LIMIT 5", "LIMIT 10")
            .replace("t.total_amount", "t.total_amount,\n  t.customer_id AS buyer")
        )
        edited = copilot.review(drafts[1].id, "edit", REVIEWER, final_script=final, note="ten rows, and the buyer")
        return DemoReport(
            store=copilot.store.display_url(),
            database=database,
            demo_dir=demo_dir,
            connection=profile,
            snapshot=first,
            tables=sorted(schema.tables, key=lambda t: t.name),
            refresh_again=again,
            drafts=drafts,
            approved=approved,
            edited=edited,
            history=copilot.history(HistoryQuery(page_size=10)),
            now=copilot.clock(),
        )
    finally:
        copilot.close()
