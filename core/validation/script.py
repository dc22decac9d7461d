"""A SQL script as statements: tokenized once, split at top-level semicolons, parsed one by one.

Positions are absolute in the script, so findings carry the line and column a user sees. Token-level
checks catch what a lenient parser silently repairs (``JOIN t ON`` with no condition, ``a,, b``).
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass, field, replace

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, TokenError
from sqlglot.tokenizer_core import Token, TokenType

from core.dialects import Construct, profile
from core.domain.schema import Dialect
from core.validation.lex import Kind, Lexeme, LexError, Normalised, Options, lex, normalise_lexemes, split_lexemes

# sqlglot logs a warning whenever it falls back to an opaque Command; that is a finding here, not a log line.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

_CLAUSE_AFTER_ON = {
    TokenType.WHERE,
    TokenType.GROUP_BY,
    TokenType.ORDER_BY,
    TokenType.LIMIT,
    TokenType.JOIN,
    TokenType.LEFT,
    TokenType.RIGHT,
    TokenType.INNER,
    TokenType.CROSS,
    TokenType.FULL,
    TokenType.OUTER,
    TokenType.HAVING,
    TokenType.UNION,
    TokenType.EXCEPT,
    TokenType.INTERSECT,
    TokenType.R_PAREN,
    TokenType.NATURAL,
}
_AFTER_COMMA_EMPTY = {
    TokenType.COMMA,
    TokenType.R_PAREN,
    TokenType.FROM,
    TokenType.WHERE,
    TokenType.GROUP_BY,
    TokenType.ORDER_BY,
    TokenType.HAVING,
    TokenType.LIMIT,
}
_TOKEN_REPR = re.compile(
    r"<Token token_type: TokenType\.\w+, text: (.*?), line: \d+, col: \d+, start: \d+, "
    r"end: \d+, comments: \[.*?\]>"
)
# Statements sqlglot parses fully; for any other statement a parse failure means "sqlglot cannot",
# not "the database cannot", so it is reported as unanalysable rather than as a syntax error.
_ANALYSED = {"SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES", "TABLE", "REPLACE", "("}
_STATEMENT_START = {
    "SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES", "TABLE", "REPLACE", "(",
    "EXECUTE", "DECLARE", "CREATE",
}  # fmt: skip
_ANALYZE_RUNS = {"SELECT", "WITH", "INSERT", "UPDATE", "DELETE", "REPLACE", "VALUES", "("}
"""MariaDB's ``ANALYZE stmt`` runs stmt; ``ANALYZE TABLE t`` collects statistics."""
_FALSE = {"FALSE", "OFF", "0", "NO", "F", "N"}
MAX_DEPTH = 120
"""Parenthesis nesting beyond which a statement is too complex to analyse (the parser recurses)."""


@dataclass(slots=True)
class Issue:
    """A problem found below the statement level (token checks, parse errors)."""

    rule: str
    message: str
    offset: int
    suggestion: str | None = None


@dataclass(slots=True)
class Explain:
    """EXPLAIN in front of a statement: the tree is the explained statement's."""

    analyze: bool
    """The database runs the explained statement (EXPLAIN ANALYZE, MariaDB ANALYZE stmt)."""
    offset: int


@dataclass(slots=True)
class Statement:
    index: int
    start: int
    end: int
    tokens: list[Token]
    text: str
    """The normalised text (what the rules read); offsets are normalised offsets."""
    source: str = ""
    """The user's own text of the statement (what the server would receive)."""
    lexemes: list[Lexeme] = field(default_factory=list)
    lexeme_starts: list[int] = field(default_factory=list)
    """The normalised offset of each lexeme."""
    tree: exp.Expr | None = None
    issues: list[Issue] = field(default_factory=list)
    explain: Explain | None = None
    opaque: bool = False
    """sqlglot cannot parse this kind of statement: it is unanalysable, not wrong."""
    replace: bool = False
    """MySQL REPLACE, parsed as the INSERT it mostly is."""

    @property
    def keyword(self) -> str:
        return self.tokens[0].text.upper() if self.tokens else ""

    @property
    def words(self) -> list[Lexeme]:
        """The lexemes that count (no whitespace or comments), from the explained statement on if EXPLAIN."""
        start = self.explain.offset if self.explain is not None else self.start
        skip = (Kind.SPACE, Kind.COMMENT, Kind.EXEC_OPEN, Kind.EXEC_CLOSE)
        return [x for x, at in zip(self.lexemes, self.lexeme_starts, strict=True) if at >= start and x.kind not in skip]


