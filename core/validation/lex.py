"""Lexing by each database's own rules, before sqlglot sees anything.

sqlglot's tokenizer is one lexer for many dialects and disagrees with the servers at exactly the
places an attacker aims for: MySQL ends a ``--`` comment only when whitespace follows the dashes,
runs the content of ``/*! ... */`` and ``/*M! ... */``, and treats ``#`` as a comment; PostgreSQL
nests block comments, has ``U&"..."`` identifiers with escapes, ``E'...'`` strings with backslash
escapes and dollar quotes whose tags must not be confused with ``$1`` parameters. This module finds
the boundaries of comments, strings, quoted names and statements the way the server does, and
writes a *normalised* text that sqlglot cannot misread: comments blanked, executable comments
opened, strings and quoted names in one canonical spelling, unicode escapes decoded. Every
normalised offset maps back to the user's text, so findings keep the line and column they see.

>>> from core.domain.schema import Dialect
>>> [s.source for s in split("SELECT 1 --1\\n; SELECT '--;'", Dialect.MYSQL)]
['SELECT 1 --1', "SELECT '--;'"]
>>> normalise('SELECT U&"pg\\\\005fsleep"(1)', Dialect.POSTGRESQL).text
'SELECT "pg_sleep"(1)'
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from enum import StrEnum

from core.dialects import profile
from core.domain.schema import Dialect


class Kind(StrEnum):
    SPACE = "space"
    COMMENT = "comment"
    STRING = "string"
    QUOTED = "quoted"
    """A quoted identifier."""
    WORD = "word"
    NUMBER = "number"
    PARAM = "param"
    OP = "op"
    SEMICOLON = "semicolon"
    EXEC_OPEN = "exec_open"
    """MySQL ``/*!``, ``/*!50000``, MariaDB ``/*M!100100``: the server runs what follows."""
    EXEC_CLOSE = "exec_close"


@dataclass(frozen=True, slots=True)
class Lexeme:
    kind: Kind
    start: int
    end: int
    """Exclusive."""
    text: str
    value: str | None = None
    """Decoded content of a string or quoted identifier."""

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind is Kind.WORD else ""


class LexError(ValueError):
    """The text cannot be lexed (an unterminated string, quoted name or comment, a NUL byte)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Options:
    """What the server's settings change in its lexer."""

    backslash_escapes: bool = True
    """MySQL: backslash escapes in strings (off with sql_mode NO_BACKSLASH_ESCAPES)."""
    ansi_quotes: bool = False
    """MySQL: double quotes delimit identifiers (sql_mode ANSI_QUOTES)."""
    standard_strings: bool = True
    """PostgreSQL: standard_conforming_strings (backslashes are literal in '...')."""
    executable_comments: bool = True
    """MySQL: run the content of ``/*! */`` (a versioned one runs only on a new enough server)."""

    @classmethod
    def from_sql_mode(cls, sql_mode: str) -> Options:
        modes = {m.strip().upper() for m in (sql_mode or "").split(",")}
        ansi = bool(modes & {"ANSI_QUOTES", "ANSI"})
        return cls(backslash_escapes="NO_BACKSLASH_ESCAPES" not in modes, ansi_quotes=ansi)


_WORD_START = re.compile(r"[A-Za-z_\u0080-\U0010ffff]")
_WORD = re.compile(r"[A-Za-z0-9_$\u0080-\U0010ffff]*")
_MYSQL_WORD = re.compile(r"[A-Za-z0-9_$\u0080-\U0010ffff]+")
_NUMBER = re.compile(r"(?:0[xX][0-9A-Fa-f_]+|0[bBoO][0-9_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?)")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*)?\$")
_PARAM = re.compile(r"\$\d+")
_EXEC_OPEN = re.compile(r"/\*(?:M?!)(\d{5,6})?")
_GAP = r"(?:\s|--[^\n\r]*|/\*.*?\*/)*"
_UESCAPE = re.compile(_GAP + r"UESCAPE" + _GAP + r"'(.)'", re.IGNORECASE | re.DOTALL)
_CONTINUATION = re.compile(r"(?:[ \t\f]|--[^\n\r]*)*[\n\r](?:[ \t\n\r\f\v]+|--[^\n\r]*[\n\r])*'")
"""PostgreSQL: a string constant continues in the next one when only whitespace with a newline is between."""
_SPACE = " \t\n\r\f\v"
_SURROGATE = re.compile("[\ud800-\udfff]")
# What the server's tokenizer skips as whitespace, what ends a -- comment and which characters open a quoted
# name are profile facts (core/dialects/<dialect>.py); the grammar below is the lexer's own.


def lex(sql: str, dialect: Dialect, options: Options | None = None) -> list[Lexeme]:
    """Every lexeme of the text, whitespace and comments included.

    Raises:
        LexError: an unterminated string, quoted name, dollar quote or comment, or a NUL byte.
    """
    return _Lexer(sql, dialect, options or Options()).run()


class _Lexer:
    def __init__(self, sql: str, dialect: Dialect, options: Options) -> None:
        self.sql = sql
        self.n = len(sql)
        self.dialect = dialect
        self.opt = options
        self.out: list[Lexeme] = []
        self.in_exec = False
        self.exec_start = 0
        facts = profile(dialect)
        self.space = facts.whitespace
        self.line_ends = facts.line_ends
        self.name_quotes = facts.identifier_quotes
        self.facts = facts

    def add(self, kind: Kind, start: int, end: int, value: str | None = None) -> int:
        self.out.append(Lexeme(kind, start, end, self.sql[start:end], value))
        return end

    def run(self) -> list[Lexeme]:
        sql, i = self.sql, 0
        nul = sql.find("\x00")
        if nul >= 0:
            raise LexError("the text contains a NUL character: remove it (databases cut or refuse SQL at one)", nul)
        bad = _SURROGATE.search(sql)
        if bad is not None:
            raise LexError("the text is not valid UTF-8 (an undecodable byte): save it as UTF-8", bad.start())
        while i < self.n:
            i = self.step(i)
        if self.in_exec:
            raise LexError("an executable comment (/*! ...) is not closed with */", self.exec_start)
        return self.out

    def step(self, i: int) -> int:
        sql, ch = self.sql, self.sql[i]
        d = self.dialect
        if ch in self.space:
            j = i
            while j < self.n and sql[j] in self.space:
                j += 1
            return self.add(Kind.SPACE, i, j)
        facts = self.facts
        if sql.startswith("--", i) and (not facts.dash_comment_needs_space or self._mysql_dash_comment(i)):
            return self._line_comment(i)
        if ch == "#" and facts.hash_comments:
            return self._line_comment(i)
        if sql.startswith("/*", i):
            if facts.executable_comments:
                m = _EXEC_OPEN.match(sql, i)
                if m and self.opt.executable_comments:
                    # A /*! inside an executable comment runs too; the first */ ends them both.
                    if not self.in_exec:
                        self.exec_start = i
                    self.in_exec = True
                    return self.add(Kind.EXEC_OPEN, i, m.end())
            return self._block_comment(i)
        if ch == "*" and self.in_exec and sql.startswith("*/", i):
            self.in_exec = False
            return self.add(Kind.EXEC_CLOSE, i, i + 2)
        if ch == ";":
            return self.add(Kind.SEMICOLON, i, i + 1)
        if ch == "'":
            return self._string(i, i, escapes=self._backslashes(plain=True))
        if ch == '"':
            if d is Dialect.MYSQL and not self.opt.ansi_quotes:
                return self._string(i, i, escapes=self.opt.backslash_escapes, quote='"')
            return self._quoted(i, i, '"', '"')
        if ch == "`" and ch in self.name_quotes:
            return self._quoted(i, i, "`", "`")
        if ch == "[" and ch in self.name_quotes:
            end = sql.find("]", i + 1)
            if end < 0:
                raise LexError("a [quoted name] is not closed", i)
            return self.add(Kind.QUOTED, i, end + 1, sql[i + 1 : end])
        if ch == "$" and facts.dollar_quotes:
            return self._dollar(i)
        if ch in facts.parameter_prefixes:
            end = self._sqlite_param(i)
            if end > i:
                return self.add(Kind.PARAM, i, end)
        if ch.isdigit() or (ch == "." and i + 1 < self.n and sql[i + 1].isdigit()):
            return self._number(i)
        if _WORD_START.match(ch):
            return self._word(i)
        return self.add(Kind.OP, i, i + 1)

    # --- comments ---------------------------------------------------------------------------

    def _mysql_dash_comment(self, i: int) -> bool:
        """MySQL and MariaDB: ``--`` starts a comment only before whitespace, a control character or the end.

        The server drops a final ``;`` and the whitespace around it before it reads the text, so ``--``
        followed only by those is a comment at the end of the text.
        """
        nxt = self.sql[i + 2] if i + 2 < self.n else ""
        if nxt == "" or nxt in _SPACE or ord(nxt) < 32 or ord(nxt) == 127:
            return True
        return not self.sql[i + 2 :].strip(_SPACE + ";")

    def _line_comment(self, i: int) -> int:
        j, ends = i, self.line_ends
        while j < self.n and self.sql[j] not in ends:
            j += 1
        return self.add(Kind.COMMENT, i, j)

    def _sqlite_param(self, i: int) -> int:
        """SQLite's tokenizer: ``?NNN``; ``:``, ``@``, ``$`` or ``#`` then name characters, with TCL forms."""
        sql, ch = self.sql, self.sql[i]
        if ch == "?":
            j = i + 1
            while j < self.n and sql[j].isdigit():
                j += 1
            return j
        j, n = i + 1, 0
        while j < self.n:
            c = sql[j]
            if c.isalnum() or c in "_$" or ord(c) >= 0x80:
                n += 1
                j += 1
            elif c == "(" and n > 0:
                j += 1
                while j < self.n and sql[j] not in self.space and sql[j] != ")":
                    j += 1
                if j < self.n and sql[j] == ")":
                    j += 1
                else:
                    raise LexError("a $name(...) parameter is not closed with )", i)
                break
            elif c == ":" and sql.startswith("::", j):
                j += 2
            else:
                break
        return j if n > 0 else i

    def _block_comment(self, i: int) -> int:
        sql, j, depth = self.sql, i + 2, 1
        nests = self.facts.nested_block_comments
        while j < self.n:
            if nests and sql.startswith("/*", j):
                depth += 1
                j += 2
            elif sql.startswith("*/", j):
                depth -= 1
                j += 2
                if depth == 0:
                    return self.add(Kind.COMMENT, i, j)
            else:
                j += 1
        if self.facts.open_comment_ends_text:
            return self.add(Kind.COMMENT, i, self.n)
        raise LexError("a /* comment is not closed with */", i)

    # --- strings and names ------------------------------------------------------------------

    def _backslashes(self, plain: bool) -> bool:
        if self.dialect is Dialect.MYSQL:
            return self.opt.backslash_escapes
        if self.dialect is Dialect.POSTGRESQL:
            return not self.opt.standard_strings if plain else True
        return False

    def _string(self, start: int, quote_at: int, *, escapes: bool, quote: str = "'") -> int:
        sql, j = self.sql, quote_at + 1
        value: list[str] = []
        while j < self.n:
            ch = sql[j]
            if escapes and ch == "\\" and j + 1 < self.n:
                decoded, j = _unescape(sql, j + 1, self.dialect)
                value.append(decoded)
                continue
            if ch == quote:
                if j + 1 < self.n and sql[j + 1] == quote:
                    value.append(quote)
                    j += 2
                    continue
                more = _CONTINUATION.match(sql, j + 1) if self.dialect is Dialect.POSTGRESQL else None
                if more is not None:
                    j = more.end()  # 'a' <newline> 'b' is one constant, read with the first part's escapes
                    continue
                return self.add(Kind.STRING, start, j + 1, "".join(value))
            value.append(ch)
            j += 1
        raise LexError("a string is not closed (an unmatched quote)", start)

    def _quoted(self, start: int, quote_at: int, open_: str, close: str) -> int:
        sql, j = self.sql, quote_at + 1
        value: list[str] = []
        while j < self.n:
            if sql[j] == close:
                if j + 1 < self.n and sql[j + 1] == close:
                    value.append(close)
                    j += 2
                    continue
                return self.add(Kind.QUOTED, start, j + 1, "".join(value))
            value.append(sql[j])
            j += 1
        raise LexError(f"a quoted name ({open_}...{close}) is not closed", start)

    def _dollar(self, i: int) -> int:
        sql = self.sql
        param = _PARAM.match(sql, i)
        if param:
            return self.add(Kind.PARAM, i, param.end())
        tag = _DOLLAR_TAG.match(sql, i)
        if not tag:
            return self.add(Kind.OP, i, i + 1)
        delimiter = tag.group(0)
        end = sql.find(delimiter, tag.end())
        if end < 0:
            raise LexError(f"a dollar-quoted string ({delimiter}) is not closed", i)
        return self.add(Kind.STRING, i, end + len(delimiter), sql[tag.end() : end])

    def _number(self, i: int) -> int:
        m = _NUMBER.match(self.sql, i)
        end = m.end() if m and m.end() > i else i + 1
        if self.dialect is Dialect.MYSQL:
            word = _MYSQL_WORD.match(self.sql, i)
            if word and word.end() > end:  # MySQL names may start with a digit: 1abc
                return self.add(Kind.WORD, i, word.end())
        return self.add(Kind.NUMBER, i, end)

    def _word(self, i: int) -> int:
        sql, d = self.sql, self.dialect
        ch, nxt = sql[i], sql[i + 1 : i + 2]
        if d is Dialect.POSTGRESQL:
            if ch in "uU" and sql.startswith("&'", i + 1):
                return self._unicode(i, "'")
            if ch in "uU" and sql.startswith('&"', i + 1):
                return self._unicode(i, '"')
            if ch in "eE" and nxt == "'":
                return self._string(i, i + 1, escapes=True)
            if ch in "nN" and nxt == "'":
                return self._string(i, i + 1, escapes=self._backslashes(plain=True))
            if ch in "bBxX" and nxt == "'":
                return self._bits(i)
        elif nxt == "'" and (ch in "xX" or (d is Dialect.MYSQL and ch in "bB")):
            return self._bits(i)
        elif nxt == "'" and d is Dialect.MYSQL and ch in "nN":
            return self._string(i, i + 1, escapes=self.opt.backslash_escapes)
        m = _WORD.match(sql, i + 1)
        return self.add(Kind.WORD, i, m.end() if m else i + 1)

    def _bits(self, i: int) -> int:
        """B'0101' and X'1F': no escapes and no doubled quotes; the first quote ends it."""
        end = self.sql.find("'", i + 2)
        if end < 0:
            raise LexError("a bit or hex string is not closed (an unmatched quote)", i)
        return self.add(Kind.STRING, i, end + 1, self.sql[i + 2 : end])

    def _unicode(self, i: int, quote: str) -> int:
        """PostgreSQL U&'...' and U&"..." with an optional UESCAPE 'c'."""
        start = len(self.out)
        if quote == "'":
            self._string(i, i + 2, escapes=self._backslashes(plain=True))
        else:
            self._quoted(i, i + 2, '"', '"')
        raw = self.out.pop()
        assert len(self.out) == start
        end = raw.end
        escape = "\\"
        m = _UESCAPE.match(self.sql, end)
        if m:
            escape, end = m.group(1), m.end()
            if escape in "+'\" \t\n\r\f" or escape.isalnum():
                at = raw.end + len(m.group(0)) - len(m.group(0).lstrip())
                raise LexError(f"UESCAPE {escape!r} is not a valid escape character", at)
        value = _decode_unicode(raw.value or "", escape, i)
        kind = Kind.STRING if quote == "'" else Kind.QUOTED
        return self.add(kind, i, end, value)


