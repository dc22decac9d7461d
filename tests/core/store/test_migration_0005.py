"""Migration 0005 keeps examples that broke the example rule, marked rejected-by-policy, not deleted."""

from alembic import command
from sqlalchemy import select, update

from core.bootstrap import build_copilot
from core.store.db import _alembic_config
from core.store.models import ExampleRow
from tests.conftest import make_settings


def test_existing_bad_examples_are_marked_rejected_by_policy(store_url, tmp_path, secret_key):
    from core.demo import create_sample_database

    db = create_sample_database(tmp_path / "shop.db")
    copilot = build_copilot(make_settings(store_url, secret_key, tmp_path, generator="offline"))
    copilot.add_connection("shop", f"sqlite:///{db}")
    copilot.refresh_snapshot("shop")
    good = copilot.submit_sql("shop", "SELECT id FROM orders", requester="cli:ada")
    failing = copilot.submit_sql("shop", "SELECT SUM(p.amont) FROM payments p", requester="cli:ada")
    writing = copilot.submit_sql("shop", "DELETE FROM orders", requester="cli:ada")
    edited = copilot.submit_sql("shop", "SELECT id FROM orders WHERE id = 1", requester="cli:ada")
    copilot.review(good.id, "approve", "cli:bob")
    copilot.review(failing.id, "approve", "cli:bob", override=True, note="x")
    copilot.review(edited.id, "edit", "cli:bob", final_script="SELECT nope FROM orders", allow_invalid=True, note="x")
    with copilot.store.uow() as uow:  # the approved DELETE of the issue: an example made before 0005's rule
        from core.store.models import DraftRow

        row = uow.session.get(DraftRow, writing.id)
        uow.session.add(ExampleRow(connection_id=row.connection_id, draft_id=row.id, request_text=row.request_text,
                          sql_text=row.generated_script, mode="query", tables=["orders"], status="active",
                          negative=False, created_by="cli:bob", created_at=row.created_at))  # fmt: skip
        uow.session.execute(update(ExampleRow).values(status="active", status_reason=None))  # as before 0005
        uow.commit()
    with copilot.store.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0004")
    with copilot.store.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    with copilot.store.session() as s:
        status = {r.draft_id: (r.status, r.status_reason) for r in s.scalars(select(ExampleRow))}
    assert status[good.id] == ("active", None)
    for bad in (failing.id, writing.id, edited.id):
        assert status[bad][0] == "rejected-by-policy"
        assert "failed validation" in status[bad][1]
    events = copilot.events(kind="example.rejected", limit=1000)
    assert {e.draft_id for e in events if e.detail.get("by") == "migration 0005"} == {failing.id, writing.id, edited.id}
    assert [e.draft_id for e in copilot.list_examples("shop")] == [good.id]
    copilot.close()
