"""The validator: a script in, one Validation out.

>>> from core.domain.schema import Column, Dialect, SchemaModel, Table
>>> model = SchemaModel(dialect=Dialect.SQLITE, tables=[Table(None, "t", columns=[Column("id", "integer")])])
>>> Validator(SchemaIndex(model)).validate("SELECT idd FROM t").findings[0].rule
'schema.unknown_column'
"""

from __future__ import annotations

from dataclasses import replace

import sqlglot
from sqlglot import exp

from core.domain.schema import Dialect
from core.errors import InvalidInput, TooLarge
from core.validation.context import Settings, StatementContext
from core.validation.ddl import ddl_rules, script_ddl_rules
from core.validation.model import (
    Access,
    Category,
    Finding,
    ImpactedObject,
    RiskLevel,
    ScriptMode,
    Severity,
    StatementInfo,
    Status,
    Validation,
)
from core.validation.names import SchemaIndex
from core.validation.perf import perf_rules
from core.validation.resolve import Resolver
from core.validation.risk import (
    READ,
    classify,
    mode_rules,
    script_rules,
    token_rules,
    tree_rules,
    where_rules,
)
from core.validation.script import Explain, Script

_BLOCKING = {"syntax.parse_error", "syntax.too_complex", "syntax.ambiguous_lexing"}

DEFAULT_MAX_CHARS = 262_144


def parse_mode(value: str | ScriptMode | None) -> ScriptMode:
    if isinstance(value, ScriptMode):
        return value
    try:
        return ScriptMode((value or "query").strip().lower())
    except ValueError:
        raise InvalidInput(f"unknown mode {value!r}: use query, dml or ddl") from None


def parse_dialect(value: str | Dialect) -> Dialect:
    if isinstance(value, Dialect):
        return value
    aliases = {"postgres": "postgresql", "pg": "postgresql", "mariadb": "mysql"}
    text = (value or "").strip().lower()
    try:
        return Dialect(aliases.get(text, text))
    except ValueError:
        raise InvalidInput(f"unknown dialect {value!r}: use postgresql, mysql (or mariadb) or sqlite") from None


