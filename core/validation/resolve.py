"""Scope-aware name resolution: every table and column reference checked against the snapshot.

Written for precision first: a reference is reported only when the database would reject it.
Whenever a scope holds a source whose columns are unknown (a table function, a system catalog, a
derived table over one), unqualified names that might come from it are not judged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlglot import exp

from core.domain.schema import Column, Dialect, Table, TableKind
from core.validation.model import Access
from core.validation.names import SchemaIndex
from core.validation.suggest import suggest

Report = Callable[..., None]
"""report(rule_id, message, node, suggestion=None, **overrides)."""

QUERY = (exp.Select, exp.SetOperation)
NILADIC = {
    "user",
    "current_user",
    "session_user",
    "current_role",
    "current_catalog",
    "current_schema",
    "localtime",
    "localtimestamp",
    "current_date",
    "current_time",
    "current_timestamp",
    "sysdate",
    "utc_date",
    "utc_time",
    "utc_timestamp",
}
ALIAS_CLAUSES = {
    Dialect.POSTGRESQL: {"group", "order"},
    Dialect.MYSQL: {"group", "having", "order"},
    Dialect.SQLITE: {"where", "group", "having", "order", "qualify"},
}


@dataclass(slots=True)
class Source:
    alias: str
    """How the scope refers to it (alias, or the table name)."""
    key: str
    table: Table | None = None
    columns: dict[str, str] | None = None
    """Normalized name -> display name; None when unknown."""
    node: exp.Expr | None = None
    schema_name: str | None = None


@dataclass(slots=True)
class ColumnRef:
    node: exp.Column
    table: Table | None
    column: Column | None
    clause: str
    source: Source | None


@dataclass(slots=True)
class Scope:
    parent: Scope | None
    node: exp.Expr
    sources: dict[str, Source] = field(default_factory=dict)
    using: set[str] = field(default_factory=set)
    output: dict[str, str] = field(default_factory=dict)
    """Select-list aliases (normalized -> display)."""
    refs: list[ColumnRef] = field(default_factory=list)

    def chain(self) -> Iterator[Scope]:
        scope: Scope | None = self
        while scope is not None:
            yield scope
            scope = scope.parent


@dataclass(slots=True)
class TableRef:
    node: exp.Table
    table: Table
    access: Access


@dataclass(slots=True)
class Resolution:
    tables: list[TableRef] = field(default_factory=list)
    columns: list[ColumnRef] = field(default_factory=list)
    written_columns: list[tuple[Table, Column]] = field(default_factory=list)
    scopes: list[Scope] = field(default_factory=list)


def _ident(node: exp.Expr | None) -> exp.Identifier | None:
    if isinstance(node, exp.Identifier):
        return node
    if isinstance(node, exp.Expression) and isinstance(node.this, exp.Identifier):
        return node.this
    return None


def _key_ident(node: exp.Expr) -> exp.Identifier | None:
    """The column named in a key's column list: ``a``, ``a DESC`` or ``t.a``."""
    if isinstance(node, exp.Ordered):
        node = node.this
    if isinstance(node, exp.Column):
        node = node.this
    return node if isinstance(node, exp.Identifier) else None


def _alias_ident(node: exp.Expr) -> exp.Identifier | None:
    alias = node.args.get("alias")
    if isinstance(alias, exp.TableAlias):
        return _ident(alias.this) if alias.this is not None else None
    if isinstance(alias, exp.Identifier):
        return alias
    return None


def _alias_columns(node: exp.Expr) -> list[exp.Identifier]:
    alias = node.args.get("alias")
    if isinstance(alias, exp.TableAlias):
        return [c for c in alias.columns if isinstance(c, exp.Identifier)]
    return []