_MYSQL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "0": "\0", "Z": "\x1a"}
_PG_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
_PG_ESCAPE = re.compile(r"x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}")


def _unescape(text: str, j: int, dialect: Dialect) -> tuple[str, int]:
    """The character a backslash escape at ``text[j]`` (just after the backslash) stands for, and where it ends."""
    ch = text[j]
    if dialect is Dialect.MYSQL:
        if ch in "%_":
            return "\\" + ch, j + 1  # MySQL keeps the backslash of \% and \_ (LIKE escapes)
        return _MYSQL_ESCAPES.get(ch, ch), j + 1
    m = _PG_ESCAPE.match(text, j)
    if m:
        code = m.group(0)
        value = int(code[1:], 16) if code[0] in "xuU" else int(code, 8)
        if 0 < value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF:
            return chr(value), m.end()
    return _PG_ESCAPES.get(ch, ch), j + 1


def _decode_unicode(body: str, escape: str, offset: int) -> str:
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch != escape:
            out.append(ch)
            i += 1
            continue
        if body.startswith(escape, i + 1):
            out.append(escape)
            i += 2
            continue
        plus = body[i + 1 : i + 2] == "+"
        digits = body[i + 2 : i + 8] if plus else body[i + 1 : i + 5]
        width = 6 if plus else 4
        if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise LexError("a U& escape is not followed by 4 (or +6) hex digits", offset)
        code = int(digits, 16)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise LexError(f"a U& escape names an invalid character (U+{code:04X})", offset)
        out.append(chr(code))
        i += (2 if plus else 1) + width
    return "".join(out)


