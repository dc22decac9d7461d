"""The validator: a script in, one Validation out.

The stages, each a module: lex and split (:mod:`core.validation.lex`), parse
(:mod:`core.validation.script`), resolve names and scopes (:mod:`core.validation.resolve`), apply DDL
to the working schema (:mod:`core.validation.schema_changes`), then every rule of the registry
(:mod:`core.validation.rules`) for each statement and for the whole script.

>>> from core.domain.schema import Column, Dialect, SchemaModel, Table
>>> model = SchemaModel(dialect=Dialect.SQLITE, tables=[Table(None, "t", columns=[Column("id", "integer")])])
>>> Validator(SchemaIndex(model)).validate("SELECT idd FROM t").findings[0].rule
'schema.unknown_column'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlglot import exp

from core.domain.schema import Dialect
from core.errors import InvalidInput, TooLarge
from core.validation import schema_changes, suppress
from core.validation.context import Problem, Settings, StatementContext
from core.validation.kinds import DDL, LOCK, MAINTENANCE, READ, classify
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
from core.validation.resolve import Resolver
from core.validation.rules import RULES, Rule, script_rules, statement_rules
from core.validation.script import Issue, Script

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
            findings.append(_lex_finding(script, script.token_error, mode))
            return _result(self, findings, impacted, [], [], mode)
        if not script.statements:
            raise InvalidInput("there is no SQL to validate: the text holds only comments")
        if script.ambiguity is not None:
            script.statements[0].issues.insert(0, script.ambiguity)
        index = self.index.fork() if self.index.empty or _has_ddl(script) else self.index
        contexts: list[StatementContext] = []
        rules = statement_rules(self.dialect.value)
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
            self._statement(ctx, rules)
            contexts.append(ctx)
            impacted.extend(ctx.impacted)
        for rule in script_rules(self.dialect.value):
            assert rule.check_script is not None
            rule.check_script(contexts)
        findings, suppressed = suppress.apply(script, _dedupe(findings), mode, set(RULES))
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
        result = _result(self, findings, impacted, [c.type for c in contexts], infos, mode)
        result.suppressed = suppressed
        return result

    def _statement(self, ctx: StatementContext, rules: list[Rule]) -> None:
        stmt = ctx.statement
        before = len(ctx.findings)
        try:
            explain = stmt.explain
            if explain is not None and not explain.analyze and stmt.tree is not None:
                self._plain_explain(ctx, rules)
            else:
                self._analyse(ctx, rules)
        except RecursionError:
            del ctx.findings[before:]
            stmt.issues.append(
                Issue(
                    "syntax.too_complex",
                    "too complex to analyse: the statement nests too deeply to resolve its names and scopes",
                    stmt.start,
                    "split the statement into simpler ones",
                )
            )
            for rule in rules:
                if rule.check is not None and (rule.category is Category.SYNTAX or rule.id == "risk.write_in_query"):
                    rule.check(ctx)

    def _plain_explain(self, ctx: StatementContext, rules: list[Rule]) -> None:
        """Plain EXPLAIN X is a read: X's findings are reported, its risks only as what it would do if run."""
        tree = ctx.statement.tree
        index = (
            ctx.index.fork() if isinstance(tree, exp.Create | exp.Alter | exp.Drop | exp.TruncateTable) else ctx.index
        )
        inner = replace(ctx, findings=[], impacted=[], problems=[], changes=[], index=index, _found={})
        self._analyse(inner, rules)
        ctx.kind, ctx.type, ctx.resolution = READ, "explain", inner.resolution
        for obj in inner.impacted:
            ctx.impacted.append(replace(obj, access=Access.READ))
        for finding in inner.findings:
            if finding.category is Category.RISK and inner.kind != READ:
                finding = replace(
                    finding, severity=Severity.INFO, risk=None, message=f"if it were run: {finding.message}"
                )
            ctx.findings.append(finding)

    def _analyse(self, ctx: StatementContext, rules: list[Rule]) -> None:
        stmt = ctx.statement
        ctx.kind, ctx.type = classify(stmt.tree, stmt.words)
        if stmt.replace:
            ctx.type = "replace"
        tree = ctx.tree
        if tree is not None:
            if not ctx.index.empty:
                ctx.resolution = Resolver(ctx.index, _recorder(ctx), ctx.script.sql).statement(tree)
                self._impacted(ctx)
            if ctx.kind == DDL:
                schema_changes.apply(ctx)
        elif ctx.kind in (DDL, MAINTENANCE, LOCK):
            schema_changes.apply(ctx)
        for rule in rules:
            assert rule.check is not None
            rule.check(ctx)

    def _impacted(self, ctx: StatementContext) -> None:
        for table_ref in ctx.resolution.tables:
            ctx.touch("view" if table_ref.table.is_view else "table", table_ref.table.key, table_ref.access)
        for column_ref in ctx.resolution.columns:
            if column_ref.table is not None and column_ref.column is not None:
                ctx.touch("column", f"{column_ref.table.key}.{column_ref.column.name}", Access.READ)
        for table, column in ctx.resolution.written_columns:
            ctx.touch("column", f"{table.key}.{column.name}", Access.WRITE)


def _recorder(ctx: StatementContext) -> Callable[..., None]:
    """The resolver's report callback: what it finds becomes facts for the schema rules."""

    def record(
        rule: str,
        message: str,
        node: object = None,
        suggestion: str | None = None,
        *,
        severity: Severity | None = None,
        risk: RiskLevel | None = None,
    ) -> None:
        ctx.problems.append(Problem(rule, message, node, suggestion, severity, risk))

    return record


def _has_ddl(script: Script) -> bool:
    return any(isinstance(s.tree, exp.Create | exp.Alter | exp.Drop | exp.TruncateTable) for s in script.statements)


def _lex_finding(script: Script, issue: Issue, mode: ScriptMode) -> Finding:
    """A text that cannot be lexed has no statements: one finding for the whole script."""
    rule = RULES[issue.rule]
    line, column = script.position(issue.offset)
    return Finding(
        rule=rule.id,
        category=rule.category,
        severity=rule.severity,
        message=issue.message,
        line=line,
        column=column,
        suggestion=issue.suggestion,
        risk=RiskLevel.HIGH if mode is ScriptMode.QUERY else rule.risk,
        statement=0,
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