class Script:
    """A script's text, its statements and a line/column map.

    Lexing, splitting and the text sqlglot reads come from :mod:`core.validation.lex`, which follows
    each database's own lexical rules; sqlglot then tokenizes and parses one statement at a time.
    """

    def __init__(self, sql: str, dialect: Dialect, *, sql_mode: str | None = None) -> None:
        self.original = sql
        self.dialect = dialect
        self.executable_comments: list[int] = []
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(sql) if ch == "\n"]
        self.statements: list[Statement] = []
        self.token_error: Issue | None = None
        self.ambiguity: Issue | None = None
        self.sql = ""
        self.comments: list[tuple[Lexeme, int]] = []
        self._normalised: Normalised | None = None
        options = Options.from_sql_mode(sql_mode or "") if dialect is Dialect.MYSQL else Options()
        try:
            lexemes = lex(sql, dialect, options)
        except LexError as exc:
            self.token_error = Issue("syntax.parse_error", exc.message, exc.offset)
            return
        if dialect is Dialect.MYSQL and sql_mode is None:
            self.ambiguity = _sql_mode_ambiguity(sql, lexemes, options)
        if dialect is Dialect.MYSQL and self.ambiguity is None:
            self.ambiguity = _version_ambiguity(sql, lexemes, options)
        self._normalised = normalise_lexemes(lexemes, dialect)
        self.sql = self._normalised.text
        self.comments = [(x, self._normalised.starts[k]) for k, x in enumerate(lexemes) if x.kind is Kind.COMMENT]
        """Every comment lexeme with its normalised offset (never text inside a string or dollar quote)."""
        self._split(lexemes)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) in the user's text of a normalised offset."""
        if self._normalised is not None:
            offset = self._normalised.original_offset(offset)
        offset = max(0, min(offset, len(self.original)))
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def _split(self, lexemes: list[Lexeme]) -> None:
        assert self._normalised is not None
        starts = self._normalised.starts
        where = {id(x): k for k, x in enumerate(lexemes)}
        dialect = sqlglot.Dialect.get_or_raise(self.dialect.sqlglot)
        for span in split_lexemes(lexemes, self.original, self.dialect):
            kept = [x for x in span.lexemes if x.kind is not Kind.SPACE]
            first = next(x for x in kept if x.kind is not Kind.COMMENT)
            nstart = starts[where[id(first)]]
            nend = self._normalised_end(where[id(kept[-1])])
            stmt = Statement(
                index=len(self.statements), start=nstart, end=nend, tokens=[], text=self.sql[nstart:nend],
                source=span.source, lexemes=span.lexemes, lexeme_starts=[starts[where[id(x)]] for x in span.lexemes],
            )  # fmt: skip
            self.statements.append(stmt)
            for lexeme in span.lexemes:
                if lexeme.kind is Kind.EXEC_OPEN:
                    self.executable_comments.append(starts[where[id(lexeme)]])
            self._parse(stmt, dialect)

    def _normalised_end(self, k: int) -> int:
        assert self._normalised is not None
        starts = self._normalised.starts
        return starts[k + 1] if k + 1 < len(starts) else len(self.sql)

    def _parse(self, stmt: Statement, dialect: sqlglot.Dialect) -> None:
        depth = _paren_depth(stmt.lexemes)
        if depth > MAX_DEPTH:
            stmt.issues.append(_too_complex(f"parentheses nest {depth} deep (the limit is {MAX_DEPTH})", stmt.start))
            return
        explain = _explain(stmt, self.dialect)
        offset = stmt.start
        if explain is not None:
            stmt.explain = explain
            offset = explain.offset  # sqlglot's tokenizer swallows whatever follows EXPLAIN as one string
        text = self.sql[offset : stmt.end]
        if self.dialect is Dialect.MYSQL and text[:7].upper() == "REPLACE" and not text[7:8].isalnum():
            stmt.replace = True
            text = "INSERT " + text[7:]  # the same length, so every offset stays true
        try:
            tokens = dialect.tokenize(text)
        except TokenError:
            stmt.issues.append(_disagreement("sqlglot cannot tokenize what the database would read", stmt.start))
            return
        for tok in tokens:
            tok.start += offset
            tok.end += offset
        stmt.tokens = tokens
        if any(t.token_type == TokenType.SEMICOLON for t in tokens) or any(t.comments for t in tokens):
            stmt.issues.append(_disagreement("sqlglot would split or comment this statement differently", stmt.start))
            return
        self._token_checks(stmt)
        chunk = tokens
        if not chunk:
            return
        parser = dialect.parser(error_level=ErrorLevel.RAISE)
        head = chunk[0].text.upper()
        try:
            trees = parser.parse(_grammar_gaps(chunk, self.dialect), self.sql)
            stmt.tree = trees[0] if trees else None
        except ParseError as exc:
            stmt.tree = _values_statement(chunk, self.sql, self.dialect)
            if stmt.tree is not None:
                return
            if head in _ANALYSED:
                stmt.issues.append(_parse_issue(exc, self, stmt, offset))
            else:
                stmt.opaque = True
        except RecursionError:
            stmt.issues.append(_too_complex("the statement nests too deeply for the parser", stmt.start))
        except (TokenError, ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
            if head in _ANALYSED:
                stmt.issues.append(
                    Issue("syntax.parse_error", f"the statement could not be parsed ({type(exc).__name__})", stmt.start)
                )
            else:
                stmt.opaque = True

    def _token_checks(self, stmt: Statement) -> None:
        toks = stmt.tokens
        in_join = False
        unsupported = profile(self.dialect).unsupported
        for i, tok in enumerate(toks):
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            kind = tok.token_type
            if kind == TokenType.JOIN:
                in_join = True
            elif kind == TokenType.ON and in_join:
                in_join = False
                if nxt is None or nxt.token_type in _CLAUSE_AFTER_ON:
                    stmt.issues.append(
                        Issue(
                            "syntax.empty_join_condition",
                            "JOIN ... ON has no condition after ON",
                            tok.start,
                            "write the join condition, e.g. ON a.id = b.a_id",
                        )
                    )
            elif kind in (TokenType.FROM, TokenType.WHERE, TokenType.SEMICOLON):
                in_join = False if kind != TokenType.FROM else in_join
            if kind == TokenType.COMMA and (nxt is None or nxt.token_type in _AFTER_COMMA_EMPTY):
                stmt.issues.append(
                    Issue(
                        "syntax.empty_list_item",
                        "a list has an empty item (a comma with nothing after it)",
                        tok.start,
                        "remove the extra comma",
                    )
                )
            if (
                kind in (TokenType.L_PAREN, TokenType.SELECT, TokenType.DISTINCT)
                and nxt is not None
                and nxt.token_type == TokenType.COMMA
            ):
                stmt.issues.append(
                    Issue(
                        "syntax.empty_list_item",
                        "a list starts with an empty item",
                        nxt.start,
                        "remove the extra comma",
                    )
                )
            gap = None
            if kind == TokenType.DCOLON:
                gap = unsupported.get(Construct.DOUBLE_COLON_CAST)
            elif tok.text.upper() == "NULLS" and nxt is not None and nxt.text.upper() in ("FIRST", "LAST"):
                gap = unsupported.get(Construct.NULLS_ORDER)
            if gap is not None:
                stmt.issues.append(Issue("syntax.dialect_unsupported", gap.message, tok.start, gap.suggestion))


def _parse_issue(exc: ParseError, script: Script, stmt: Statement, base: int) -> Issue:
    first = exc.errors[0] if exc.errors else {}
    description = _TOKEN_REPR.sub(lambda m: repr(m.group(1)), str(first.get("description") or exc))
    line, col = first.get("line"), first.get("col")
    offset = stmt.start
    if isinstance(line, int) and isinstance(col, int):
        lines = script.sql[base : stmt.end].split("\n")
        if 1 <= line <= len(lines):
            offset = base + sum(len(x) + 1 for x in lines[: line - 1]) + max(0, col - 1)
    highlight = str(first.get("highlight") or "").strip()
    message = f"syntax error near {highlight!r}: {description}" if highlight else f"syntax error: {description}"
    suggestion = None
    facts = profile(script.dialect)
    if "`" in stmt.source and "`" not in facts.identifier_quotes:
        q = facts.quote_char
        suggestion = f"{facts.name} quotes identifiers as {q}name{q}, not with backticks"
    return Issue("syntax.parse_error", message.splitlines()[0][:300], offset, suggestion)


def _grammar_gaps(tokens: list[Token], dialect: Dialect) -> list[Token]:
    """Valid clauses sqlglot does not parse and that change nothing: PostgreSQL's trailing FOR READ ONLY."""
    words = [t.text.upper() for t in tokens[-3:]]
    if dialect is Dialect.POSTGRESQL and words == ["FOR", "READ", "ONLY"] and len(tokens) > 3:
        return tokens[:-3]
    return tokens


def _values_statement(tokens: list[Token], sql: str, dialect: Dialect) -> exp.Expr | None:
    """MariaDB's ``VALUES (1), (2)`` as a statement, which sqlglot's MySQL parser refuses: read it as a query."""
    if dialect is not Dialect.MYSQL or not tokens or tokens[0].token_type != TokenType.VALUES:
        return None
    parser = sqlglot.Dialect.get_or_raise("postgres").parser(error_level=ErrorLevel.RAISE)
    try:
        trees = parser.parse(tokens, sql)
    except (ParseError, TokenError):
        return None
    tree = trees[0] if trees else None
    return tree if isinstance(tree, exp.Values) else None


def _too_complex(what: str, offset: int) -> Issue:
    return Issue(
        "syntax.too_complex",
        f"too complex to analyse: {what}",
        offset,
        "split the statement into simpler ones",
    )


def _disagreement(what: str, offset: int) -> Issue:
    return Issue(
        "syntax.ambiguous_lexing",
        f"{what}: it cannot be checked and is treated as unsafe",
        offset,
        "write it without unusual quoting, comments or escapes",
    )


def _paren_depth(lexemes: list[Lexeme]) -> int:
    depth = deepest = 0
    for x in lexemes:
        if x.kind is Kind.OP and x.text == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif x.kind is Kind.OP and x.text == ")":
            depth -= 1
    return deepest


def _sql_mode_ambiguity(sql: str, lexemes: list[Lexeme], options: Options) -> Issue | None:
    """MySQL without a known sql_mode: a text that lexes differently with NO_BACKSLASH_ESCAPES is ambiguous."""
    if "\\" not in sql:
        return None
    other = replace(options, backslash_escapes=not options.backslash_escapes)
    try:
        alternative = _shape(lex(sql, Dialect.MYSQL, other))
    except LexError as exc:
        offset = exc.offset
    else:
        mine = _shape(lexemes)
        if alternative == mine:
            return None
        offset = next((min(a[1], b[1]) for a, b in zip(mine, alternative, strict=False) if a != b), 0)
    return Issue(
        "syntax.ambiguous_lexing",
        "the statement boundaries depend on the server's sql_mode (NO_BACKSLASH_ESCAPES changes where a string "
        "ends): it cannot be checked and is treated as unsafe",
        offset,
        "validate against a connection (its sql_mode is known), or avoid backslashes before quotes",
    )


def _version_ambiguity(sql: str, lexemes: list[Lexeme], options: Options) -> Issue | None:
    """A versioned ``/*!NNNNN ... */`` runs only on a new enough server: if the statements it would hide or
    make differ either way, nothing can be trusted."""
    versioned = [x for x in lexemes if x.kind is Kind.EXEC_OPEN and any(c.isdigit() for c in x.text)]
    if not versioned:
        return None
    mine = [(s.start, s.end) for s in split_lexemes(lexemes, sql, Dialect.MYSQL)]
    try:
        as_comments = lex(sql, Dialect.MYSQL, replace(options, executable_comments=False))
    except LexError:
        theirs = None
    else:
        theirs = [(s.start, s.end) for s in split_lexemes(as_comments, sql, Dialect.MYSQL)]
    if theirs == mine:
        return None
    return Issue(
        "syntax.ambiguous_lexing",
        "where the statements end depends on the server's version (a versioned /*!NNNNN comment runs only "
        "on a new enough server): it cannot be checked and is treated as unsafe",
        versioned[0].start,
        "write the statement without executable comments",
    )


def _shape(lexemes: list[Lexeme]) -> list[tuple[str, int, int]]:
    return [(x.kind.value, x.start, x.end) for x in lexemes if x.kind is not Kind.SPACE]


def _explain(stmt: Statement, dialect: Dialect) -> Explain | None:
    """EXPLAIN options read from the lexemes: comments, both spellings, any position in an option list."""
    words = [x for x in stmt.lexemes if x.kind not in (Kind.SPACE, Kind.COMMENT, Kind.EXEC_OPEN, Kind.EXEC_CLOSE)]
    if not words:
        return None
    head = words[0].upper
    if head == "ANALYZE" and dialect is Dialect.MYSQL:
        rest = _mysql_options(words, 1)
        if rest is not None and rest[0] < len(words) and words[rest[0]].upper in _ANALYZE_RUNS:
            return Explain(analyze=True, offset=_norm_start(stmt, words[rest[0]]))
        return None
    if head not in ("EXPLAIN", "DESCRIBE", "DESC"):
        return None
    if dialect is Dialect.POSTGRESQL:
        found = _pg_options(words)
    elif dialect is Dialect.MYSQL:
        found = _mysql_options(words, 1)
    else:
        i = 1
        if i + 1 < len(words) and words[i].upper == "QUERY" and words[i + 1].upper == "PLAN":
            i += 2
        found = (i, False)
    if found is None or not _starts_statement(words, found[0]):
        return None
    return Explain(analyze=found[1], offset=_norm_start(stmt, words[found[0]]))


def _pg_options(words: list[Lexeme]) -> tuple[int, bool] | None:
    i, analyze = 1, False
    if i < len(words) and words[i].text == "(":
        i += 1
        option: list[Lexeme] = []
        while i < len(words) and words[i].text != ")":
            if words[i].text == ",":
                analyze = _pg_option(option) or analyze
                option = []
            else:
                option.append(words[i])
            i += 1
        analyze = _pg_option(option) or analyze
        return i + 1, analyze
    while i < len(words) and words[i].upper in ("ANALYZE", "ANALYSE", "VERBOSE"):
        analyze = analyze or words[i].upper != "VERBOSE"
        i += 1
    return i, analyze


def _pg_option(option: list[Lexeme]) -> bool:
    """Whether one EXPLAIN option turns ANALYZE on (names may be quoted: ``("analyze")``)."""
    if not option or _option_word(option[0]) not in ("analyze", "analyse"):
        return False
    if len(option) == 1:
        return True
    return _option_word(option[1]).upper() not in _FALSE


def _option_word(lexeme: Lexeme) -> str:
    if lexeme.kind is Kind.QUOTED:
        return lexeme.value or ""
    if lexeme.kind is Kind.STRING:
        return (lexeme.value or "").lower()
    return lexeme.text.lower()


def _mysql_options(words: list[Lexeme], i: int) -> tuple[int, bool] | None:
    analyze = words[0].upper == "ANALYZE"
    while i < len(words):
        word = words[i].upper
        if word == "ANALYZE":
            analyze = True
            i += 1
        elif word in ("EXTENDED", "PARTITIONS"):
            i += 1
        elif word == "FORMAT":
            i += 1
            if i < len(words) and words[i].text == "=":
                i += 1
            i += 1
        else:
            break
    return (i, analyze) if i < len(words) else None


def _starts_statement(words: list[Lexeme], i: int) -> bool:
    return i < len(words) and (words[i].upper in _STATEMENT_START or words[i].text == "(")


def _norm_start(stmt: Statement, lexeme: Lexeme) -> int:
    for x, start in zip(stmt.lexemes, stmt.lexeme_starts, strict=True):
        if x is lexeme:
            return start
    return stmt.start