# --- statements ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Span:
    """One statement of a script, in the user's text."""

    start: int
    end: int
    lexemes: list[Lexeme]
    source: str

    @property
    def significant(self) -> list[Lexeme]:
        return [x for x in self.lexemes if x.kind not in (Kind.SPACE, Kind.COMMENT, Kind.EXEC_OPEN, Kind.EXEC_CLOSE)]


def split(sql: str, dialect: Dialect, options: Options | None = None) -> list[Span]:
    """The statements of a script, split at the semicolons the server sees (empty ones dropped).

    Raises:
        LexError: see :func:`lex`.
    """
    return split_lexemes(lex(sql, dialect, options), sql, dialect)


def split_lexemes(lexemes: list[Lexeme], sql: str, dialect: Dialect) -> list[Span]:
    spans: list[Span] = []
    current: list[Lexeme] = []
    atomic = 0
    first = ""
    for k, lexeme in enumerate(lexemes):
        if not first and lexeme.kind not in (Kind.SPACE, Kind.COMMENT):
            first = lexeme.upper or lexeme.text
        if dialect is Dialect.POSTGRESQL and lexeme.kind is Kind.WORD and first == "CREATE":
            atomic = _atomic_depth(lexemes, k, atomic)
        if lexeme.kind is Kind.SEMICOLON and atomic == 0:
            _close(spans, current, sql)
            current, first = [], ""
            continue
        current.append(lexeme)
    _close(spans, current, sql)
    return spans


