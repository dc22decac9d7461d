"""`sqldraft demo`: the whole product on a bundled sample database, with nothing to configure."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

from core.bootstrap import build_copilot
from core.demo import create_sample_database
from core.services.history import HistoryQuery
from core.settings import Settings
from core.textfmt import render_draft, render_validation, table

if TYPE_CHECKING:
    from core.cli import Context

CONNECTION = "shop"
REVIEWER = "cli:demo-reviewer"
SAMPLE_REQUESTS = (
    "How many orders per status?",
    "Latest 5 orders with status paid",
    "Top 3 customers by total amount",
)


def demo_settings(base: Settings) -> Settings:
    """The embedded defaults in a demo folder of their own: SQLite store, no key, offline generator."""
    demo_dir = base.data_dir / "demo"
    return Settings(
        data_dir=base.data_dir, store_url=f"sqlite:///{demo_dir / 'store.db'}", secret_key=None, generator="offline"
    )


def run_demo(ctx: Context) -> int:
    settings = demo_settings(ctx.settings)
    demo_dir = settings.data_dir / "demo"
    if demo_dir.exists():
        shutil.rmtree(demo_dir)
    database = create_sample_database(demo_dir / "shop.db")
    copilot = build_copilot(settings)
    report: dict[str, Any] = {"store": copilot.store.display_url(), "database": str(database)}
    lines = [
        "sqldraft demo: a small shop database, an embedded store, no network.",
        f"  sample database  {database}",
        f"  demo store       {copilot.store.display_url()}",
        "",
    ]
    try:
        profile = copilot.add_connection(CONNECTION, f"sqlite:///{database}")
        lines.append(f"1. registered connection {profile.name!r} ({profile.dialect.value})")
        result = copilot.refresh_snapshot(CONNECTION)
        assert result is not None and result.snapshot is not None
        _, schema = copilot.current_schema(CONNECTION)
        report["snapshot"] = result.to_dict()
        lines.append(
            f"2. snapshot #{result.snapshot.id}: {len(schema.tables)} tables and views, "
            f"checksum {result.snapshot.checksum[:16]}, {result.duration_ms} ms"
        )
        for t in sorted(schema.tables, key=lambda t: t.name):
            fks = ", ".join(f"{'/'.join(fk.columns)} -> {fk.ref_table}" for fk in t.foreign_keys)
            rows = f"{t.row_estimate} rows" if t.row_estimate is not None else t.kind.value
            lines.append(f"   {t.name:<22} {len(t.columns):>2} columns  {rows:<10} {t.comment or ''}")
            if fks:
                lines.append(f"   {'':<22} references {fks}")
        again = copilot.refresh_snapshot(CONNECTION)
        assert again is not None
        lines.append(f"3. refreshed again: {again.status} (a new snapshot is stored only when the checksum changes)")
        report["refresh_again"] = again.status
        report["drafts"] = []
        lines.append("4. drafted three requests with the offline generator (no model, no network):")
        for request in SAMPLE_REQUESTS:
            draft = copilot.draft(CONNECTION, request, requester="cli:demo")
            report["drafts"].append(draft.to_dict())
            lines += ["", render_draft(draft, copilot.clock())]
        approved, edited = report["drafts"][0], report["drafts"][1]
        decision = copilot.review(approved["id"], "approve", REVIEWER, note="matches the dashboard")
        lines += ["", f"5. {REVIEWER} approved draft {decision.draft_id}; it is now an example for later prompts"]
        final = (
            edited["generated_script"]
            .replace("LIMIT 5", "LIMIT 10")
            .replace("t.total_amount", "t.total_amount,\n  t.customer_id AS buyer")
        )
        change = copilot.review(edited["id"], "edit", REVIEWER, final_script=final, note="ten rows, and the buyer")
        report["edit"] = change.to_dict()
        lines += [
            f"6. {REVIEWER} edited draft {change.draft_id}; the diff (generated.sql -> final.sql):",
            "",
            change.diff.rstrip() if change.diff else "",
            "",
        ]
        if change.validation:
            from core.validation.model import Validation

            lines.append(
                "   the final script, re-validated: "
                + render_validation(Validation.from_dict(change.validation)).splitlines()[0]
            )
        page = copilot.history(HistoryQuery(page_size=10))
        report["history"] = page.to_dict()
        lines += ["", "7. history:"]
        lines += [
            "   " + line
            for line in table(
                [
                    [r.id, r.latest_status, r.review_status, r.reviewed_by or "-", r.lint_status or "-", r.request]
                    for r in page.items
                ],
                ["id", "status", "review", "reviewed by", "lint", "request"],
            ).splitlines()
        ]
        lines += [
            "",
            "Explore the demo store:",
            f"  export SQLDRAFT_STORE_URL=sqlite:///{demo_dir / 'store.db'}",
            "  sqldraft history                 # every draft; sqldraft history ID for one with its trail",
            "  sqldraft snapshot show shop --tables",
            "  sqldraft examples list           # the approved and edited drafts, now examples",
            "  sqldraft-mcp                     # the same, as MCP tools for an AI assistant (docs/mcp.md)",
        ]
    finally:
        copilot.close()
    ctx.emit(report, "\n".join(lines))
    return 0