class Validator:
    """Validates scripts against one snapshot's schema index (build once per snapshot, reuse)."""

    def __init__(
        self,
        index: SchemaIndex,
        *,
        settings: Settings | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
        checksum: str | None = None,
    ) -> None:
        self.index = index
        self.settings = settings or Settings()
        self.max_chars = max_chars
        self.checksum = checksum

    @property
    def dialect(self) -> Dialect:
        return self.index.dialect

    def validate(self, sql: str, mode: ScriptMode | str = ScriptMode.QUERY) -> Validation:
        """Check a whole script.

        Raises:
            InvalidInput: empty text, only comments.
            TooLarge: over the size limit.
        """
        mode = parse_mode(mode)
        if sql is None or not sql.strip():
            raise InvalidInput("there is no SQL to validate: the text is empty")
        if len(sql) > self.max_chars:
            raise TooLarge(
                f"the SQL is too large to validate ({len(sql):,} characters; the limit is "
                f"{self.max_chars:,}, SQLDRAFT_MAX_SQL_CHARS): split it into smaller scripts"
            )
        script = Script(sql, self.dialect, sql_mode=self.index.known_sql_mode)
        findings: list[Finding] = []
        impacted: list[ImpactedObject] = []
        if script.token_error is not None:
            issue = script.token_error
            line, column = script.position(issue.offset)
            findings.append(_syntax_finding(issue.rule, issue.message, line, column, None, 0, mode))
            return _result(self, findings, impacted, [], [], mode)
        if not script.statements:
            raise InvalidInput("there is no SQL to validate: the text holds only comments")
        if script.ambiguity is not None:
            issue = script.ambiguity
            line, column = script.position(issue.offset)
            findings.append(_syntax_finding(issue.rule, issue.message, line, column, issue.suggestion, 0, mode))
        index = self.index.fork() if _has_ddl(script) else self.index
        contexts: list[StatementContext] = []
        for stmt in script.statements:
            ctx = StatementContext(
                script=script,
                statement=stmt,
                index=index,
                mode=mode,
                settings=self.settings,
                findings=findings,
                impacted=[],
            )
            self._statement(ctx)
            contexts.append(ctx)
            impacted.extend(ctx.impacted)
        script_rules(contexts)
        script_ddl_rules(contexts)
        infos = [
            StatementInfo(
                index=c.statement.index,
                type=c.type,
                line=script.position(c.statement.start)[0],
                column=script.position(c.statement.start)[1],
                text=c.statement.source,
            )
            for c in contexts
        ]
        return _result(self, findings, impacted, [c.type for c in contexts], infos, mode)

    def _statement(self, ctx: StatementContext) -> None:
        stmt = ctx.statement
        for issue in stmt.issues:
            line, column = ctx.script.position(issue.offset)
            ctx.findings.append(
                _syntax_finding(issue.rule, issue.message, line, column, issue.suggestion, stmt.index, ctx.mode)
            )
        try:
            if stmt.explain is not None and stmt.tree is not None:
                self._explain(ctx, stmt.explain)
            else:
                self._analyse(ctx)
        except RecursionError:
            ctx.findings[:] = [f for f in ctx.findings if f.statement != stmt.index or f.category is Category.SYNTAX]
            ctx.report(
                "syntax.too_complex",
                "too complex to analyse: the statement nests too deeply to resolve its names and scopes",
                stmt.start,
                "split the statement into simpler ones",
                severity=Severity.ERROR if ctx.mode is ScriptMode.QUERY else Severity.WARNING,
            )

    def _explain(self, ctx: StatementContext, explain: Explain) -> None:
        """EXPLAIN ANALYZE X is judged exactly as X (it runs X); plain EXPLAIN X is a read that reports X."""
        if explain.analyze:
            self._analyse(ctx)
            ctx.report(
                "risk.explain_analyze",
                f"EXPLAIN ANALYZE runs the {ctx.type.upper()} it explains, so it is judged as that statement",
                ctx.statement.start,
                "use EXPLAIN without ANALYZE to see the plan without running it",
                severity=Severity.ERROR if ctx.kind != READ else Severity.INFO,
                risk=RiskLevel.CRITICAL if ctx.kind != READ else RiskLevel.LOW,
            )
            return
        inner = replace(ctx, findings=[], impacted=[])
        self._analyse(inner)
        ctx.kind, ctx.type, ctx.resolution = READ, "explain", inner.resolution
        for obj in inner.impacted:
            ctx.impacted.append(replace(obj, access=Access.READ))
        for finding in inner.findings:
            if finding.category is Category.RISK and inner.kind != READ:
                finding = replace(
                    finding, severity=Severity.INFO, risk=None, message=f"if it were run: {finding.message}"
                )
            ctx.findings.append(finding)

    def _analyse(self, ctx: StatementContext) -> None:
        stmt = ctx.statement
        tree = stmt.tree
        ctx.kind, ctx.type = classify(tree, stmt.text, stmt.keyword)
        token_rules(ctx)
        if tree is None or isinstance(tree, exp.Command | exp.Alias):
            inner = _inner_statement(ctx)
            if inner is not None:
                return
            if tree is not None or stmt.opaque:
                ctx.report(
                    "syntax.unanalysable",
                    f"{stmt.keyword or 'this statement'} can only be kept as opaque "
                    "text: it cannot be checked and is treated as unsafe",
                    stmt.start,
                    severity=Severity.ERROR if ctx.mode is ScriptMode.QUERY else Severity.WARNING,
                )
            elif not any(i.rule in _BLOCKING for i in stmt.issues):
                return
            if ctx.kind != READ or tree is None:
                mode_rules(ctx)
            return
        if not ctx.index.empty:
            resolver = Resolver(ctx.index, ctx.report, ctx.script.sql)
            ctx.resolution = resolver.statement(tree)
            self._impacted(ctx)
        ddl_rules(ctx)
        mode_rules(ctx)
        tree_rules(ctx)
        where_rules(ctx)
        _dialect_rules(ctx)
        if ctx.kind in (READ, "dml"):
            perf_rules(ctx)
        if ctx.kind == "file" and not any(
            f.rule == "risk.file_access" and f.statement == stmt.index for f in ctx.findings
        ):
            ctx.report("risk.file_access", f"{stmt.keyword} reads or writes files on the database server", stmt.start)

    def _impacted(self, ctx: StatementContext) -> None:
        for ref in ctx.resolution.tables:
            ctx.touch("view" if ref.table.is_view else "table", ref.table.key, ref.access)
        for ref in ctx.resolution.columns:
            if ref.table is not None and ref.column is not None:
                ctx.touch("column", f"{ref.table.key}.{ref.column.name}", Access.READ)
        for table, column in ctx.resolution.written_columns:
            ctx.touch("column", f"{table.key}.{column.name}", Access.WRITE)


def _has_ddl(script: Script) -> bool:
    return any(isinstance(s.tree, exp.Create | exp.Alter | exp.Drop | exp.TruncateTable) for s in script.statements)


def _inner_statement(ctx: StatementContext) -> bool | None:
    """MySQL REPLACE: validate it as the INSERT it mostly is."""
    stmt = ctx.statement
    words = stmt.text.split()
    if not words:
        return None
    head = words[0].upper()
    if head == "REPLACE" and ctx.dialect is Dialect.MYSQL:
        ctx.kind, ctx.type = "dml", "replace"
        ctx.report(
            "risk.replace",
            "REPLACE deletes the row that conflicts before inserting the new one",
            stmt.start,
            "use INSERT ... ON DUPLICATE KEY UPDATE",
        )
        try:
            tree = sqlglot.parse_one("INSERT" + stmt.text.lstrip()[len("REPLACE") :], read="mysql")
        except sqlglot.errors.SqlglotError:
            mode_rules(ctx)
            return True
        if not ctx.index.empty:
            ctx.resolution = Resolver(ctx.index, lambda *a, **k: None).statement(tree)
        mode_rules(ctx)
        return True
    return None


