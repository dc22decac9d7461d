"""Did you mean: close names for a name that does not exist.

>>> suggest("custmers", ["customers", "orders", "items"])
['customers']
"""

from __future__ import annotations

import difflib


def suggest(name: str, candidates: list[str], limit: int = 3) -> list[str]:
    """Close matches, case-insensitively, best first."""
    lowered = {c.lower(): c for c in candidates}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=limit, cutoff=0.6)
    if not hits:
        hits = [c for c in lowered if name.lower() in c or c in name.lower()][:limit]
    return [lowered[h] for h in hits]
