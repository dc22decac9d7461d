"""Did you mean: close names for a name that does not exist.

>>> suggest("custmers", ["customers", "orders", "items"])
['customers']
"""

from __future__ import annotations

import difflib

from rapidfuzz import fuzz, process

CUTOFF = 0.6


def suggest(name: str, candidates: list[str], limit: int = 3) -> list[str]:
    """Close matches, case-insensitively, best first (the same answer as ``difflib.get_close_matches``)."""
    lowered = {c.lower(): c for c in candidates}
    return [lowered[h] for h in close_lowered(name.lower(), list(lowered), limit)]


def close_lowered(wanted: str, lowered: list[str], limit: int = 3) -> list[str]:
    """:func:`suggest` over names already lower-cased (``wanted`` too): no copy of a long list."""
    hits = difflib.get_close_matches(wanted, _near(wanted, lowered), n=limit, cutoff=CUTOFF)
    if not hits:
        hits = [c for c in lowered if wanted in c or c in wanted][:limit]
    return hits


def _near(wanted: str, names: list[str]) -> list[str]:
    """The names difflib could accept, in their order: a superset, found in C.

    difflib's ratio counts the matching blocks it finds, at most the longest common subsequence, and
    rapidfuzz's ``fuzz.ratio`` is that subsequence's share (2*LCS/total): so a name under the cutoff
    there is under it in difflib too. Calling difflib on all 2,000 names of a wide schema took most of
    a did-you-mean; this leaves it a handful.
    """
    if len(names) <= 50:
        return names
    kept = process.extract(wanted, names, scorer=fuzz.ratio, score_cutoff=CUTOFF * 100 - 0.01, limit=None)
    return [names[i] for i in sorted(index for _, _, index in kept)]