class Resolver:
    """Resolves one statement; reports schema findings through ``report``."""

    def __init__(self, index: SchemaIndex, report: Report, text: str = "") -> None:
        self.text = text
        self.index = index
        self.dialect = index.dialect
        self.report = report
        self.result = Resolution()
        self.ctes: list[dict[str, dict[str, str] | None]] = []

    # --- entry points ----------------------------------------------------------------------------

    def statement(self, tree: exp.Expr) -> Resolution:
        if isinstance(tree, (*QUERY, exp.Subquery)):
            self.query(tree, None)
        elif isinstance(tree, exp.Insert):
            self.insert(tree)
        elif isinstance(tree, exp.Update):
            self.update(tree)
        elif isinstance(tree, exp.Delete):
            self.delete(tree)
        elif isinstance(tree, exp.Merge):
            self.merge(tree)
        else:
            for node in tree.find_all(*QUERY):
                if not isinstance(node.parent, (*QUERY, exp.Subquery)):
                    self.query(node, None)
                    break
        return self.result

    # --- queries ---------------------------------------------------------------------------------

    def query(self, node: exp.Expr, parent: Scope | None) -> dict[str, str] | None:
        """Resolve a query expression; return its output columns (None if unknown)."""
        if isinstance(node, exp.Subquery):
            return self.query(node.this, parent)
        pushed = self._push_ctes(node, parent)
        try:
            if isinstance(node, exp.SetOperation):
                branches = _set_branches(node)
                first = self.query(branches[0], parent)
                for branch in branches[1:]:
                    self.query(branch, parent)
                return first
            if isinstance(node, exp.Select):
                return self.select(node, parent)
            if isinstance(node, exp.Values):
                return None
            return None
        finally:
            if pushed:
                self.ctes.pop()

    def _push_ctes(self, node: exp.Expr, parent: Scope | None) -> bool:
        with_ = node.args.get("with_") or node.args.get("with")
        if not isinstance(with_, exp.With):
            return False
        frame: dict[str, dict[str, str] | None] = {}
        self.ctes.append(frame)
        for cte in with_.expressions:
            name = _alias_ident(cte)
            if name is None:
                continue
            key = self.index.alias_key(name)
            declared = _alias_columns(cte)
            if with_.args.get("recursive") or declared:
                frame[key] = {self.index.ident_column_key(c): c.this for c in declared} or None
            body = cte.this
            if isinstance(body, exp.Select | exp.SetOperation | exp.Subquery):
                outputs = self.query(body, parent)
            else:
                self._statement_in_cte(body, parent)
                outputs = self._returning_columns(body)
            frame[key] = {self.index.ident_column_key(c): c.this for c in declared} if declared else outputs
        return True

    def _statement_in_cte(self, body: exp.Expr, parent: Scope | None) -> None:
        if isinstance(body, exp.Insert):
            self.insert(body)
        elif isinstance(body, exp.Update):
            self.update(body)
        elif isinstance(body, exp.Delete):
            self.delete(body)

    def _returning_columns(self, body: exp.Expr) -> dict[str, str] | None:
        returning = body.args.get("returning")
        if not isinstance(returning, exp.Returning):
            return None
        return self._outputs(returning.expressions, None)

    def _cte(self, name: exp.Identifier) -> tuple[bool, dict[str, str] | None]:
        key = self.index.alias_key(name)
        for frame in reversed(self.ctes):
            if key in frame:
                return True, frame[key]
        return False, None

    def select(self, node: exp.Select, parent: Scope | None) -> dict[str, str] | None:
        scope = Scope(parent=parent, node=node)
        self.result.scopes.append(scope)
        from_ = node.args.get("from_") or node.args.get("from")
        if isinstance(from_, exp.From):
            self.add_source(scope, from_.this)
        for join in node.args.get("joins") or []:
            self.add_source(scope, join.this)
            for ident in join.args.get("using") or []:
                if isinstance(ident, exp.Identifier):
                    scope.using.add(self.index.ident_column_key(ident))
                    self._check_using(scope, ident)
            if str(join.args.get("method") or "").upper() == "NATURAL":
                scope.using.update(self._natural_columns(scope))
        outputs = self._outputs(node.expressions, scope)
        scope.output = dict(outputs or {})
        for key, value in node.args.items():
            if key in ("from_", "from", "with_", "with", "into") or value is None:
                continue
            if key == "joins":
                for join in value:
                    if isinstance(join.args.get("on"), exp.Expression):
                        self.visit(join.args["on"], scope, "join")
                continue
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, exp.Expression):
                    self.visit(item, scope, key)
        return outputs

    def _outputs(self, expressions: list[exp.Expr], scope: Scope | None) -> dict[str, str] | None:
        outputs: dict[str, str] = {}
        for e in expressions:
            if isinstance(e, exp.Star):
                if scope is None:
                    return None
                for source in scope.sources.values():
                    if source.columns is None:
                        return None
                    outputs.update(source.columns)
                continue
            if isinstance(e, exp.Column) and isinstance(e.this, exp.Star):
                if scope is None:
                    return None
                starred = self._find_source(scope, e, report=False)
                if starred is None or starred.columns is None:
                    return None
                outputs.update(starred.columns)
                continue
            name = e.alias_or_name
            if name:
                ident = e.args.get("alias") if isinstance(e, exp.Alias) else _ident(e)
                key = self.index.ident_column_key(ident if isinstance(ident, exp.Identifier) else name)
                outputs[key] = name
        return outputs

    def add_source(self, scope: Scope, node: exp.Expr) -> None:
        alias = _alias_ident(node)
        declared = _alias_columns(node)
        declared_cols = {self.index.ident_column_key(c): c.this for c in declared} or None
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
            self._table_source(scope, node, alias, declared_cols)
            for join in node.args.get("joins") or []:  # MySQL multi-table UPDATE/DELETE
                self.add_source(scope, join.this)
                if isinstance(join.args.get("on"), exp.Expression):
                    self.visit(join.args["on"], scope, "join")
            return
        if isinstance(node, exp.Subquery):
            outputs = self.query(node.this, scope if node.args.get("lateral") else scope.parent)
            name = alias.this if alias else f"subquery{len(scope.sources)}"
            self._put(scope, alias or name, Source(alias=name, key="", columns=declared_cols or outputs, node=node))
            return
        if isinstance(node, exp.Lateral):
            inner = node.this
            outputs = self.query(inner, scope) if isinstance(inner, (*QUERY, exp.Subquery)) else None
            if not isinstance(inner, (*QUERY, exp.Subquery)) and isinstance(inner, exp.Expression):
                self.visit(inner, scope, "from")
            name = alias.this if alias else f"lateral{len(scope.sources)}"
            self._put(scope, alias or name, Source(alias=name, key="", columns=declared_cols or outputs, node=node))
            return
        if isinstance(node, exp.Values):
            if scope.parent is not None:
                for row in node.expressions:
                    self.visit(row, scope.parent, "from")
            name = alias.this if alias else f"values{len(scope.sources)}"
            self._put(scope, alias or name, Source(alias=name, key="", columns=declared_cols, node=node))
            return
        # table functions (generate_series, unnest, json_each, ...): arguments may read earlier sources
        target = node.this if isinstance(node, exp.Table) else node
        if isinstance(target, exp.Expression):
            self.visit(target, scope, "from")
        if alias is None and isinstance(target, exp.Func):
            name = target.sql_name().lower() if hasattr(target, "sql_name") else "function"
            if isinstance(target, exp.Anonymous):
                name = str(target.this).lower()
            self._put(scope, name, Source(alias=name, key="", columns=None, node=node))
            return
        name = alias.this if alias else f"function{len(scope.sources)}"
        self._put(scope, alias or name, Source(alias=name, key="", columns=declared_cols, node=node))

    def _put(self, scope: Scope, alias: exp.Identifier | str, source: Source) -> None:
        key = self.index.alias_key(alias)
        source.key = key
        scope.sources[key] = source

    def _table_source(
        self,
        scope: Scope,
        node: exp.Table,
        alias: exp.Identifier | None,
        declared: dict[str, str] | None,
        access: Access = Access.READ,
    ) -> Source | None:
        name_ident = node.this
        assert isinstance(name_ident, exp.Identifier)
        schema_ident = _ident(node.args.get("db"))
        if schema_ident is None:
            found, cte_columns = self._cte(name_ident)
            if found:
                src = Source(alias=(alias or name_ident).this, key="", columns=declared or cte_columns, node=node)
                self._put(scope, alias or name_ident, src)
                return src
        table = self.lookup(node, access)
        display = (alias or name_ident).this
        if table is None:
            src = Source(alias=display, key="", columns=None, node=node)
        else:
            cols = declared or {self.index.column_key(c.name): c.name for c in table.columns}
            src = Source(
                alias=display,
                key="",
                table=table,
                columns=cols,
                node=node,
                schema_name=schema_ident.this if schema_ident else None,
            )
        self._put(scope, alias or name_ident, src)
        return src

    def lookup(self, node: exp.Table, access: Access, *, report: bool = True) -> Table | None:
        """A table reference: the snapshot's table, or a finding (unknown / wrong case)."""
        name_ident = node.this
        if not isinstance(name_ident, exp.Identifier):
            return None
        if self.index.empty:
            return None
        found = self.index.lookup_table(_ident(node.args.get("db")), name_ident)
        if found.table is not None:
            self.result.tables.append(TableRef(node=node, table=found.table, access=access))
            return found.table
        if found.system or not report:
            return None
        shown = ".".join(p.this for p in (_ident(node.args.get("db")), name_ident) if p is not None)
        if found.case_mismatch is not None:
            real = found.case_mismatch
            self.report(
                "schema.identifier_case",
                self._case_message("table", shown, real.name),
                node,
                suggestion=self._case_fix(real.name),
            )
            self.result.tables.append(TableRef(node=node, table=real, access=access))
            return real
        hint = f"did you mean {', '.join(found.suggestions)}?" if found.suggestions else None
        self.report(
            "schema.unknown_table", f"table or view {shown!r} does not exist in the snapshot", node, suggestion=hint
        )
        return None

    def _case_message(self, what: str, shown: str, real: str) -> str:
        if self.dialect is Dialect.POSTGRESQL:
            return (
                f"{what} {shown!r} does not exist: PostgreSQL folds unquoted names to lower case, and the "
                f"{what} is named {real!r}"
            )
        return (
            f"{what} {shown!r} does not exist: table names are case-sensitive on this server "
            f"(lower_case_table_names=0), and the {what} is named {real!r}"
        )

    def _case_fix(self, real: str) -> str:
        return f'write it as "{real}"' if self.dialect is Dialect.POSTGRESQL else f"write it as `{real}`"

    def _check_using(self, scope: Scope, ident: exp.Identifier) -> None:
        key = self.index.ident_column_key(ident)
        holders = [s for s in scope.sources.values() if s.columns is None or key in s.columns]
        if not holders and all(s.columns is not None for s in scope.sources.values()):
            self.report(
                "schema.unknown_column",
                f"USING column {ident.this!r} is in none of the joined tables",
                ident,
                suggestion=self._suggest_columns(ident.this, list(scope.sources.values())),
            )

    def _natural_columns(self, scope: Scope) -> set[str]:
        seen: dict[str, int] = {}
        for s in scope.sources.values():
            for key in s.columns or {}:
                seen[key] = seen.get(key, 0) + 1
        return {k for k, n in seen.items() if n > 1}

    # --- expressions -----------------------------------------------------------------------------

    def visit(self, node: exp.Expr, scope: Scope, clause: str) -> None:
        """Resolve the columns of an expression; nested queries get their own scope."""
        stack = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, QUERY):
                self.query(current, scope)
                continue
            if isinstance(current, exp.Subquery):
                self.query(current.this, scope)
                continue
            if isinstance(current, exp.Column):
                self.column(current, scope, clause)
                continue
            if isinstance(current, exp.Lambda | exp.Placeholder | exp.Parameter):
                continue
            stack.extend(child for child in current.iter_expressions())

    def column(self, node: exp.Column, scope: Scope, clause: str) -> None:
        if isinstance(node.this, exp.Star):
            if node.args.get("table") is not None:
                self._find_source(scope, node, report=True)
            return
        ident = node.this
        if not isinstance(ident, exp.Identifier):
            return
        key = self.index.ident_column_key(ident)
        if node.args.get("table") is not None:
            source = self._find_source(scope, node, report=True)
            if source is None or source.columns is None:
                return
            self._check_in_source(node, ident, key, source, scope, clause)
            return
        self._unqualified(node, ident, key, scope, clause)

    def _find_source(self, scope: Scope, node: exp.Column, *, report: bool) -> Source | None:
        qualifier = node.args.get("table")
        assert isinstance(qualifier, exp.Identifier)
        db = _ident(node.args.get("db"))
        qkey = self.index.alias_key(qualifier)
        for s in scope.chain():
            source = s.sources.get(qkey)
            if source is not None:
                return source
            for source in s.sources.values():
                if source.table is None or source.key == qkey:
                    continue
                # schema-qualified column (public.orders.id) or the table's own name without an alias
                if (
                    db is not None
                    and source.table.name == qualifier.this
                    and (source.table.schema or "").lower() == db.this.lower()
                ):
                    return source
        if any(
            src.columns is None and src.table is None and src.alias.lower() == qualifier.this.lower()
            for s in scope.chain()
            for src in s.sources.values()
        ):
            return None
        if report:
            known = sorted({src.alias for s in scope.chain() for src in s.sources.values()})
            where = f"; in scope: {', '.join(known)}" if known else ""
            self.report(
                "schema.unknown_alias", f"{qualifier.this!r} names no table or alias in this query{where}", qualifier
            )
        return None

    def _check_in_source(
        self, node: exp.Column, ident: exp.Identifier, key: str, source: Source, scope: Scope, clause: str
    ) -> None:
        assert source.columns is not None
        if key in source.columns or self.index.is_system_column(key):
            self._record(node, source, key, clause, scope)
            return
        if self.dialect is Dialect.POSTGRESQL and not ident.quoted:
            real = next((n for k, n in source.columns.items() if k.lower() == key), None)
            if real is not None:
                self.report(
                    "schema.identifier_case",
                    self._case_message("column", ident.this, real),
                    ident,
                    suggestion=self._case_fix(real),
                )
                return
        self.report(
            "schema.unknown_column",
            f"column {ident.this!r} does not exist in {source.alias!r}",
            ident,
            suggestion=self._suggest_columns(ident.this, [source]),
        )

    def _unqualified(self, node: exp.Column, ident: exp.Identifier, key: str, scope: Scope, clause: str) -> None:
        unknown_sources = False
        for level, s in enumerate(scope.chain()):
            holders = [src for src in s.sources.values() if src.columns is not None and key in src.columns]
            unknown_sources = unknown_sources or any(src.columns is None for src in s.sources.values())
            if len(holders) == 1 or (holders and key in s.using):
                self._record(node, holders[0], key, clause, s)
                return
            if len(holders) > 1:
                if unknown_sources:
                    return
                names = ", ".join(h.alias for h in holders)
                self.report(
                    "schema.ambiguous_column",
                    f"column {ident.this!r} is ambiguous: it is in {names}",
                    ident,
                    suggestion=f"qualify it, e.g. {holders[0].alias}.{ident.this}",
                )
                return
            if level == 0 and key in s.output:
                if clause in ALIAS_CLAUSES[self.dialect]:
                    return
                if not unknown_sources and clause in ("where", "having", "join"):
                    self.report(
                        "schema.alias_not_allowed",
                        f"{ident.this!r} is a select-list alias, which {self.dialect.value} does not allow "
                        f"in {clause.upper()}",
                        ident,
                        suggestion="repeat the expression instead of the alias",
                    )
                    return
            if any(src.columns is None for src in s.sources.values()):
                return
            if self.dialect is Dialect.POSTGRESQL and key in {src.key for src in s.sources.values()}:
                return  # a whole-row reference to a table
        if unknown_sources or key in NILADIC or self.index.is_system_column(key) or self.index.empty:
            return
        if not any(s.sources for s in scope.chain()):
            return  # SELECT without FROM: nothing to resolve against
        if ident.quoted and self.dialect is Dialect.SQLITE and self._quote_char(ident) == '"':
            self.report(
                "schema.double_quoted_string",
                f"\"{ident.this}\" is not a column, so SQLite reads it as the string '{ident.this}'",
                ident,
                suggestion=f"write the string as '{ident.this}'",
            )
            return
        sources = [src for s in scope.chain() for src in s.sources.values()]
        if self.dialect is Dialect.POSTGRESQL and not ident.quoted:
            for src in sources:
                real = next((n for k, n in (src.columns or {}).items() if k.lower() == key), None)
                if real is not None:
                    self.report(
                        "schema.identifier_case",
                        self._case_message("column", ident.this, real),
                        ident,
                        suggestion=self._case_fix(real),
                    )
                    return
        where = ", ".join(src.alias for src in scope.sources.values()) or "this query"
        self.report(
            "schema.unknown_column",
            f"column {ident.this!r} does not exist in {where}",
            ident,
            suggestion=self._suggest_columns(ident.this, sources),
        )

    def _record(self, node: exp.Column, source: Source, key: str, clause: str, scope: Scope) -> None:
        column = self.index.column_map(source.table).get(key) if source.table is not None else None
        ref = ColumnRef(node=node, table=source.table, column=column, clause=clause, source=source)
        scope.refs.append(ref)
        self.result.columns.append(ref)

    def _quote_char(self, ident: exp.Identifier) -> str:
        start = ident.meta.get("start")
        return self.text[start] if isinstance(start, int) and 0 <= start < len(self.text) else '"'

    def _suggest_columns(self, name: str, sources: list[Source]) -> str | None:
        names: dict[str, str] = {}
        for s in sources:
            for display in (s.columns or {}).values():
                names.setdefault(display, f"{s.alias}.{display}" if len(sources) > 1 else display)
        close = suggest(name, list(names))
        return f"did you mean {', '.join(names[c] for c in close)}?" if close else None

    # --- DML -------------------------------------------------------------------------------------

    def _target(self, node: exp.Expr, scope: Scope, access: Access) -> Source | None:
        if isinstance(node, exp.Schema):
            node = node.this
        if not isinstance(node, exp.Table) or not isinstance(node.this, exp.Identifier):
            if isinstance(node, exp.Expression):
                self.add_source(scope, node)
            return None
        alias = _alias_ident(node)
        src = self._table_source(scope, node, alias, None, access=access)
        for join in node.args.get("joins") or []:
            self.add_source(scope, join.this)
            if isinstance(join.args.get("on"), exp.Expression):
                self.visit(join.args["on"], scope, "join")
        return src

    def insert(self, node: exp.Insert) -> None:
        pushed = self._push_ctes(node, None)
        try:
            scope = Scope(parent=None, node=node)
            self.result.scopes.append(scope)
            target_node = node.this
            src = self._target(target_node, scope, Access.WRITE)
            table = src.table if src else None
            listed: list[exp.Identifier] = []
            if isinstance(target_node, exp.Schema):
                listed = [c for c in target_node.expressions if isinstance(c, exp.Identifier)]
            columns = self.index.column_map(table) if table else {}
            if src is not None and table is not None:
                for ident in listed:
                    key = self.index.ident_column_key(ident)
                    if key in columns:
                        self.result.written_columns.append((table, columns[key]))
                    else:
                        self.report(
                            "schema.unknown_column",
                            f"column {ident.this!r} does not exist in {table.name!r}",
                            ident,
                            suggestion=self._suggest_columns(ident.this, [src]),
                        )
            source = node.expression
            width = len(listed) if listed else (len(table.columns) if table else None)
            if isinstance(source, exp.Values):
                for row in source.expressions:
                    self.visit(row, scope, "values")
                    values = row.expressions if isinstance(row, exp.Tuple) else [row]
                    fewer_ok = self.dialect is Dialect.POSTGRESQL and not listed and len(values) < (width or 0)
                    if width is not None and len(values) != width and not fewer_ok:
                        self.report(
                            "schema.insert_count_mismatch",
                            f"the INSERT names {width} column(s) but a row has {len(values)} value(s)",
                            row,
                        )
                        break
            elif isinstance(source, (*QUERY, exp.Subquery)):
                outputs = self.query(source, None)
                inner = source.this if isinstance(source, exp.Subquery) else source
                if (
                    width is not None
                    and isinstance(inner, exp.Select)
                    and outputs is not None
                    and not any(
                        isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star))
                        for e in inner.expressions
                    )
                ) and len(inner.expressions) != width:
                    self.report(
                        "schema.insert_count_mismatch",
                        f"the INSERT names {width} column(s) but the SELECT returns {len(inner.expressions)}",
                        inner,
                    )
            if table is not None and listed and source is not None:
                given = {self.index.ident_column_key(i) for i in listed}
                missing = [
                    c.name
                    for c in table.columns
                    if not c.nullable and not c.has_default and self.index.column_key(c.name) not in given
                ]
                if missing:
                    self.report(
                        "schema.missing_not_null",
                        f"the INSERT leaves out NOT NULL column(s) without a default: {', '.join(missing)}",
                        target_node,
                        suggestion=f"give a value for {', '.join(missing)}",
                    )
            conflict = node.args.get("conflict")
            if isinstance(conflict, exp.OnConflict) and src is not None:
                if src.table is not None:
                    self._put(
                        scope,
                        "excluded",
                        Source(alias="excluded", key="excluded", table=src.table, columns=src.columns),
                    )
                for item in conflict.args.get("conflict_keys") or []:
                    if isinstance(item, exp.Identifier) and src.columns is not None:
                        key = self.index.ident_column_key(item)
                        if key not in src.columns:
                            self.report(
                                "schema.unknown_column",
                                f"conflict column {item.this!r} does not exist",
                                item,
                                suggestion=self._suggest_columns(item.this, [src]),
                            )
                self._assignments(conflict.args.get("expressions") or [], scope, src)
                if isinstance(conflict.args.get("where"), exp.Expression):
                    self.visit(conflict.args["where"], scope, "where")
            self._returning(node, scope)
        finally:
            if pushed:
                self.ctes.pop()

    def _assignments(self, items: list[exp.Expr], scope: Scope, target: Source | None) -> None:
        for item in items:
            if isinstance(item, exp.EQ) and isinstance(item.this, exp.Column):
                left = item.this
                if target is not None and target.columns is not None and left.args.get("table") is None:
                    key = self.index.ident_column_key(left.this)
                    if key not in target.columns:
                        self.report(
                            "schema.unknown_column",
                            f"column {left.name!r} does not exist in {target.alias!r}",
                            left.this,
                            suggestion=self._suggest_columns(left.name, [target]),
                        )
                    elif target.table is not None:
                        self.result.written_columns.append((target.table, self.index.column_map(target.table)[key]))
                        self._record(left, target, key, "set", scope)
                else:
                    self.column(left, scope, "set")
                self.visit(item.expression, scope, "set")
            else:
                self.visit(item, scope, "set")

    def _returning(self, node: exp.Expr, scope: Scope) -> None:
        returning = node.args.get("returning")
        if isinstance(returning, exp.Returning):
            self.visit(returning, scope, "returning")

    @contextmanager
    def _statement_scope(self, node: exp.Expr) -> Iterator[Scope]:
        """A top-level scope for a DML statement, with its WITH clause visible."""
        pushed = self._push_ctes(node, None)
        try:
            scope = Scope(parent=None, node=node)
            self.result.scopes.append(scope)
            yield scope
            for key in ("where", "order", "limit"):
                if isinstance(node.args.get(key), exp.Expression):
                    self.visit(node.args[key], scope, key)
            self._returning(node, scope)
        finally:
            if pushed:
                self.ctes.pop()

    def update(self, node: exp.Update) -> None:
        with self._statement_scope(node) as scope:
            target = self._target(node.this, scope, Access.WRITE)
            from_ = node.args.get("from_") or node.args.get("from")
            if isinstance(from_, exp.From):
                self.add_source(scope, from_.this)
            for join in node.args.get("joins") or []:
                self.add_source(scope, join.this)
                if isinstance(join.args.get("on"), exp.Expression):
                    self.visit(join.args["on"], scope, "join")
            self._assignments(node.expressions, scope, target)

    def delete(self, node: exp.Delete) -> None:
        with self._statement_scope(node) as scope:
            self._target(node.this, scope, Access.WRITE)
            for using in node.args.get("using") or []:
                self.add_source(scope, using)
            for table in node.args.get("tables") or []:  # MySQL: DELETE t1 FROM t1 JOIN t2
                if isinstance(table, exp.Table) and isinstance(table.this, exp.Identifier):
                    src = scope.sources.get(self.index.alias_key(table.this))
                    if src is not None and src.table is not None:
                        self.result.tables.append(TableRef(node=table, table=src.table, access=Access.WRITE))

    def merge(self, node: exp.Merge) -> None:
        scope = Scope(parent=None, node=node)
        self.result.scopes.append(scope)
        target = self._target(node.this, scope, Access.WRITE)
        using = node.args.get("using")
        if isinstance(using, exp.Expression):
            self.add_source(scope, using)
        if isinstance(node.args.get("on"), exp.Expression):
            self.visit(node.args["on"], scope, "join")
        whens = node.args.get("whens")
        for when in whens.expressions if isinstance(whens, exp.Whens) else []:
            then = when.args.get("then")
            if isinstance(when.args.get("condition"), exp.Expression):
                self.visit(when.args["condition"], scope, "where")
            if isinstance(then, exp.Update):
                self._assignments(then.expressions, scope, target)
            elif isinstance(then, exp.Insert):
                if isinstance(then.this, exp.Tuple | exp.Schema):
                    for ident in then.this.expressions:
                        if isinstance(ident, exp.Column | exp.Identifier) and target and target.columns is not None:
                            key = self.index.ident_column_key(
                                ident if isinstance(ident, exp.Identifier) else ident.this
                            )
                            if key not in target.columns:
                                self.report(
                                    "schema.unknown_column",
                                    f"column {ident.name!r} does not exist in {target.alias!r}",
                                    ident,
                                )
                if isinstance(then.expression, exp.Expression):
                    self.visit(then.expression, scope, "values")