def _atomic_depth(lexemes: list[Lexeme], k: int, depth: int) -> int:
    """PostgreSQL ``BEGIN ATOMIC ... END`` bodies (SQL-standard function bodies) hold semicolons."""
    word = lexemes[k].upper
    if word == "ATOMIC":
        prev = _previous_word(lexemes, k)
        return depth + 1 if prev == "BEGIN" else depth
    if word in ("CASE", "END") and _previous_word(lexemes, k) == "AS":
        return depth  # a column label (SELECT 1 AS case), not a keyword
    if depth and word == "CASE":
        return depth + 1
    if depth and word == "END":
        return depth - 1
    return depth


def _previous_word(lexemes: list[Lexeme], k: int) -> str:
    for j in range(k - 1, -1, -1):
        if lexemes[j].kind in (Kind.SPACE, Kind.COMMENT):
            continue
        return lexemes[j].upper
    return ""


def _close(spans: list[Span], current: list[Lexeme], sql: str) -> None:
    meaningful = [x for x in current if x.kind not in (Kind.SPACE, Kind.COMMENT, Kind.EXEC_OPEN, Kind.EXEC_CLOSE)]
    if not meaningful:
        return
    # The source runs to the last lexeme the server reads, so an executable comment's */ stays in it.
    kept = [x for x in current if x.kind is not Kind.SPACE]
    start = next(x.start for x in current if x.kind not in (Kind.SPACE, Kind.COMMENT))
    end = kept[-1].end
    spans.append(Span(start, end, current, sql[start:end]))


