"""The offline generator on the demo shop database: deterministic SQL that validates, or a question."""

import pytest

REQUESTS = {
    "How many orders per status?": ("GROUP BY", "o.status", "FROM orders AS o"),
    "Latest 5 orders with status paid": ("o.status = 'paid'", "LIMIT 5"),
    "Top 3 customers by total amount": ("SUM(o.total_amount)", "FROM customers AS c", "JOIN orders AS o", "LIMIT 3"),
    "How many customers are there?": ("COUNT(*)", "FROM customers"),
    "List products in category games": ("p.category = 'games'", "LIMIT 100"),
    "latest 10 payments": ("ORDER BY", "p.paid_at DESC"),
}


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    from core.bootstrap import build_copilot
    from core.demo import create_sample_database
    from core.settings import Settings

    folder = tmp_path_factory.mktemp("offline")
    db = create_sample_database(folder / "shop.db")
    copilot = build_copilot(
        Settings(data_dir=folder, store_url=f"sqlite:///{folder / 'store.db'}", generator="offline", secret_key=None)
    )
    copilot.add_connection("shop", f"sqlite:///{db}")
    copilot.refresh_snapshot("shop")
    yield copilot
    copilot.close()


@pytest.mark.parametrize("request_text", list(REQUESTS))
def test_simple_requests_become_valid_sql(offline, request_text):
    draft = offline.draft("shop", request_text, requester="cli:ada")
    assert draft.status.value == "completed" and draft.lint_status == "pass", draft.validation
    for fragment in REQUESTS[request_text]:
        assert fragment in draft.generated_script
    assert draft.explanation.startswith("Drafted by the offline generator")
    again = offline.draft("shop", request_text, requester="cli:ada")
    assert again.generated_script == draft.generated_script  # deterministic


@pytest.mark.parametrize(
    "request_text", ["Reconcile last quarter's refunds against the ledger", "Why did revenue drop?"]
)
def test_other_requests_ask_a_question(offline, request_text):
    draft = offline.draft("shop", request_text, requester="cli:ada")
    assert draft.status.value == "clarification_needed"
    assert draft.unresolved_questions and draft.explanation.startswith("Drafted by the offline generator")


def test_the_offline_generator_does_not_draft_writes(offline):
    draft = offline.draft("shop", "Mark order 5 as shipped", mode="dml", requester="cli:ada")
    assert draft.status.value == "clarification_needed"
    assert "SQLDRAFT_GENERATOR=llm" in draft.unresolved_questions[0]


@pytest.mark.parametrize(
    ("table", "taken", "expected"),
    [
        ("order_items", set(), "oi"),
        ("OrderItems", set(), "oi"),
        ("orders", {"o"}, "o2"),
        ("on_hold", set(), "oh"),
        ("orders_now", set(), "on2"),
        ("2024_sales", set(), "s"),
    ],
)
def test_aliases_come_from_the_table_name_and_never_clash(table, taken, expected):
    from core.generation.offline import _alias

    assert _alias(table, set(taken)) == expected
