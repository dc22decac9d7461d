"""A SQL script as statements: tokenized once, split at top-level semicolons, parsed one by one.

Positions are absolute in the script, so findings carry the line and column a user sees. Token-level
checks catch what a lenient parser silently repairs (``JOIN t ON`` with no condition, ``a,, b``).
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, TokenError
from sqlglot.tokens import Token, TokenType

from core.domain.schema import Dialect

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
_MYSQL_EXEC_COMMENT = re.compile(r"/\*(M?!)(\d{5,6})?")


@dataclass(slots=True)
class Issue:
    """A problem found below the statement level (token checks, parse errors)."""

    rule: str
    message: str
    offset: int
    suggestion: str | None = None


@dataclass(slots=True)
class Statement:
    index: int
    start: int
    end: int
    tokens: list[Token]
    text: str
    tree: exp.Expression | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def keyword(self) -> str:
        return self.tokens[0].text.upper() if self.tokens else ""


class Script:
    """A script's text, its statements and a line/column map."""

    def __init__(self, sql: str, dialect: Dialect) -> None:
        self.original = sql
        self.dialect = dialect
        self.executable_comments: list[int] = []
        self.sql = self._expose_mysql_comments(sql) if dialect is Dialect.MYSQL else sql
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(self.sql) if ch == "\n"]
        self.statements: list[Statement] = []
        self.token_error: Issue | None = None
        self._split()

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.sql)))
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def _expose_mysql_comments(self, sql: str) -> str:
        """Blank out the delimiters of MySQL executable comments so their content is parsed (same offsets)."""
        out = list(sql)
        i, n = 0, len(sql)
        while i < n:
            ch = sql[i]
            if ch in ("'", '"', "`"):
                j = i + 1
                while j < n and sql[j] != ch:
                    j += 2 if sql[j] == "\\" and ch != "`" else 1
                i = j + 1
                continue
            if ch == "#" or sql.startswith("--", i):
                j = sql.find("\n", i)
                i = n if j < 0 else j
                continue
            if sql.startswith("/*", i):
                end = sql.find("*/", i + 2)
                end = n if end < 0 else end
                m = _MYSQL_EXEC_COMMENT.match(sql, i)
                if m:
                    self.executable_comments.append(i)
                    for k in range(i, m.end()):
                        out[k] = " "
                    for k in range(end, min(end + 2, n)):
                        out[k] = " "
                    i = m.end()
                    continue
                i = end + 2
                continue
            i += 1
        return "".join(out)

    def _split(self) -> None:
        dialect = sqlglot.Dialect.get_or_raise(self.dialect.sqlglot)
        try:
            tokens = dialect.tokenize(self.sql)
        except TokenError as exc:
            self.token_error = Issue(
                "syntax.parse_error", _token_error_message(str(exc)), _token_error_offset(self.sql)
            )
            return
        chunks: list[list[Token]] = [[]]
        for tok in tokens:
            if tok.token_type == TokenType.SEMICOLON:
                chunks.append([])
                continue
            chunks[-1].append(tok)
        for chunk in chunks:
            if not chunk:
                continue
            start, end = chunk[0].start, chunk[-1].end + 1
            stmt = Statement(index=len(self.statements), start=start, end=end, tokens=chunk, text=self.sql[start:end])
            self.statements.append(stmt)
            self._token_checks(stmt)
            parser = dialect.parser(error_level=ErrorLevel.RAISE)
            try:
                trees = parser.parse(chunk, self.sql)
                stmt.tree = trees[0] if trees else None
            except ParseError as exc:
                stmt.issues.append(_parse_issue(exc, self, stmt))
            except (TokenError, RecursionError, ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
                stmt.issues.append(
                    Issue("syntax.parse_error", f"the statement could not be parsed ({type(exc).__name__})", stmt.start)
                )

    def _token_checks(self, stmt: Statement) -> None:
        toks = stmt.tokens
        in_join = False
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
            if self.dialect is not Dialect.POSTGRESQL and kind == TokenType.DCOLON:
                stmt.issues.append(
                    Issue(
                        "syntax.dialect_unsupported",
                        f"'::' casts do not exist in {_name(self.dialect)}",
                        tok.start,
                        "use CAST(x AS type)",
                    )
                )
            if (
                self.dialect is Dialect.MYSQL
                and tok.text.upper() == "NULLS"
                and nxt is not None
                and nxt.text.upper() in ("FIRST", "LAST")
            ):
                stmt.issues.append(
                    Issue(
                        "syntax.dialect_unsupported",
                        "MySQL has no NULLS FIRST/LAST",
                        tok.start,
                        "order by (col IS NULL), col instead",
                    )
                )


def _name(dialect: Dialect) -> str:
    return {"postgresql": "PostgreSQL", "mysql": "MySQL", "sqlite": "SQLite"}[dialect.value]


def _parse_issue(exc: ParseError, script: Script, stmt: Statement) -> Issue:
    first = exc.errors[0] if exc.errors else {}
    description = _TOKEN_REPR.sub(lambda m: repr(m.group(1)), str(first.get("description") or exc))
    line, col = first.get("line"), first.get("col")
    offset = stmt.start
    if isinstance(line, int) and isinstance(col, int) and 1 <= line <= len(script._line_starts):
        offset = script._line_starts[line - 1] + max(0, col - 1)
    highlight = str(first.get("highlight") or "").strip()
    message = f"syntax error near {highlight!r}: {description}" if highlight else f"syntax error: {description}"
    suggestion = None
    if "`" in stmt.text and script.dialect is Dialect.POSTGRESQL:
        suggestion = 'PostgreSQL quotes identifiers with double quotes ("name"), not backticks'
    return Issue("syntax.parse_error", message.splitlines()[0][:300], offset, suggestion)


def _token_error_message(text: str) -> str:
    return "the text cannot be tokenized (an unterminated string, quoted name or comment?)"


def _token_error_offset(sql: str) -> int:
    for quote in ("'", '"', "`"):
        if sql.count(quote) % 2:
            return sql.rfind(quote)
    return 0
