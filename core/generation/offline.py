"""The offline generator: deterministic and schema-aware for simple requests, no network, no model.

It handles lists, counts, latest N, top N by a column, counts or sums per group, and filters on a
named value; anything else gets ``clarification_needed`` with a question. It says so in its output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot import exp

from core.domain.schema import Column, Dialect, SchemaModel, Table
from core.generation.generators import Completion
from core.generation.parsing import Reply
from core.generation.prompt import Task
from core.generation.retrieval import RetrievalIndex
from core.generation.text import split_identifier, stem, terms
from core.validation.model import ScriptMode

BANNER = "Drafted by the offline generator (deterministic patterns over the schema; no language model)."
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twenty": 20,
    "fifty": 50,
    "hundred": 100,
}
_TIME_HINTS = ("created", "ordered", "updated", "date", "time", "at", "when", "timestamp", "paid", "placed")
_LABEL_HINTS = ("full_name", "name", "title", "email", "label", "sku", "code")
_NUMERIC = ("int", "numeric", "decimal", "real", "double", "float", "money", "number", "serial")


@dataclass(slots=True)
class _Plan:
    table: Table
    kind: str
    limit: int | None = None
    order_column: Column | None = None
    group_column: Column | None = None
    group_table: Table | None = None
    measure_table: Table | None = None
    measure_column: Column | None = None


class OfflineGenerator:
    """Pattern-based drafting for the demo, tests and setups without a model."""

    name = "offline"
    can_repair = False

    def __init__(self) -> None:
        self._indexes: dict[int, RetrievalIndex] = {}

    def generate(self, task: Task, messages: list[dict[str, str]]) -> Completion:
        model = task.schema_model
        if model is None or task.mode is not ScriptMode.QUERY:
            return _clarify(
                "The offline generator drafts read-only queries only. Ask for a query, or configure an "
                "LLM (SQLDRAFT_GENERATOR=llm) for dml and ddl drafts."
            )
        index = self._indexes.get(id(model))
        if index is None:
            index = self._indexes[id(model)] = RetrievalIndex.build(model)
        request = task.request
        words = terms(request)
        table = _main_table(index, request, words)
        if table is None:
            return _clarify("Which table is this about? No table name in the schema matches the request.")
        plan = _plan(table, request, words, model)
        if plan is None:
            return _clarify(
                f"The offline generator can list, count, show the latest or top N, group and filter "
                f"{table.name}; rephrase the request that way, or configure an LLM for anything else."
            )
        select, assumptions = _build(plan, request, model)
        sql = select.sql(dialect=task.dialect.sqlglot, pretty=True)
        steps = [f"read {plan.table.key}"] + [f"{a}" for a in assumptions]
        return Completion(
            reply=Reply(
                sql=sql,
                explanation=f"{BANNER} {_describe(plan)}",
                assumptions=assumptions,
                plan_steps=steps,
                confidence=0.6,
            ),
            text=sql,
            model="offline",
        )


def _clarify(question: str) -> Completion:
    reply = Reply(
        sql="",
        explanation=f"{BANNER} It could not draft this request.",
        unresolved_questions=[question],
        clarification_needed=True,
        confidence=0.0,
    )
    return Completion(reply=reply, text=question, model="offline")


def _main_table(index: RetrievalIndex, request: str, words: list[str]) -> Table | None:
    """The table the request names: most of its name matched, base tables before views, then the best score.

    The first table named in the request wins a tie ("orders per customer" is about orders).
    """
    wanted = set(words)
    candidates = []
    for key, score, reason in index.rank(request):
        if not reason.startswith("name matches"):
            continue
        doc = index.by_key[key]
        matched = len(doc.name_terms & wanted) / max(1, len(doc.name_terms))
        first = min((words.index(t) for t in doc.name_terms if t in wanted), default=len(words))
        candidates.append((-matched, first, doc.table.is_view, -score, key))
    if not candidates:
        return None
    return index.by_key[min(candidates)[-1]].table


def _limit(request: str) -> int | None:
    m = re.search(
        r"\b(?:top|latest|last|first|newest|most recent|recent)\s+(\d+|" + "|".join(_NUMBER_WORDS) + r")\b",
        request,
        re.I,
    )
    if not m:
        return None
    token = m.group(1).lower()
    return int(token) if token.isdigit() else _NUMBER_WORDS[token]


def _find_column(table: Table, phrase: str, *, numeric: bool = False) -> Column | None:
    wanted = [stem(w) for w in re.findall(r"[A-Za-z0-9]+", phrase)]
    best, best_score = None, 0
    for col in table.columns:
        if numeric and not any(n in col.type.lower() for n in _NUMERIC):
            continue
        parts = [stem(p) for p in split_identifier(col.name)]
        score = sum(1 for w in wanted if w in parts)
        if score > best_score or (
            score == best_score and best is not None and score and len(parts) < len(split_identifier(best.name))
        ):
            best, best_score = col, score
    return best if best_score else None


def _time_column(table: Table) -> Column | None:
    candidates = [
        c
        for c in table.columns
        if any(h in split_identifier(c.name) for h in _TIME_HINTS) or any(t in c.type.lower() for t in ("date", "time"))
    ]
    return candidates[0] if candidates else None


def _label_column(table: Table) -> Column | None:
    for hint in _LABEL_HINTS:
        for col in table.columns:
            if col.name.lower() == hint or col.name.lower().endswith("_" + hint):
                return col
    return None


def _tables_by_name(model: SchemaModel, words: list[str], exclude: Table) -> list[Table]:
    out = []
    for t in model.tables:
        if t.key != exclude.key and set(stem(p) for p in split_identifier(t.name)) & set(words):
            out.append(t)
    return out


def _plan(table: Table, request: str, words: list[str], model: SchemaModel) -> _Plan | None:
    text = request.lower()
    limit = _limit(request)
    group = re.search(r"\b(?:per|by|for each|each|grouped by)\s+([a-z_ ]+?)(?:\?|$|,|\.| with| where| in )", text)
    count = re.search(r"\b(how many|number of|count)\b", text)
    top = re.search(r"\btop\s+\S+\s+.*?\bby\s+([a-z_ ]+?)(?:\?|$|,|\.)", text)
    if top:
        phrase = top.group(1)
        column = _find_column(table, phrase, numeric=True)
        if column is not None:
            return _Plan(table, "top", limit=limit or 10, order_column=column)
        for child in model.tables:
            fk = next((f for f in child.foreign_keys if f.ref_table == table.name), None)
            measure = _find_column(child, phrase, numeric=True) if fk else None
            if measure is not None:
                return _Plan(table, "top_sum", limit=limit or 10, measure_table=child, measure_column=measure)
        return None
    per = re.search(r"\b(?:per|for each|each)\b", text)
    if group and (count or per or "how much" in text or "total" in text):
        phrase = group.group(1)
        column = _find_column(table, phrase)
        if column is not None:
            return _Plan(table, "group", group_column=column)
        for parent in _tables_by_name(model, terms(phrase), table):
            fk = next((f for f in table.foreign_keys if f.ref_table == parent.name and len(f.columns) == 1), None)
            if fk is not None:
                return _Plan(table, "group_parent", group_column=table.column(fk.columns[0]), group_table=parent)
        return None
    if count:
        return _Plan(table, "count")
    if re.search(r"\b(latest|last|newest|most recent|recent)\b", text):
        column = _time_column(table)
        if column is not None:
            return _Plan(table, "latest", limit=limit or 10, order_column=column)
        return None
    if re.search(r"\b(list|show|all|display|get|which|what)\b", text):
        return _Plan(table, "list", limit=limit or 100)
    return None


def _filters(table: Table, request: str) -> list[tuple[Column, str]]:
    """Named values: 'status paid', "country = 'FR'", or a value the column's labels or comment list."""
    out: list[tuple[Column, str]] = []
    quoted = re.findall(r"'([^']+)'|\"([^\"]+)\"", request)
    tokens = re.findall(r"[A-Za-z0-9_-]+", request)
    lowered = [t.lower() for t in tokens]
    for col in table.columns:
        labels = list(col.enum_labels or [])
        if col.comment:
            labels += [
                w.strip()
                for w in re.split(r"[,;/]| or ", col.comment)
                if 0 < len(w.strip()) < 30 and " " not in w.strip()
            ]
        for label in labels:
            if label.lower() in lowered and label.lower() not in (col.name.lower(),):
                out.append((col, label))
                break
        name_parts = split_identifier(col.name)
        for i, tok in enumerate(lowered[:-1]):
            if tok in (col.name.lower(), name_parts[-1]) and lowered[i + 1] not in ("is", "=", "of", "by", "per"):
                candidate = tokens[i + 1]
                if not any(c == col for c, _ in out) and candidate.lower() not in ("and", "or", "the", "a"):
                    out.append((col, candidate))
            named = tok in (col.name.lower(), name_parts[-1]) and lowered[i + 1] in ("is", "=")
            if named and i + 2 < len(tokens) and not any(c == col for c, _ in out):
                out.append((col, tokens[i + 2]))
    for a, b in quoted:
        value = a or b
        if not any(v == value for _, v in out):
            for col in table.columns:
                if col.name.lower() in request.lower() and not any(c == col for c, _ in out):
                    out.append((col, value))
                    break
    return out


