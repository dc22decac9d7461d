"""The offline generator: deterministic and schema-aware for simple requests, no network, no model.

It answers only what it can answer exactly: lists, filters on matched values, counts, counts or a
matched aggregate per group, latest N, top N by a matched measure, and joins along one foreign key.
Every word of the request must be placed (a table, a column, a value, a pattern word, or filler); a
word it cannot place is a decline with ``clarification_needed`` and what it understood, never a
dropped filter. It says so in its output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlglot import exp

from core.domain.schema import Column, Dialect, ForeignKey, SchemaModel, Table
from core.generation.completion import Completion
from core.generation.parsing import Reply
from core.generation.prompt import Task
from core.generation.text import split_identifier, stem
from core.validation.model import ScriptMode

BANNER = "Drafted by the offline generator (deterministic patterns over the schema; no language model)."
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "twenty": 20, "fifty": 50, "hundred": 100,
}  # fmt: skip
_FILLER = frozenset(
    "the a an all of in for with from show list me give get find display please what which are is there do we "
    "have has their its every rows records entries and at on to that".split()
)
_TIME_HINTS = ("created", "ordered", "updated", "date", "time", "at", "when", "timestamp", "paid", "placed")
_LABEL_HINTS = ("full_name", "name", "title", "email", "label", "sku", "code")
_NUMERIC = ("int", "numeric", "decimal", "real", "double", "float", "money", "number", "serial")
_AGGREGATES = {"total": "SUM", "sum": "SUM", "average": "AVG", "avg": "AVG", "mean": "AVG"}
_TOKEN = re.compile(r"(?<![\w'])'([^']+)'(?![\w'])|\"([^\"]+)\"|([A-Za-z0-9_]+(?:[-.][A-Za-z0-9_]+)*)")


class _Decline(Exception):
    """The request has a part the patterns cannot place exactly."""


@dataclass(slots=True)
class _Tok:
    text: str
    low: str
    stem: str
    quoted: bool
    used: bool = False


@dataclass(slots=True)
class _Plan:
    table: Table
    kind: str = "list"
    limit: int | None = None
    order_column: Column | None = None
    group_column: Column | None = None
    group_table: Table | None = None
    other_table: Table | None = None
    """The child of a top-by-total or top-by-count, joined along its foreign key."""
    agg: str | None = None
    measure: Column | None = None
    filters: list[tuple[Column, str]] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)


class OfflineGenerator:
    """Pattern-based drafting for the demo, tests and setups without a model."""

    name = "offline"
    can_repair = False

    def generate(self, task: Task, messages: list[dict[str, str]]) -> Completion:
        model = task.schema_model
        if model is None or task.mode is not ScriptMode.QUERY:
            return _clarify(
                "The offline generator drafts read-only queries only. Ask for a query, or configure an "
                "LLM (SQLDRAFT_GENERATOR=llm) for dml and ddl drafts."
            )
        parser = _Parser(task.request, model)
        try:
            plan = parser.plan()
        except _Decline as why:
            understood = parser.understood()
            return _clarify(
                f"{why}{' Understood so far: ' + understood + '.' if understood else ''} "
                "Rephrase with the table's and columns' names, or configure an LLM for this request."
            )
        select = _build(plan, model)
        sql = select.sql(dialect=task.dialect.sqlglot, pretty=True)
        confidence = round(max(0.6, 0.95 - 0.1 * len([a for a in plan.assumptions if a.startswith("assumed")])), 2)
        return Completion(
            reply=Reply(
                sql=sql,
                explanation=f"{BANNER} {_describe(plan)}",
                assumptions=plan.assumptions,
                plan_steps=[f"read {plan.table.key}", *plan.assumptions],
                confidence=confidence,
            ),
            text=sql,
            model="offline",
        )


def _clarify(question: str) -> Completion:
    reply = Reply(
        sql="",
        explanation=f"{BANNER} It could not draft this request exactly, so it asks instead of guessing.",
        unresolved_questions=[question],
        clarification_needed=True,
        confidence=0.0,
    )
    return Completion(reply=reply, text=question, model="offline")


def _numeric(column: Column) -> bool:
    return any(n in column.type.lower() for n in _NUMERIC)


def _labels(column: Column) -> list[str]:
    """Values the column's enum or its comment lists ("pending, paid or shipped")."""
    labels = list(column.enum_labels or [])
    if column.comment:
        text = column.comment.split(":", 1)[-1]
        parts = [p.strip().strip(".") for p in re.split(r"[,;/]|\bor\b", text)]
        if len(parts) >= 2 and all(p and " " not in p and len(p) < 30 for p in parts):
            labels += parts
    return labels