def _dialect_rules(ctx: StatementContext) -> None:
    tree = ctx.tree
    if tree is None or ctx.dialect is Dialect.POSTGRESQL:
        return
    name = "MySQL" if ctx.dialect is Dialect.MYSQL else "SQLite"
    for node in ctx.find_all(exp.ILike):
        ctx.report(
            "syntax.dialect_unsupported",
            f"ILIKE does not exist in {name}",
            node,
            "use LIKE (case-insensitive under the default collation) or LOWER(x) LIKE LOWER(y)"
            if ctx.dialect is Dialect.MYSQL
            else "use LIKE (case-insensitive for ASCII in SQLite)",
        )
    for node in ctx.find_all(exp.Distinct):
        if node.args.get("on") is not None:
            ctx.report(
                "syntax.dialect_unsupported",
                f"DISTINCT ON does not exist in {name}",
                node,
                "use a window function: ROW_NUMBER() OVER (PARTITION BY ...) = 1",
            )
    if ctx.dialect is Dialect.MYSQL:
        for node in ctx.find_all(exp.Join):
            if str(node.args.get("side") or "").upper() == "FULL":
                ctx.report(
                    "syntax.dialect_unsupported",
                    "MySQL has no FULL OUTER JOIN",
                    node,
                    "UNION a LEFT JOIN and a RIGHT JOIN",
                )
        for node in ctx.find_all(exp.Filter):
            ctx.report(
                "syntax.dialect_unsupported",
                "MySQL has no FILTER (WHERE ...) on aggregates",
                node,
                "use SUM(CASE WHEN ... THEN 1 ELSE 0 END)",
            )
        returning = tree.find(exp.Returning)
        if returning is not None and not (ctx.index.mariadb and not isinstance(tree, exp.Update)):
            ctx.report(
                "syntax.dialect_unsupported",
                "RETURNING is not supported here (MySQL has none; MariaDB only on INSERT, REPLACE and DELETE)",
                returning,
                "read the rows back with a SELECT",
            )
        if "PIPES_AS_CONCAT" not in ctx.index.sql_mode.upper() and "ANSI" not in ctx.index.sql_mode.upper():
            for tok in ctx.statement.tokens:
                if tok.token_type.name == "DPIPE":
                    ctx.report(
                        "syntax.mysql_pipes",
                        "|| means OR in MySQL (sql_mode has no PIPES_AS_CONCAT)",
                        tok.start,
                        "use CONCAT(a, b)",
                    )
                    break


def _syntax_finding(
    rule_id: str, message: str, line: int, column: int, suggestion: str | None, statement: int, mode: ScriptMode
) -> Finding:
    from core.validation.catalog import RULES

    rule = RULES[rule_id]
    risk = RiskLevel.HIGH if rule_id == "syntax.parse_error" and mode is ScriptMode.QUERY else rule.risk
    severity = rule.severity
    if rule_id in _BLOCKING and rule_id != "syntax.parse_error":
        severity = Severity.ERROR if mode is ScriptMode.QUERY else Severity.WARNING
    return Finding(
        rule=rule_id,
        category=rule.category,
        severity=severity,
        message=message,
        line=line,
        column=column,
        suggestion=suggestion,
        risk=risk,
        statement=statement,
    )


def _result(
    validator: Validator,
    findings: list[Finding],
    impacted: list[ImpactedObject],
    types: list[str],
    infos: list[StatementInfo],
    mode: ScriptMode,
) -> Validation:
    findings = _dedupe(findings)
    if any(f.severity is Severity.ERROR for f in findings):
        status = Status.FAIL
    elif any(f.severity is Severity.WARNING for f in findings):
        status = Status.WARN
    else:
        status = Status.PASS
    seen: dict[tuple[str, str, str], ImpactedObject] = {}
    for obj in impacted:
        seen.setdefault(obj.key(), obj)
    risk = RiskLevel.highest([f.risk for f in findings if f.risk is not None])
    findings.sort(key=lambda f: (f.line, f.column, -f.severity.rank))
    return Validation(
        status=status,
        findings=findings,
        impacted_objects=list(seen.values()),
        statement_types=types,
        risk_level=risk,
        dialect=validator.dialect.value,
        mode=mode,
        statements=infos,
        snapshot_checksum=validator.checksum,
    )


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, int, int, str]] = set()
    out = []
    for f in findings:
        key = (f.rule, f.line, f.column, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