def _literal(column: Column, value: str) -> exp.Expr:
    if any(n in column.type.lower() for n in _NUMERIC) and re.fullmatch(r"-?\d+(\.\d+)?", value):
        return exp.Literal.number(value)
    return exp.Literal.string(value)


_KEYWORDS = frozenset(
    "all and any as asc at by case do each else end for from if in into is join key left like no not null of "
    "on or over set to top use when with".split()
)


def _alias(table: str, taken: set[str]) -> str:
    """A short alias from the table name's words (order_items -> oi), not a keyword, not already used."""
    words = split_identifier(table) or ["t"]
    base = "".join(w[0] for w in words if w[:1].isalpha()).lower() or "t"
    alias, n = base, 1
    while alias in taken or alias in _KEYWORDS:
        n += 1
        alias = f"{base}{n}"
    taken.add(alias)
    return alias


def _build(plan: _Plan, request: str, model: SchemaModel) -> tuple[exp.Select, list[str]]:
    t = plan.table
    taken: set[str] = set()
    alias = _alias(t.name, taken)
    src = exp.to_table(t.name, db=t.schema if _qualify(model, t) else None).as_(alias)
    cols = [c for c in t.columns][:8]
    assumptions: list[str] = []

    def col(name: str, table_alias: str = alias) -> exp.Column:
        return exp.column(name, table=table_alias, quoted=_needs_quote(name, model.dialect))

    if plan.kind in ("count",):
        select = exp.select(exp.Count(this=exp.Star()).as_("count")).from_(src)
    elif plan.kind == "group":
        assert plan.group_column is not None
        g = col(plan.group_column.name)
        select = (
            exp.select(g, exp.Count(this=exp.Star()).as_("count"))
            .from_(src)
            .group_by(g)
            .order_by(exp.Ordered(this=exp.column("count"), desc=True))
        )
    elif plan.kind == "group_parent":
        assert plan.group_column is not None and plan.group_table is not None
        parent = plan.group_table
        label = _label_column(parent)
        key = parent.primary_key[0] if parent.primary_key else "id"
        pa = _alias(parent.name, taken)
        p = exp.to_table(parent.name, db=parent.schema if _qualify(model, parent) else None).as_(pa)
        fields = [col(key, pa)] + ([col(label.name, pa)] if label else [])
        select = (
            exp.select(
                *fields, exp.Count(this=col(t.primary_key[0] if t.primary_key else plan.group_column.name)).as_("count")
            )
            .from_(p)
            .join(src, on=exp.EQ(this=col(plan.group_column.name), expression=col(key, pa)), join_type="left")
            .group_by(*fields)
            .order_by(exp.Ordered(this=exp.column("count"), desc=True))
        )
        assumptions.append(f"{parent.name} with no {t.name} are listed with a count of 0")
    elif plan.kind == "top_sum":
        assert plan.measure_table is not None and plan.measure_column is not None and plan.limit is not None
        child = plan.measure_table
        fk = next(f for f in child.foreign_keys if f.ref_table == t.name)
        label = _label_column(t)
        key = t.primary_key[0] if t.primary_key else "id"
        ca = _alias(child.name, taken)
        c = exp.to_table(child.name, db=child.schema if _qualify(model, child) else None).as_(ca)
        fields = [col(key)] + ([col(label.name)] if label else [])
        total = exp.Sum(this=col(plan.measure_column.name, ca)).as_("total")
        select = (
            exp.select(*fields, total)
            .from_(src)
            .join(c, on=exp.EQ(this=col(fk.columns[0], ca), expression=col(fk.ref_columns[0])))
            .group_by(*fields)
            .order_by(exp.Ordered(this=exp.column("total"), desc=True))
            .limit(plan.limit)
        )
        assumptions.append(
            f"'{' '.join(split_identifier(plan.measure_column.name))}' is the sum of "
            f"{child.name}.{plan.measure_column.name}"
        )
    else:
        select = exp.select(*[col(c.name) for c in cols]).from_(src)
        if len(t.columns) > len(cols):
            assumptions.append(f"shows the first {len(cols)} of {len(t.columns)} columns")
        if plan.kind in ("latest", "top"):
            assert plan.order_column is not None
            select = select.order_by(exp.Ordered(this=col(plan.order_column.name), desc=True))
            assumptions.append(
                f"'{'latest' if plan.kind == 'latest' else 'top'}' means the highest {plan.order_column.name}"
            )
        elif t.primary_key:
            select = select.order_by(col(t.primary_key[0]))
        assert plan.limit is not None  # the list, latest and top plans always carry one
        select = select.limit(plan.limit)
    for column, value in _filters(t, request):
        select = select.where(exp.EQ(this=col(column.name), expression=_literal(column, value)))
        assumptions.append(f"{column.name} = {value!r} (matched from the request)")
    return select, assumptions


def _describe(plan: _Plan) -> str:
    return {
        "count": f"Counts the rows of {plan.table.name}.",
        "group": f"Counts {plan.table.name} per {plan.group_column.name if plan.group_column else ''}.",
        "group_parent": f"Counts {plan.table.name} per {plan.group_table.name if plan.group_table else ''}.",
        "top_sum": f"Ranks {plan.table.name} by the total of {plan.measure_table.name if plan.measure_table else ''}.",
        "latest": f"Lists the most recent {plan.table.name}.",
        "top": f"Lists the top {plan.table.name} by {plan.order_column.name if plan.order_column else ''}.",
        "list": f"Lists {plan.table.name}.",
    }[plan.kind]


def _qualify(model: SchemaModel, table: Table) -> bool:
    return table.schema is not None and table.schema != model.default_schema


def _needs_quote(name: str, dialect: Dialect) -> bool:
    simple = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) is not None
    return not simple or (dialect is Dialect.POSTGRESQL and name != name.lower())