def _parts(name: str) -> list[str]:
    return [stem(p) for p in split_identifier(name)]


class _Parser:
    def __init__(self, request: str, model: SchemaModel) -> None:
        self.model = model
        self.toks = [
            _Tok(text=(q1 or q2 or w), low=(q1 or q2 or w).lower(), stem=stem(q1 or q2 or w), quoted=bool(q1 or q2))
            for q1, q2, w in _TOKEN.findall(request)
        ]
        self.plan_: _Plan | None = None
        self.main_span: range = range(0)

    # -- spans -----------------------------------------------------------------------------------
    def _match(self, i: int, parts: list[str]) -> int:
        """How many tokens from ``i`` spell ``parts`` (0 if they do not)."""
        n = len(parts)
        if n == 0 or i + n > len(self.toks):
            return 0
        if all(not t.quoted and not t.used and t.stem == p for t, p in zip(self.toks[i : i + n], parts, strict=True)):
            return n
        return 0

    def _table_at(self, i: int) -> tuple[Table, int] | None:
        best: tuple[Table, int] | None = None
        for t in self.model.tables:
            n = self._match(i, _parts(t.name))
            if n and (best is None or n > best[1] or (n == best[1] and best[0].is_view and not t.is_view)):
                best = (t, n)
        return best

    def _column_at(self, table: Table, i: int, *, numeric: bool = False) -> tuple[Column, int] | None:
        best: tuple[Column, int] | None = None
        for c in table.columns:
            if numeric and not _numeric(c):
                continue
            parts = _parts(c.name)
            variants = [parts] + ([parts[:-1]] if len(parts) > 1 and parts[-1] == "id" else [])
            for v in variants:
                n = self._match(i, v)
                if n and (best is None or n > best[1]):
                    best = (c, n)
        return best

    def _use(self, i: int, n: int = 1) -> None:
        for t in self.toks[i : i + n]:
            t.used = True

    def _word(self, i: int, *words: str) -> bool:
        return 0 <= i < len(self.toks) and not self.toks[i].quoted and self.toks[i].low in words

    def _number(self, i: int) -> int | None:
        if not (0 <= i < len(self.toks)) or self.toks[i].quoted:
            return None
        low = self.toks[i].low
        return int(low) if low.isdigit() else _NUMBER_WORDS.get(low)

    def _skip_main(self, i: int) -> int:
        """Past the words that named the main table ("total payment amount": payment)."""
        while i in self.main_span:
            i += 1
        return i

    def _skip_the(self, i: int) -> int:
        while self._word(i, "the", "a", "an"):
            self._use(i)
            i += 1
        return i

    def understood(self) -> str:
        p = self.plan_
        if p is None:
            return ""
        bits = [f"table {p.table.name}", {"list": "a list"}.get(p.kind, p.kind.replace("_", " "))]
        bits += [f"{c.name} = {v!r}" for c, v in p.filters]
        if p.group_column is not None:
            bits.append(f"per {p.group_column.name}")
        if p.limit:
            bits.append(f"{p.limit} rows")
        return ", ".join(bits)

    # -- the plan ----------------------------------------------------------------------------------
    def plan(self) -> _Plan:
        toks = self.toks
        # pattern words first: counts, limits, order words
        kind, limit = "list", None
        for i, t in enumerate(toks):
            if t.used or t.quoted:
                continue
            if (t.low == "how" and self._word(i + 1, "many")) or (
                t.low == "number" and self._word(i + 1, "of") and not self._word(i - 1, "by")
            ):
                kind = "count"
                self._use(i, 2)
            elif t.low == "count" and not self._word(i - 1, "by"):
                kind = "count"
                self._use(i)
                if self._word(i + 1, "of"):
                    self._use(i + 1)
        order = None
        for i, t in enumerate(toks):
            if t.used or t.quoted:
                continue
            if t.low in ("top", "latest", "newest", "last", "first", "recent") or (
                t.low == "most" and self._word(i + 1, "recent")
            ):
                if order is not None:
                    raise _Decline(f"'{t.text}' asks for a second ordering.")
                width = 2 if t.low == "most" else 1
                n = self._number(i + width)
                before = self._number(i - 1)
                if n is not None:
                    self._use(i, width + 1)
                    limit = n
                elif before is not None and not toks[i - 1].used:
                    self._use(i - 1, width + 1)
                    limit = before
                elif t.low in ("last", "first"):
                    continue  # "last month", "first name": not an ordering; left for the columns or a decline
                else:
                    self._use(i, width)
                order = {"top": "top", "first": "first"}.get(t.low, "latest")
        # the main table: the first named one that is not a group, a filter parent or a measure
        main = None
        for i, _ in enumerate(toks):
            found = self._table_at(i)
            if found is None:
                continue
            before = i - 1
            while before >= 0 and toks[before].low in ("the", "each"):
                before -= 1
            if self._word(before, "per", "by", "each", "most") and i > 0:
                continue
            if self._number(i + found[1]) is not None:
                continue
            main = found[0]
            self._use(i, found[1])
            self.main_span = range(i, i + found[1])
            break
        if main is None:  # "order 5": the table named with its key
            found_key = next(
                (f for i in range(len(toks)) if (f := self._table_at(i)) and self._number(i + f[1]) is not None),
                None,
            )
            main = found_key[0] if found_key else None
        if main is None:
            raise _Decline("Which table is this about? No table of the schema is named in the request.")
        plan = self.plan_ = _Plan(main, kind=kind, limit=limit)
        if order == "top":
            self._top(plan)
        elif order == "latest":
            plan.kind = "latest" if kind == "list" else kind
            if plan.kind != "latest":
                raise _Decline("A count with 'latest' is not a pattern the offline generator knows.")
            column = _time_column(main)
            if column is None:
                raise _Decline(f"Latest by what? {main.name} has no date or time column.")
            plan.order_column = column
        elif order == "first":
            if kind != "list" or not main.primary_key:
                raise _Decline("First by what? Name the column to order by.")
            plan.kind = "first"
        self._groups(plan)
        self._filters(plan)
        rest = [t.text for t in toks if not t.used and (t.quoted or t.low not in _FILLER)]
        if rest:
            raise _Decline("The offline generator cannot place " + ", ".join(repr(w) for w in rest) + ".")
        if plan.kind in ("list", "latest", "first") and plan.limit is None:
            plan.limit = 100 if plan.kind == "list" else 10
            plan.assumptions.append(f"assumed the first {plan.limit} rows (no number was given)")
        return plan

    def _top(self, plan: _Plan) -> None:
        toks, main = self.toks, plan.table
        if plan.kind != "list":
            raise _Decline("'top' with a count is not a pattern the offline generator knows.")
        if plan.limit is None:
            plan.limit = 10
            plan.assumptions.append("assumed the top 10 (no number was given)")
        at = next((i for i, t in enumerate(toks) if not t.used and t.low in ("by", "most")), None)
        if at is None:
            raise _Decline("Top by what? Name the column or total to rank by.")
        self._use(at)
        i = self._skip_the(at + 1)
        agg = None
        own = self._column_at(main, i, numeric=True)
        if own is not None and own[0].name not in _key_columns(main):  # "by total amount": a column's own words
            self._use(i, own[1])
            plan.kind, plan.order_column = "top", own[0]
            return
        children = [c for c in self.model.tables if _fk(c, main) is not None and c.key != main.key]
        whole = self._child_measures(children, i)
        if whole and self._word(i, *_AGGREGATES):  # "by total amount": orders.total_amount, summed
            self._top_sum(plan, whole, "SUM")
            return
        if self._word(i, *_AGGREGATES):
            agg = _AGGREGATES[toks[i].low]
            self._use(i)
            i = self._skip_the(i + 1)
            if self._word(i, "of"):
                self._use(i)
                i += 1
        counting = toks[at].low == "most"
        if self._word(i, "number") and self._word(i + 1, "of"):
            counting = True
            self._use(i, 2)
            i += 2
        if not counting and agg is None:
            own = self._column_at(main, i, numeric=True)
            if own is not None:
                self._use(i, own[1])
                plan.kind, plan.order_column = "top", own[0]
                return
        if counting:
            found = self._table_at(i)
            if found is None or found[0] not in children:
                raise _Decline(f"Count of what? Name a table that refers to {main.name}.")
            self._use(i, found[1])
            if self._word(i + found[1], "count"):
                self._use(i + found[1])
            plan.kind, plan.other_table = "top_count", found[0]
            return
        matches = self._child_measures(children, i)
        if agg is None and self._column_at(main, i) is not None:
            raise _Decline("That column is not a number to rank by.")
        if not matches:
            named = self._table_at(i)
            if named is not None:
                raise _Decline(
                    f"'{' '.join(t.text for t in toks[i : i + named[1]])}' names the table {named[0].name}, not a "
                    f"measure: rank by the number of {named[0].name}, or by the total of one of its columns?"
                )
            raise _Decline("Top by what? No number column matches.")
        self._top_sum(plan, matches, agg)

    def _child_measures(self, children: list[Table], i: int) -> list[tuple[int, int, Table, Column]]:
        """Number columns of the children named from token ``i``: (start, width, child, column)."""
        out = []
        for child in children:
            named = self._match(i, _parts(child.name))  # "payment amount": the child's name, then its column
            for start in (i, i + named) if named else (i,):
                col = self._column_at(child, start, numeric=True)
                if col is not None and col[0].name not in _key_columns(child):
                    out.append((i, start - i + col[1], child, col[0]))
        return out

    def _top_sum(self, plan: _Plan, matches: list[tuple[int, int, Table, Column]], agg: str | None) -> None:
        best = max(m[1] for m in matches)
        matches = [m for m in matches if m[1] == best]
        if len(matches) > 1:
            raise _Decline("The measure is ambiguous: " + ", ".join(f"{m[2].name}.{m[3].name}" for m in matches) + ".")
        start, width, child, column = matches[0]
        self._use(start, width)
        plan.kind, plan.other_table, plan.measure, plan.agg = "top_sum", child, column, agg or "SUM"
        if agg is None:
            plan.assumptions.append(f"assumed the sum of {child.name}.{column.name} per {plan.table.name}")

    def _groups(self, plan: _Plan) -> None:
        toks, main = self.toks, plan.table
        for i, t in enumerate(toks):
            if t.used or t.quoted:
                continue
            if (
                t.low == "per"
                or (t.low == "each" and not self._word(i - 1, "for"))
                or (t.low == "for" and self._word(i + 1, "each"))
                or (t.low == "by" and plan.kind == "count")
            ):
                width = 2 if t.low == "for" else 1
                if self._word(i + width, "each"):
                    width += 1
                j = self._skip_the(i + width)
                own = self._column_at(main, j)
                if own is not None and own[0].name not in main.primary_key:
                    if plan.group_column is not None:
                        raise _Decline("More than one grouping is not a pattern the offline generator knows.")
                    self._use(i, width)
                    self._use(j, own[1])
                    plan.group_column = own[0]
                    continue
                parent = self._table_at(j)
                fk = _fk(main, parent[0]) if parent else None
                if parent is None or fk is None or len(fk.columns) != 1:
                    if t.low == "by":
                        continue  # "by card": a value, placed by the filters or declined
                    raise _Decline(f"Cannot group {main.name} by the words after '{t.text}'.")
                if plan.group_column is not None:
                    raise _Decline("More than one grouping is not a pattern the offline generator knows.")
                self._use(i, width)
                self._use(j, parent[1])
                plan.group_column, plan.group_table = main.column(fk.columns[0]), parent[0]
        if plan.group_column is None:
            if any(not t.used and t.low in _AGGREGATES for t in toks) and plan.kind in ("list", "count"):
                raise _Decline("A total without a grouping is not a pattern the offline generator knows.")
            return
        if plan.kind not in ("list", "count"):
            raise _Decline(f"A grouping with '{plan.kind}' is not a pattern the offline generator knows.")
        plan.kind = "group"
        for i, t in enumerate(toks):
            if t.used or t.low not in _AGGREGATES:
                continue
            whole = self._column_at(main, i, numeric=True)  # "total amount" names total_amount itself
            if whole is not None and whole[0].name not in _key_columns(main):
                if plan.measure is not None:
                    raise _Decline("More than one total is not a pattern the offline generator knows.")
                self._use(i, whole[1])
                plan.agg, plan.measure = "SUM", whole[0]
                continue
            j = self._skip_main(self._skip_the(i + 1))
            if self._word(j, "of"):
                j = self._skip_main(self._skip_the(j + 1))
            col = self._column_at(main, j, numeric=True)
            if col is None or col[0].name in _key_columns(main):
                raise _Decline(f"'{t.text}' of what? Name a number column of {main.name}.")
            if plan.measure is not None:
                raise _Decline("More than one total is not a pattern the offline generator knows.")
            self._use(i, j - i)
            self._use(j, col[1])
            plan.agg, plan.measure = _AGGREGATES[t.low], col[0]

    def _filters(self, plan: _Plan) -> None:
        toks, main = self.toks, plan.table
        for i, _ in enumerate(toks):
            if toks[i].used:
                continue
            # a table followed by a number: its key ("order 5") or the foreign key to it ("store 1")
            named = self._table_at(i)
            if named is not None and self._number(i + named[1]) is not None:
                table, width = named
                value = str(self._number(i + width))
                if table.key == main.key and len(main.primary_key) == 1:
                    column = main.column(main.primary_key[0])
                else:
                    fk = _fk(main, table)
                    column = main.column(fk.columns[0]) if fk is not None and len(fk.columns) == 1 else None
                if column is None:
                    raise _Decline(f"'{toks[i].text} {value}' does not lead to a column of {main.name}.")
                self._add(plan, column, value)
                self._use(i, width + 1)
                continue
            own = self._column_at(main, i)
            if own is not None:
                column, width = own
                j = i + width
                if self._word(j, "is", "=", "equals"):
                    j += 1
                found_value = self._value(column, j)
                if found_value is None:
                    raise _Decline(f"Which value of {column.name}? '{toks[i].text}' is not followed by one it can use.")
                self._add(plan, column, found_value)
                self._use(i, j - i + 1)
                continue
            tok = toks[i]
            if tok.quoted or tok.low in _FILLER:
                continue
            owners = [(c, lab) for c in main.columns for lab in _labels(c) if lab.lower() == tok.low]
            if len({c.name for c, _ in owners}) == 1:
                self._add(plan, owners[0][0], owners[0][1])
                self._use(i)
                if self._word(i - 1, "by") and not toks[i - 1].used:  # "payments by card"
                    self._use(i - 1)

    def _value(self, column: Column, j: int) -> str | None:
        if not (0 <= j < len(self.toks)) or self.toks[j].used:
            return None
        tok = self.toks[j]
        for label in _labels(column):
            if label.lower() == tok.low:
                return label
        if _numeric(column):
            return tok.text if re.fullmatch(r"-?\d+(\.\d+)?", tok.text) else None
        if tok.quoted or (re.fullmatch(r"[A-Z0-9][A-Z0-9_-]*", tok.text) and any(ch.isalpha() for ch in tok.text)):
            return tok.text  # a value as written: quoted, or a code such as FR or SKU-0001
        return None

    def _add(self, plan: _Plan, column: Column, value: str) -> None:
        if any(c.name == column.name for c, _ in plan.filters):
            raise _Decline(f"Two values for {column.name}: one, both, or either?")
        plan.filters.append((column, value))