# --- the normalised text ------------------------------------------------------------------------


@dataclass(slots=True)
class Normalised:
    """Text that sqlglot reads as the server would, with a map back to the user's offsets."""

    text: str
    starts: list[int] = field(default_factory=list)
    """The normalised offset of each lexeme."""
    _norm: list[int] = field(default_factory=list)
    _orig: list[int] = field(default_factory=list)
    _verbatim: list[bool] = field(default_factory=list)

    def original_offset(self, offset: int) -> int:
        """Where a normalised offset is in the user's text."""
        k = bisect.bisect_right(self._norm, offset) - 1
        if k < 0:
            return 0
        if self._verbatim[k]:
            return self._orig[k] + (offset - self._norm[k])
        return self._orig[k]


def normalise(sql: str, dialect: Dialect, options: Options | None = None) -> Normalised:
    """The whole script, normalised (see the module docstring).

    Raises:
        LexError: see :func:`lex`.
    """
    return normalise_lexemes(lex(sql, dialect, options), dialect)


def normalise_lexemes(lexemes: list[Lexeme], dialect: Dialect) -> Normalised:
    out = Normalised("")
    parts: list[str] = []
    pos = 0
    previous: Lexeme | None = None
    for lexeme in lexemes:
        text, verbatim = _canonical(lexeme, dialect)
        if previous is not None and _needs_gap(previous, lexeme, dialect):
            parts.append(" ")
            out._norm.append(pos)
            out._orig.append(lexeme.start)
            out._verbatim.append(False)
            pos += 1
        out.starts.append(pos)
        out._norm.append(pos)
        out._orig.append(lexeme.start)
        out._verbatim.append(verbatim)
        parts.append(text)
        pos += len(text)
        previous = lexeme
    out.text = "".join(parts)
    return out