def table_from_create(index: SchemaIndex, node: exp.Create) -> tuple[str | None, str, list[Column], TableKind] | None:
    """What a CREATE TABLE/VIEW defines, for the script overlay."""
    target = node.this
    schema_node = target if isinstance(target, exp.Schema) else None
    table_node = schema_node.this if schema_node is not None else target
    if not isinstance(table_node, exp.Table) or not isinstance(table_node.this, exp.Identifier):
        return None
    name = table_node.this.this
    if index.dialect is Dialect.POSTGRESQL and not table_node.this.quoted:
        name = name.lower()
    db = _ident(table_node.args.get("db"))
    columns: list[Column] = []
    if schema_node is not None:
        for cd in schema_node.expressions:
            if isinstance(cd, exp.ColumnDef):
                col_name = cd.this.this if isinstance(cd.this, exp.Identifier) else cd.name
                if index.dialect is Dialect.POSTGRESQL and isinstance(cd.this, exp.Identifier) and not cd.this.quoted:
                    col_name = col_name.lower()
                columns.append(column_from_def(cd, col_name))
            elif isinstance(cd, exp.PrimaryKey):
                keys = {index.ident_column_key(ident) for e in cd.expressions if (ident := _key_ident(e)) is not None}
                for col in columns:
                    if index.column_key(col.name) in keys:
                        col.nullable = False
    if index.dialect is Dialect.SQLITE:
        for col in columns:  # INTEGER PRIMARY KEY is the rowid: filled in when left out
            if col.type.upper() == "INT" and not col.nullable and col.default is None:
                pk_like = schema_node is not None and any(
                    isinstance(cd, exp.ColumnDef)
                    and cd.name == col.name
                    and any(
                        isinstance(c.args.get("kind"), exp.PrimaryKeyColumnConstraint)
                        for c in cd.args.get("constraints") or []
                    )
                    for cd in schema_node.expressions
                )
                if pk_like:
                    col.identity = "rowid"
    kind = TableKind.VIEW if str(node.args.get("kind") or "").upper() == "VIEW" else TableKind.TABLE
    return (db.this if db else None), name, columns, kind