def _fk(child: Table, parent: Table) -> ForeignKey | None:
    """The single foreign key from ``child`` to ``parent``, if there is exactly one."""
    fks = [
        f for f in child.foreign_keys if f.ref_table == parent.name and (f.ref_schema or parent.schema) == parent.schema
    ]
    return fks[0] if len(fks) == 1 else None


def _key_columns(table: Table) -> set[str]:
    keys = set(table.primary_key)
    for fk in table.foreign_keys:
        keys.update(fk.columns)
    return keys


def _time_column(table: Table) -> Column | None:
    candidates = [
        c
        for c in table.columns
        if any(h in split_identifier(c.name) for h in _TIME_HINTS) or any(t in c.type.lower() for t in ("date", "time"))
    ]
    if not candidates:
        return None
    own = [c for c in candidates if set(_parts(table.name)) & set(_parts(c.name))]
    created = [
        c for c in candidates if any(p in ("created", "ordered", "placed", "paid") for p in split_identifier(c.name))
    ]
    return (own or created or candidates)[0]


def _label_column(table: Table) -> Column | None:
    for hint in _LABEL_HINTS:
        for col in table.columns:
            if col.name.lower() == hint or col.name.lower().endswith("_" + hint):
                return col
    return None


def _literal(column: Column, value: str) -> exp.Expr:
    if _numeric(column) and re.fullmatch(r"-?\d+(\.\d+)?", value):
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