def _needs_gap(previous: Lexeme, lexeme: Lexeme, dialect: Dialect) -> bool:
    """Adjacent operators that sqlglot would read as one comment opener (MySQL ``--1``)."""
    if previous.end != lexeme.start or previous.kind is not Kind.OP or lexeme.kind is not Kind.OP:
        return False
    pair = previous.text + lexeme.text
    return pair in ("--", "/*", "*/") or (lexeme.text == "#" and profile(dialect).hash_comments)


def _canonical(lexeme: Lexeme, dialect: Dialect) -> tuple[str, bool]:
    kind = lexeme.kind
    if kind in (Kind.COMMENT, Kind.EXEC_OPEN, Kind.EXEC_CLOSE):
        return " ", False
    if kind is Kind.STRING:
        return _string_literal(lexeme, dialect), False
    if kind is Kind.QUOTED:
        return profile(dialect).quote(lexeme.value or ""), False
    if kind is Kind.PARAM and dialect is Dialect.POSTGRESQL:
        return lexeme.text + " ", False  # sqlglot reads "$1::int,$" as the start of a dollar quote
    return lexeme.text, True


def _string_literal(lexeme: Lexeme, dialect: Dialect) -> str:
    value = lexeme.value or ""
    head = lexeme.text[:1].upper()
    if head in ("X", "B") and lexeme.text[1:2] == "'":
        return lexeme.text[0] + "'" + value.replace("'", "''") + "'"
    if dialect is Dialect.MYSQL:
        value = value.replace("\\", "\\\\")
    return "'" + value.replace("'", "''") + "'"