def column_from_def(cd: exp.ColumnDef, name: str) -> Column:
    kind = cd.args.get("kind")
    col = Column(name=name, type=kind.sql() if isinstance(kind, exp.Expression) else "")
    if col.type.upper() in ("SERIAL", "BIGSERIAL", "SMALLSERIAL", "SERIAL4", "SERIAL8", "SERIAL2"):
        col.identity = "serial"
    for constraint in cd.args.get("constraints") or []:
        inner = constraint.args.get("kind") if isinstance(constraint, exp.ColumnConstraint) else constraint
        if (isinstance(inner, exp.NotNullColumnConstraint) and not inner.args.get("allow_null")) or isinstance(
            inner, exp.PrimaryKeyColumnConstraint
        ):
            col.nullable = False
        elif isinstance(inner, exp.DefaultColumnConstraint):
            col.default = inner.this.sql() if isinstance(inner.this, exp.Expression) else "default"
        elif isinstance(inner, exp.GeneratedAsIdentityColumnConstraint | exp.AutoIncrementColumnConstraint):
            col.identity = "generated"
        elif isinstance(inner, exp.ComputedColumnConstraint):
            col.generated = "generated"
    return col


def _set_branches(node: exp.SetOperation) -> list[exp.Expr]:
    """The branches of a chain of UNION/INTERSECT/EXCEPT, left to right, without recursing down the chain."""
    branches: list[exp.Expr] = []
    current: exp.Expr = node
    while isinstance(current, exp.SetOperation) and (
        current is node or not (current.args.get("with_") or current.args.get("with"))
    ):
        branches.append(current.right)
        current = current.left
    branches.append(current)
    branches.reverse()
    return branches
