"""Schema retrieval: rank a snapshot's tables for a request and fit the best into a token budget.

Lexical ranking is BM25 over each table's name (weighted, with its derivational base: ``rental`` also
answers ``rent``), column names and comments, with identifiers split and lightly stemmed. Partitions are
folded into their parent (one entry, "partitioned by ..."). Matched tables that join other matched
tables within two foreign keys gain (the coherent part of the schema wins over look-alikes elsewhere);
the best ones are then connected by their shortest foreign-key paths (a greedy Steiner tree: bridge
tables such as ``inventory`` between ``film`` and ``rental`` come next to the tables they join), and
approved examples add the tables they used. Small schemas go in whole.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from core.domain.drafts import TableReference
from core.domain.schema import SchemaModel, Table
from core.generation.examples import Example
from core.generation.partitions import partition_note, partition_roots, partitions_by_parent
from core.generation.render import estimate_tokens, render_table
from core.generation.text import split_identifier, stem, terms

NAME_WEIGHT = 4
BASE_WEIGHT = 2
"""A table name's derivational base (``rent`` of ``rental``, ``own`` of ``owner``) counts half a name."""
COLUMN_WEIGHT = 1
COMMENT_WEIGHT = 1
K1, B = 1.2, 0.75
DERIVATIONAL = ("ation", "ment", "ion", "al", "er", "or")
"""Suffixes that make a noun of a verb; the stem stays a word of its own (``rental`` -> ``rent``)."""
COHERENCE = {1: 0.25, 2: 0.15}
"""Share of the best matched table within 1 or 2 foreign keys that a matched table gains."""
CANDIDATES = 40
"""Matched tables considered for coherence."""
STEINER_SEEDS = 4
STEINER_MIN = 0.35
"""Seeds of the join path: the best tables scoring at least this share of the best one."""
MAX_PATH = 3
"""Foreign keys on a path between two seeds; farther seeds are not joined."""
BRIDGE_SHARE = 0.999
"""A bridge ranks right after the weaker of the tables it joins: the join cannot be written without it."""
NAMED = 0.3
"""Gain of a table whose whole name the request says (``film`` for "films never rented"); a share of it
for a name the request says in part (``film_actor``)."""

Embedder = Callable[[list[str]], list[list[float]]]


@dataclass(slots=True)
class Retrieved:
    tables: list[Table]
    references: list[TableReference]
    text: str
    tokens: int
    whole_schema: bool

    def to_references(self) -> dict[str, object]:
        return {
            "tables": [r.to_dict() for r in self.references],
            "whole_schema": self.whole_schema,
            "schema_tokens": self.tokens,
        }


@dataclass(slots=True)
class _Doc:
    table: Table
    tf: Counter[str]
    length: int
    name_terms: set[str]
    text: str = ""
    tokens: int = 0
    name_parts: list[set[str]] = field(default_factory=list)
    """Each word of the table's name as the terms that say it (its stem and derivational bases)."""
    partitions: list[str] = field(default_factory=list)
    """Keys of the partitions folded into this table."""
    note: str | None = None
    """``partitioned by ...`` for a folded parent."""


