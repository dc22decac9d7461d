"""Schema retrieval: rank a snapshot's tables for a request and fit the best into a token budget.

Lexical ranking is BM25 over each table's name (weighted), column names and comments, with
identifiers split and lightly stemmed. The foreign-key neighbourhood then adds the tables that join
the matched ones, and approved examples add the tables they used. Small schemas go in whole.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from core.domain.drafts import TableReference
from core.domain.schema import SchemaModel, Table
from core.generation.examples import Example
from core.generation.render import estimate_tokens, render_table
from core.generation.text import split_identifier, stem, terms

NAME_WEIGHT = 4
COLUMN_WEIGHT = 1
COMMENT_WEIGHT = 1
K1, B = 1.2, 0.75

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


@dataclass
class RetrievalIndex:
    """Per-snapshot structures for retrieval (build once, reuse for every request)."""

    model: SchemaModel
    docs: list[_Doc] = field(default_factory=list)
    df: Counter[str] = field(default_factory=Counter)
    avgdl: float = 1.0
    neighbours: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_key: dict[str, _Doc] = field(default_factory=dict)
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
        for table in model.tables:
            tf: Counter[str] = Counter()
            name_terms = {stem(p) for p in split_identifier(table.name)}
            for term in name_terms:
                tf[term] += NAME_WEIGHT
            for col in table.columns:
                for term in terms(col.name):
                    tf[term] += COLUMN_WEIGHT
                if col.comment:
                    for term in terms(col.comment):
                        tf[term] += COMMENT_WEIGHT
            if table.comment:
                for term in terms(table.comment):
                    tf[term] += COMMENT_WEIGHT
            doc = _Doc(table=table, tf=tf, length=sum(tf.values()), name_terms=name_terms)
            doc.text = render_table(table, model.dialect, qualify=index.qualify)
            doc.tokens = estimate_tokens(doc.text) + 1
            index.total_tokens += doc.tokens
            index.docs.append(doc)
            index.by_key[table.key] = doc
            index.df.update(tf.keys())
            for fk in table.foreign_keys:
                ref = keys_by_name.get((fk.ref_schema if fk.ref_schema else table.schema, fk.ref_table))
                if ref and ref != table.key:
                    index.neighbours[table.key].add(ref)
                    index.neighbours[ref].add(table.key)
        index.avgdl = sum(d.length for d in index.docs) / max(1, len(index.docs))
        return index

    # --- scoring ---------------------------------------------------------------------------------

    def bm25(self, query: list[str]) -> dict[str, float]:
        n = len(self.docs)
        scores: dict[str, float] = {}
        counts = Counter(query)
        for doc in self.docs:
            score = 0.0
            for term, qtf in counts.items():
                f = doc.tf.get(term)
                if not f:
                    continue
                idf = math.log(1 + (n - self.df[term] + 0.5) / (self.df[term] + 0.5))
                score += qtf * idf * f * (K1 + 1) / (f + K1 * (1 - B + B * doc.length / self.avgdl))
            if score:
                scores[doc.table.key] = score
        return scores

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
        lexical = self.bm25(query)
        semantic = self.semantic(request)
        scores: dict[str, float] = {}
        reasons: dict[str, str] = {}
        top_lex = max(lexical.values(), default=0.0) or 1.0
        for key, s in lexical.items():
            doc = self.by_key[key]
            matched = sorted({t for t in query if t in doc.tf})
            named = [t for t in matched if t in doc.name_terms]
            scores[key] = s / top_lex
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
        self._expand(scores, reasons)
        for example in examples or []:
            for key in example.tables:
                if key in self.by_key and key not in reasons:
                    scores[key] = 0.5
                    reasons[key] = f"used by a similar approved example (#{example.id})"
                elif key in self.by_key:
                    scores[key] += 0.25
        return sorted(((k, scores[k], reasons[k]) for k in scores), key=lambda x: (-x[1], x[0]))

    def _expand(self, scores: dict[str, float], reasons: dict[str, str]) -> None:
        seeds = [k for k, s in sorted(scores.items(), key=lambda x: -x[1])[:8] if s >= 0.3]
        seed_set = set(seeds)
        for i, a in enumerate(seeds):
            for b in seeds[i + 1 :]:
                if b in self.neighbours[a]:
                    continue
                for bridge in self.neighbours[a] & self.neighbours[b]:
                    bonus = 0.6 * min(scores[a], scores[b])
                    if bridge not in seed_set and scores.get(bridge, 0.0) < bonus:
                        scores[bridge] = bonus
                        reasons[bridge] = f"joins {a} and {b}"
        for a in seeds[:4]:
            for neighbour in self.neighbours[a]:
                bonus = 0.35 * scores[a]
                if neighbour not in scores or scores[neighbour] < bonus:
                    scores[neighbour] = max(scores.get(neighbour, 0.0), bonus)
                    reasons.setdefault(neighbour, f"foreign-key neighbour of {a}")

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


def _semantic_text(table: Table) -> str:
    words = " ".join(split_identifier(table.name))
    cols = ", ".join(" ".join(split_identifier(c.name)) for c in table.columns[:40])
    return f"{words}: {table.comment or ''} columns {cols}"


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = math.sqrt(sum(x * x for x in a)) or 1.0
    nb = math.sqrt(sum(y * y for y in b)) or 1.0
    return dot / (na * nb)
