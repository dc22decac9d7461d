"""Words for lexical retrieval: identifiers split (order_items, OrderItems), light stemming, no stopwords.

>>> terms("How many OrderItems per customer_id were shipped?")
['order', 'item', 'customer', 'id', 'ship']
"""

from __future__ import annotations

import re

_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
STOPWORDS = frozenset(
    """
a an and are as at be been by can do does did each for from give get had has have how i in into is it its
list many me more most much my no not of on or our per please show so some than that the their them then
there these they this those to us was we were what when where which who whom whose why will with would
you your all any find display return tell name names number count also just only both than over under
between about
""".split()
)


def split_identifier(name: str) -> list[str]:
    """``order_items`` / ``OrderItems`` / ``order-items2`` -> ``['order', 'items', '2']``."""
    return [p.lower() for p in _PARTS.findall(name)]


def stem(word: str) -> str:
    """A light English stemmer: plurals and the commonest verb endings."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith("sses"):
        return w[:-2]
    if len(w) > 3 and w.endswith(("xes", "ches", "shes", "zes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
        if w.endswith("pp") or w.endswith("nn") or w.endswith("tt"):
            w = w[:-1]
    return w


def terms(text: str) -> list[str]:
    """The retrieval terms of a text, in order."""
    out = []
    for raw in re.findall(r"[A-Za-z0-9_]+", text):
        for part in split_identifier(raw):
            if part in STOPWORDS or (len(part) < 2 and not part.isdigit()):
                continue
            out.append(stem(part))
    return out