@dataclass
class RetrievalIndex:
    """Per-snapshot structures for retrieval (build once, reuse for every request)."""

    model: SchemaModel
    docs: list[_Doc] = field(default_factory=list)
    df: Counter[str] = field(default_factory=Counter)
    avgdl: float = 1.0
    neighbours: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_key: dict[str, _Doc] = field(default_factory=dict)
    postings: dict[str, list[tuple[str, float]]] = field(default_factory=lambda: defaultdict(list))
    """term -> (table key, its BM25 term weight) for every table holding it."""
    folded: dict[str, str] = field(default_factory=dict)
    """A partition's key -> the key of the parent it is folded into."""
    qualify: bool = False
    total_tokens: int = 0
    embedder: Embedder | None = None
    _vectors: list[list[float]] | None = None

    @classmethod
    def build(cls, model: SchemaModel, embedder: Embedder | None = None) -> RetrievalIndex:
        index = cls(model=model, embedder=embedder)
        schemas = {t.schema for t in model.tables}
        index.qualify = len(schemas) > 1 or (
            model.default_schema is not None and any(t.schema not in (None, model.default_schema) for t in model.tables)
        )
        keys_by_name: dict[tuple[str | None, str], str] = {(t.schema, t.name): t.key for t in model.tables}
        index.folded = partition_roots(model)
        partitions = partitions_by_parent(model, index.folded)
        for table in model.tables:
            if table.key in index.folded:
                continue
            tf: Counter[str] = Counter()
            name_terms = {stem(p) for p in split_identifier(table.name)}
            for term in name_terms:
                tf[term] += NAME_WEIGHT
            bases = {b for t in name_terms for b in _bases(t)} - name_terms
            for base in bases:
                tf[base] += BASE_WEIGHT
            for col in table.columns:
                for term in terms(col.name):
                    tf[term] += COLUMN_WEIGHT
                if col.comment:
                    for term in terms(col.comment):
                        tf[term] += COMMENT_WEIGHT
            if table.comment:
                for term in terms(table.comment):
                    tf[term] += COMMENT_WEIGHT
            doc = _Doc(table=table, tf=tf, length=sum(tf.values()), name_terms=name_terms | bases)
            doc.name_parts = [{stem(p), *_bases(stem(p))} for p in split_identifier(table.name) if not p.isdigit()]
            doc.text = render_table(table, model.dialect, qualify=index.qualify)
            kids = partitions.get(table.key, [])
            if kids or table.partition_key:
                doc.partitions = [k.key for k in kids]
                doc.note = partition_note(table, kids)
                doc.text += f"\n-- {table.name} is {doc.note}: query {table.name} itself"
            doc.tokens = estimate_tokens(doc.text) + 1
            index.total_tokens += doc.tokens
            index.docs.append(doc)
            index.by_key[table.key] = doc
            index.df.update(tf.keys())
        for table in model.tables:
            source = index.folded.get(table.key, table.key)
            for fk in table.foreign_keys:
                ref = keys_by_name.get((fk.ref_schema if fk.ref_schema else table.schema, fk.ref_table))
                ref = index.folded.get(ref, ref) if ref else None
                if ref and ref != source:
                    index.neighbours[source].add(ref)
                    index.neighbours[ref].add(source)
        index.avgdl = sum(d.length for d in index.docs) / max(1, len(index.docs))
        for doc in index.docs:
            norm = K1 * (1 - B + B * doc.length / index.avgdl)
            for term, f in doc.tf.items():
                index.postings[term].append((doc.table.key, f * (K1 + 1) / (f + norm)))
        return index

    # --- scoring ---------------------------------------------------------------------------------

    def bm25(self, query: list[str]) -> dict[str, float]:
        """BM25 of every table holding a query term (through the postings: the other tables are never read)."""
        return self._lexical(query)[0]

    def _lexical(self, query: list[str]) -> tuple[dict[str, float], dict[str, list[str]]]:
        """BM25 scores and, per table, the query terms it holds (in sorted order)."""
        n = len(self.docs)
        scores: dict[str, float] = defaultdict(float)
        matched: dict[str, list[str]] = defaultdict(list)
        for term, qtf in sorted(Counter(query).items()):
            postings = self.postings.get(term)
            if not postings:
                continue
            idf = math.log(1 + (n - self.df[term] + 0.5) / (self.df[term] + 0.5))
            for key, weight in postings:
                scores[key] += qtf * idf * weight
                matched[key].append(term)
        return dict(scores), matched

    def semantic(self, request: str) -> dict[str, float]:
        """Cosine similarity of the request to each table (only with an embedder)."""
        if self.embedder is None:
            return {}
        if self._vectors is None:
            self._vectors = self.embedder([_semantic_text(d.table) for d in self.docs])
        query = self.embedder([request])[0]
        return {d.table.key: _cosine(query, v) for d, v in zip(self.docs, self._vectors, strict=True)}

    def rank(self, request: str, examples: list[Example] | None = None) -> list[tuple[str, float, str]]:
        """Every table with a score and the reason, best first (lexical, then neighbourhood, then examples)."""
        query = terms(request)
        lexical, matches = self._lexical(query)
        semantic = self.semantic(request)
        scores: dict[str, float] = {}
        reasons: dict[str, str] = {}
        top_lex = max(lexical.values(), default=0.0) or 1.0
        said = set(query)
        for key, s in lexical.items():
            doc = self.by_key[key]
            matched = matches[key]
            named = not doc.name_terms.isdisjoint(matched)
            covered = sum(1 for part in doc.name_parts if not part.isdisjoint(said)) / max(1, len(doc.name_parts))
            scores[key] = s / top_lex + NAMED * covered
            reasons[key] = ("name matches " if named else "columns or comments match ") + ", ".join(matched[:6])
        if semantic:
            ordered = sorted(semantic.values(), reverse=True)
            top_sem = ordered[0] or 1.0
            for key, s in semantic.items():
                combined = scores.get(key, 0.0) + 0.6 * max(0.0, s) / top_sem
                if key not in reasons and s >= ordered[min(len(ordered) - 1, 9)]:
                    reasons[key] = f"semantically close ({s:.2f})"
                if key in reasons:
                    scores[key] = combined
        self._cohere(scores, reasons, set(lexical))
        self._expand(scores, reasons)
        for example in examples or []:
            for key in dict.fromkeys(self.folded.get(k, k) for k in example.tables):
                if key in self.by_key and key not in reasons:
                    scores[key] = 0.5
                    reasons[key] = f"used by a similar approved example (#{example.id})"
                elif key in self.by_key:
                    scores[key] += 0.25
        return sorted(((k, scores[k], reasons[k]) for k in scores), key=lambda x: (-x[1], x[0]))

    def _cohere(self, scores: dict[str, float], reasons: dict[str, str], matched: set[str]) -> None:
        """Matched tables gain a share of the best other matched table within two foreign keys."""
        best = sorted((k for k in matched if k in scores), key=lambda k: (-scores[k], k))[:CANDIDATES]
        pool = set(best)
        gains: dict[str, tuple[float, str]] = {}
        for key in best:
            near = self.neighbours[key]
            for dist, ring in ((1, near), (2, {m for n in near for m in self.neighbours[n]} - near - {key})):
                for other in ring & pool:
                    gain = COHERENCE[dist] * scores[other]
                    if other != key and gain > gains.get(key, (0.0, ""))[0]:
                        gains[key] = (gain, other)
        for key, (gain, other) in gains.items():
            scores[key] += gain
            reasons[key] += f"; linked to {other}"

    def _expand(self, scores: dict[str, float], reasons: dict[str, str]) -> None:
        """Join the best tables along their shortest foreign-key paths, then add the best ones' neighbours."""
        ordered = sorted(scores, key=lambda k: (-scores[k], k))
        top = scores[ordered[0]] if ordered else 0.0
        seeds = [k for k in ordered[:STEINER_SEEDS] if scores[k] >= STEINER_MIN * top]
        tree = set(seeds[:1])
        for seed in seeds[1:]:
            path = self._path(tree, seed)
            if path is None:
                tree.add(seed)  # another component: it joins nothing so far
                continue
            ends = (path[0], path[-1])
            bonus = BRIDGE_SHARE * min(scores[ends[0]], scores[ends[1]])
            for bridge in path[1:-1]:
                if scores.get(bridge, 0.0) < bonus:
                    scores[bridge] = bonus
                    reasons[bridge] = f"joins {ends[0]} and {ends[1]}"
            tree.update(path)
        for a in seeds[:4]:
            for neighbour in self.neighbours[a]:
                bonus = 0.35 * scores[a]
                if neighbour not in scores or scores[neighbour] < bonus:
                    scores[neighbour] = max(scores.get(neighbour, 0.0), bonus)
                    reasons.setdefault(neighbour, f"foreign-key neighbour of {a}")

    def _path(self, tree: set[str], target: str) -> list[str] | None:
        """The shortest foreign-key path from any table of ``tree`` to ``target`` (at most MAX_PATH keys)."""
        if target in tree:
            return [target]
        previous: dict[str, str | None] = {target: None}
        frontier = [target]
        for _ in range(MAX_PATH):
            nxt = []
            for node in frontier:
                for neighbour in sorted(self.neighbours[node]):
                    if neighbour in previous:
                        continue
                    previous[neighbour] = node
                    if neighbour in tree:
                        path = [neighbour]
                        step = previous[neighbour]
                        while step is not None:
                            path.append(step)
                            step = previous[step]
                        return path
                    nxt.append(neighbour)
            frontier = nxt
        return None

    # --- selection -------------------------------------------------------------------------------

    def retrieve(self, request: str, budget: int, examples: list[Example] | None = None) -> Retrieved:
        """The tables for the prompt: the whole schema if it fits, else the best within the budget."""
        ranked = self.rank(request, examples)
        if self.total_tokens <= budget:
            order = [k for k, _, _ in ranked] + sorted(k for k in self.by_key if k not in {r[0] for r in ranked})
            scored = {k: (s, r) for k, s, r in ranked}
            refs = [
                TableReference(
                    k,
                    scored.get(k, (0.0, ""))[0],
                    scored.get(k, (0.0, "small schema: every table is included"))[1]
                    or "small schema: every table is included",
                    True,
                )
                for k in order
            ]
            tables = [self.by_key[k].table for k in order]
            return Retrieved(tables, refs, self._text(order), self.total_tokens, True)
        chosen: list[str] = []
        used = 0
        refs = []
        for key, score, reason in ranked:
            doc = self.by_key[key]
            fits = used + doc.tokens <= budget
            if fits:
                chosen.append(key)
                used += doc.tokens
            if fits or len(refs) < len(chosen) + 20:
                refs.append(
                    TableReference(key, score, reason if fits else f"{reason} (left out: over the token budget)", fits)
                )
            if used >= budget:
                break
        return Retrieved([self.by_key[k].table for k in chosen], refs, self._text(chosen), used, False)

    def _text(self, keys: list[str]) -> str:
        return "\n\n".join(self.by_key[k].text for k in keys)


def _bases(term: str) -> list[str]:
    """A name term's derivational bases: ``rental`` -> ``rent``, ``owner`` -> ``own`` (at least 3 letters)."""
    return [term[: -len(s)] for s in DERIVATIONAL if term.endswith(s) and len(term) - len(s) >= 3]


def _semantic_text(table: Table) -> str:
    words = " ".join(split_identifier(table.name))
    cols = ", ".join(" ".join(split_identifier(c.name)) for c in table.columns[:40])
    return f"{words}: {table.comment or ''} columns {cols}"


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = math.sqrt(sum(x * x for x in a)) or 1.0
    nb = math.sqrt(sum(y * y for y in b)) or 1.0
    return dot / (na * nb)
