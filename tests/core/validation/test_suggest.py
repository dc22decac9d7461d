"""Did-you-mean gives difflib's answer, whatever the number of candidates."""

from __future__ import annotations

import difflib
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from core.validation.suggest import suggest


def _difflib(name: str, candidates: list[str], limit: int = 3) -> list[str]:
    lowered = {c.lower(): c for c in candidates}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=limit, cutoff=0.6)
    if not hits:
        hits = [c for c in lowered if name.lower() in c or c in name.lower()][:limit]
    return [lowered[h] for h in hits]


WIDE = [f"t{i:05d}" for i in range(2000)] + ["customers", "Customer_Orders", "payment", "payment_p2007_01", "film"]
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789T", min_size=1, max_size=24)


def test_a_misspelt_table_among_two_thousand_gets_the_same_names_as_difflib() -> None:
    rnd = random.Random(3)
    probes = ["custmers", "customer_order", "paymnt", "t0004", "t01999x", "flm", "zzzz", "t1234", "payment_p2007"]
    probes += [rnd.choice(WIDE)[: rnd.randint(2, 8)] + rnd.choice("xyz") for _ in range(200)]
    for probe in probes:
        assert suggest(probe, WIDE) == _difflib(probe, WIDE), probe


@settings(max_examples=300, deadline=None)
@given(name=WORDS, extra=st.lists(WORDS, min_size=0, max_size=80))
def test_any_name_gets_the_same_suggestions_as_difflib(name: str, extra: list[str]) -> None:
    candidates = WIDE[:100] + extra
    assert suggest(name, candidates) == _difflib(name, candidates)
