"""History: filters, sorting, pages, detail, export, and bad input."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from core.errors import InvalidInput
from core.services.history import HistoryFilters, HistoryQuery
from core.store.models import DraftRow


@pytest.fixture
def populated(offline_shop):
    """Six drafts with known states: 2 approved, 1 edited, 1 rejected, 1 clarification, 1 pending."""
    ids = {}
    for name, request, who in [
        ("a", "How many orders per status?", "cli:ada"),
        ("b", "Latest 5 orders with status paid", "cli:ada"),
        ("c", "Top 3 customers by total amount", "cli:bob"),
        ("d", "How many customers are there?", "cli:bob"),
        ("e", "Why did revenue drop?", "cli:ada"),
        ("f", "latest 10 payments", "cli:carol"),
    ]:
        ids[name] = offline_shop.draft("shop", request, requester=who).id
    offline_shop.review(ids["a"], "approve", "cli:zed")
    offline_shop.review(ids["d"], "approve", "cli:zed")
    b = offline_shop.get_draft(ids["b"])
    offline_shop.review(ids["b"], "edit", "cli:zed", final_script=b.generated_script.replace("LIMIT 5", "LIMIT 9"))
    offline_shop.review(ids["c"], "reject", "cli:zed", note="use the view")
    base = datetime(2026, 1, 1, tzinfo=UTC)
    with offline_shop.store.uow() as uow:
        for i, name in enumerate("abcdef"):
            uow.session.execute(
                update(DraftRow)
                .where(DraftRow.id == ids[name])
                .values(created_at=base + timedelta(days=i), risk_count=i % 3)
            )
        uow.commit()
    return ids


def _ids(page, ids):
    names = {v: k for k, v in ids.items()}
    return [names[r.id] for r in page.items]


def q(**kw):
    sort = kw.pop("sort", "created_at")
    order = kw.pop("order", "desc")
    page = kw.pop("page", 1)
    size = kw.pop("page_size", 20)
    return HistoryQuery(filters=HistoryFilters(**kw), sort=sort, order=order, page=page, page_size=size)


def test_every_filter_narrows_the_list(offline_shop, populated):
    h = offline_shop.history
    assert _ids(h(q()), populated) == list("fedcba")
    assert _ids(h(q(requester="cli:ada")), populated) == ["e", "b", "a"]
    assert _ids(h(q(status="clarification_needed")), populated) == ["e"]
    assert _ids(h(q(review_status="approved")), populated) == ["d", "a"]
    assert _ids(h(q(review_status="pending")), populated) == ["f", "e"]
    assert _ids(h(q(lint_status="pass")), populated) == list("fdcba")
    assert _ids(h(q(risk_level="none")), populated) == list("fdcba")
    assert _ids(h(q(has_final_script=True)), populated) == ["b"]
    assert _ids(h(q(has_final_script=False)), populated) == list("fedca")
    day = datetime(2026, 1, 1, tzinfo=UTC)
    assert _ids(h(q(created_from=day + timedelta(days=2), created_to=day + timedelta(days=3))), populated) == ["d", "c"]
    assert _ids(h(q(text="ORDERS")), populated) == ["b", "a"]
    assert _ids(h(q(connection="shop", review_status="rejected")), populated) == ["c"]
    assert h(q(text="100%_")).total == 0  # wildcards in the text are literal


def test_sorting_and_pages(offline_shop, populated):
    h = offline_shop.history
    assert _ids(h(q(order="asc")), populated) == list("abcdef")
    assert _ids(h(q(sort="risk_count")), populated) == ["f", "c", "e", "b", "d", "a"]
    # undecided drafts sort as the oldest: first going up, last going down
    assert _ids(h(q(sort="last_reviewed_at", order="asc")), populated) == ["e", "f", "a", "d", "b", "c"]
    assert _ids(h(q(sort="last_reviewed_at", order="desc")), populated) == ["c", "b", "d", "a", "f", "e"]
    page2 = h(q(page=2, page_size=4))
    assert _ids(page2, populated) == ["b", "a"] and page2.total == 6 and page2.pages == 2
    row = h(q(review_status="approved")).items[0]
    assert (row.latest_status, row.attempt_count, row.lint_status, row.review_status) == (
        "completed",
        1,
        "pass",
        "approved",
    )
    assert row.last_reviewed_at is not None and row.has_final_script is False and row.last_error_message is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (q(page=0), "pages start at 1"),
        (q(page_size=0), "use 1 to 100"),
        (q(page_size=101), "use 1 to 100"),
        (q(sort="request"), "unknown sort key 'request'"),
        (q(order="up"), "unknown order 'up'"),
        (q(status="done"), "status 'done' is not one of its values: queued, running"),
        (q(review_status="ok"), "review status 'ok' is not one of its values"),
        (q(lint_status="red"), "lint status 'red' is not one of its values: pass, warn, fail"),
        (q(risk_level="extreme"), "risk level 'extreme' is not one of its values"),
        (q(connection="ghost"), "unknown connection 'ghost'"),
    ],
)
def test_bad_history_input_is_a_clear_error(offline_shop, populated, query, message):
    with pytest.raises(Exception, match=message) as info:
        offline_shop.history(query)
    assert isinstance(info.value, (InvalidInput, __import__("core.errors").errors.NotFound))


def test_the_detail_view_has_the_draft_attempts_trail_and_events(offline_shop, populated):
    detail = offline_shop.history_detail(populated["b"])
    assert detail["draft"]["review"]["status"] == "edited"
    assert len(detail["draft"]["attempts"]) == 1
    assert [r["decision"] for r in detail["reviews"]] == ["edited"] and "+LIMIT 9" in detail["reviews"][0]["diff"]
    kinds = [e["kind"] for e in detail["events"]]
    assert kinds[:3] == ["draft.created", "draft.attempt", "draft.completed"] and "review.edited" in kinds


def test_export_to_jsonl_and_csv(offline_shop, populated):
    lines = list(offline_shop.export_history(q(review_status="approved", order="asc"), "jsonl"))
    rows = [json.loads(line) for line in lines]
    assert [r["id"] for r in rows] == [populated["a"], populated["d"]] and rows[0]["review_status"] == "approved"
    text = "".join(offline_shop.export_history(q(), "csv"))
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert len(parsed) == 6 and parsed[0]["id"] == populated["f"] and "has_final_script" in parsed[0]
    with pytest.raises(InvalidInput, match="use jsonl or csv"):
        list(offline_shop.export_history(q(), "xml"))


def test_history_on_a_postgresql_store_sorts_and_searches_the_same_way(pg_store_url, tmp_path, secret_key):
    from core.bootstrap import build_copilot
    from core.demo import create_sample_database
    from tests.conftest import make_settings

    copilot = build_copilot(make_settings(pg_store_url, secret_key, tmp_path, generator="offline"))
    db = create_sample_database(tmp_path / "pgshop.db")
    copilot.add_connection("shop", f"sqlite:///{db}")
    copilot.refresh_snapshot("shop")
    a = copilot.draft("shop", "How many ORDERS per status?", requester="cli:ada").id
    b = copilot.draft("shop", "latest 10 payments", requester="cli:ada").id
    c = copilot.draft("shop", "How many customers are there?", requester="cli:ada").id
    copilot.review(c, "approve", "cli:bob")
    copilot.review(a, "approve", "cli:bob")
    desc_ids = [r.id for r in copilot.history(q(sort="last_reviewed_at", order="desc")).items]
    asc_ids = [r.id for r in copilot.history(q(sort="last_reviewed_at", order="asc")).items]
    assert desc_ids == [a, c, b] and asc_ids == [b, c, a]
    assert [r.id for r in copilot.history(q(text="orders")).items] == [a]
    copilot.close()


def test_upgrading_a_store_with_drafts_keeps_them_searchable(tmp_path, secret_key):
    from alembic import command

    from core.bootstrap import build_copilot
    from core.store import Store
    from core.store.db import _alembic_config
    from tests.conftest import make_settings

    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store(url)
    with store.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0002")
        conn.exec_driver_sql(
            "INSERT INTO connections (name, dialect, url, options, created_at, updated_at) VALUES "
            "('old', 'sqlite', 'sqlite:///x.db', '{}', '2026-01-01', '2026-01-01')"
        )
        conn.exec_driver_sql(
            "INSERT INTO drafts (id, connection_id, connection_name, request_text, mode, requester, status, generator,"
            " attempt_count, created_at, updated_at, assumptions, plan_steps, risks, impacted_objects, "
            'unresolved_questions, "references", risk_count, prompt_tokens, completion_tokens, llm_latency_ms) '
            "VALUES ('dabcdefghi', 1, 'old', 'Weekly Churn', 'query', 'cli:ada', 'completed', 'llm', 1, '2026-01-02',"
            " '2026-01-02', '[]', '[]', '[]', '[]', '[]', '{}', 0, 0, 0, 0)"
        )
    store.upgrade()
    store.dispose()
    copilot = build_copilot(make_settings(url, secret_key, tmp_path))
    page = copilot.history(q(text="churn"))
    assert [r.id for r in page.items] == ["dabcdefghi"] and page.items[0].review_status == "pending"
    copilot.close()