def _build(plan: _Plan, model: SchemaModel) -> exp.Select:
    t = plan.table
    taken: set[str] = set()
    alias = _alias(t.name, taken)
    src = exp.to_table(t.name, db=t.schema if _qualify(model, t) else None).as_(alias)
    assumptions = plan.assumptions

    def col(name: str, table_alias: str = alias) -> exp.Column:
        return exp.column(name, table=table_alias, quoted=_needs_quote(name, model.dialect))

    def table(other: Table) -> tuple[exp.Expr, str]:
        a = _alias(other.name, taken)
        return exp.to_table(other.name, db=other.schema if _qualify(model, other) else None).as_(a), a

    def agg(fn: str, arg: exp.Expr) -> exp.Expr:
        return exp.Sum(this=arg) if fn == "SUM" else exp.Avg(this=arg)

    pk = t.primary_key[0] if t.primary_key else None
    fields: list[exp.Expr]
    if plan.kind == "count":
        select = exp.select(exp.Count(this=exp.Star()).as_("count")).from_(src)
    elif plan.kind == "group":
        assert plan.group_column is not None
        value = agg(plan.agg, col(plan.measure.name)) if plan.agg and plan.measure else exp.Count(this=exp.Star())
        name = "total" if plan.agg == "SUM" else "average" if plan.agg else "count"
        if plan.group_table is None:
            fields = [col(plan.group_column.name)]
            select = exp.select(*fields, value.as_(name)).from_(src)
        else:
            parent = plan.group_table
            p, pa = table(parent)
            fk = _fk(t, parent)
            assert fk is not None
            label = _label_column(parent)
            fields = [col(fk.ref_columns[0], pa), *([col(label.name, pa)] if label else [])]
            select = (
                exp.select(*fields, value.as_(name))
                .from_(src)
                .join(p, on=exp.EQ(this=col(fk.columns[0]), expression=col(fk.ref_columns[0], pa)))
            )
            assumptions.append(f"{parent.name} without {t.name} are not listed")
        select = select.group_by(*fields).order_by(exp.Ordered(this=exp.column(name), desc=True), *fields)
    elif plan.kind in ("top_sum", "top_count"):
        child = plan.other_table
        assert child is not None and plan.limit is not None
        fk = _fk(child, t)
        assert fk is not None
        c, ca = table(child)
        label = _label_column(t)
        key = fk.ref_columns[0]
        fields = [col(key), *([col(label.name)] if label else [])]
        if plan.kind == "top_sum":
            assert plan.measure is not None and plan.agg is not None
            name = "total" if plan.agg == "SUM" else "average"
            value = agg(plan.agg, col(plan.measure.name, ca)).as_(name)
        else:
            name, value = "count", exp.Count(this=exp.Star()).as_("count")
        select = (
            exp.select(*fields, value)
            .from_(src)
            .join(c, on=exp.EQ(this=col(fk.columns[0], ca), expression=col(key)))
            .group_by(*fields)
            .order_by(exp.Ordered(this=exp.column(name), desc=True), col(key))
            .limit(plan.limit)
        )
        assumptions.append(f"{t.name} without {child.name} are not listed")
    else:
        cols = t.columns[:8]
        select = exp.select(*[col(c.name) for c in cols]).from_(src)
        if len(t.columns) > len(cols):
            assumptions.append(f"shows the first {len(cols)} of {len(t.columns)} columns")
        order: list[exp.Expr] = []
        if plan.kind in ("latest", "top"):
            assert plan.order_column is not None
            order.append(exp.Ordered(this=col(plan.order_column.name), desc=True))
            if plan.kind == "latest":
                assumptions.append(f"'latest' means the highest {plan.order_column.name}")
        if pk:
            order.append(exp.Ordered(this=col(pk), desc=plan.kind == "latest"))
        if order:
            select = select.order_by(*order)
        assert plan.limit is not None
        select = select.limit(plan.limit)
    for column, text in plan.filters:
        select = select.where(exp.EQ(this=col(column.name), expression=_literal(column, text)))
        assumptions.append(f"{column.name} = {text!r} (matched from the request)")
    return select


def _describe(plan: _Plan) -> str:
    t = plan.table.name
    if plan.kind == "group":
        what = f"the {'total' if plan.agg == 'SUM' else 'average'} of {plan.measure.name}" if plan.measure else "rows"
        per = plan.group_table.name if plan.group_table else plan.group_column.name if plan.group_column else ""
        return f"Counts {t} per {per}." if not plan.measure else f"Computes {what} of {t} per {per}."
    other = plan.other_table.name if plan.other_table else ""
    return {
        "count": f"Counts the rows of {t}.",
        "top_sum": f"Ranks {t} by the total of {other}.{plan.measure.name if plan.measure else ''}.",
        "top_count": f"Ranks {t} by their number of {other}.",
        "latest": f"Lists the most recent {t}.",
        "first": f"Lists the first {t} by key.",
        "top": f"Lists the top {t} by {plan.order_column.name if plan.order_column else ''}.",
        "list": f"Lists {t}.",
    }[plan.kind]


def _qualify(model: SchemaModel, table: Table) -> bool:
    return table.schema is not None and table.schema != model.default_schema


def _needs_quote(name: str, dialect: Dialect) -> bool:
    simple = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) is not None
    return not simple or (dialect is Dialect.POSTGRESQL and name != name.lower())
