"""Differential tests of core.validation.lex against the databases' own lexers.

The lexer decides where statements, comments, strings and quoted names begin and end, and the
validator's safety rests on it: a statement hidden where the lexer sees a comment or a string is a
statement nobody validated. So each dialect is compared with the real thing, whose word is the truth:

- PostgreSQL: pglast (libpg_query: PostgreSQL's own scanner and grammar). Its scanner's tokens for
  comments, string constants, quoted names and semicolons; its grammar's statement split for the
  boundaries (the grammar knows ``BEGIN ATOMIC ... END``); its parse tree for decoded values.
- MariaDB: the real server on 127.0.0.1, asked through the binary protocol's COM_STMT_PREPARE only
  (tests/support/mysql_prepare.py): nothing is executed. It prepares exactly one statement and refuses
  a text holding a second one at that second one; its column and parameter counts tell what it read as
  code and what as a comment or a string.
- SQLite: ``sqlite3.complete_statement`` (SQLite's own ``sqlite3_complete``) for the semicolons that end
  a statement, and ``EXPLAIN`` on an in-memory database one statement at a time (the sqlite3 module
  refuses a text holding a second statement); the bytecode's ResultRow gives the column count.

Known lexer bugs are recorded as strict xfails in the hand-written corpora; the hypothesis tests pass
over exactly the inputs those open bugs are about (``_known_*``), so that they keep looking for new ones.
Bugs found this way and fixed since stay in the corpora as regression cases (``fixed``). The generated
texts are made of fragments of each dialect's comments, strings, quoted names, parameters, operators,
semicolons and whitespace, glued with no space between them (where lexers go wrong); for MariaDB and
SQLite every statement is a ``SELECT 1 ...`` select list, so that preparing it is meaningful and
harmless. ``SQLDRAFT_LEX_FUZZ=1`` runs the hypothesis tests randomised and 20 times longer.
"""

from __future__ import annotations

import itertools
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pglast
import pymysql
import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from pglast import parser as pg

from core.domain.schema import Dialect
from core.validation.lex import Kind, Lexeme, LexError, Options, Span, lex, split_lexemes
from tests.support.mysql_prepare import Prepared, check_connection, prepare, second_statement_at
from tests.support.servers import mariadb_admin

PG, MY, SQ = Dialect.POSTGRESQL, Dialect.MYSQL, Dialect.SQLITE

_FUZZ = os.environ.get("SQLDRAFT_LEX_FUZZ") == "1"


def _examples(n: int) -> settings:
    return settings(
        max_examples=n * 20 if _FUZZ else n,
        derandomize=not _FUZZ,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
    )


def xfail(sql: str, reason: str, id: str) -> object:
    """A case lex.py gets wrong: the bug, recorded (strict: it fails the suite once fixed, to be unmarked)."""
    return pytest.param(sql, id=id, marks=pytest.mark.xfail(strict=True, reason=f"lex.py bug: {reason}"))


def fixed(sql: str, reason: str, id: str) -> object:
    """A case this oracle found lex.py getting wrong (``reason``), since fixed: a regression case now."""
    return pytest.param(sql, id=id)


# --- our side -------------------------------------------------------------------------------------


@dataclass
class Ours:
    sql: str
    lexemes: list[Lexeme]
    spans: list[Span]

    @property
    def top_semicolons(self) -> set[int]:
        """Every ``;`` our splitter splits at (those that end an empty statement included)."""
        inside = {id(x) for span in self.spans for x in span.lexemes}
        return {x.start for x in self.lexemes if x.kind is Kind.SEMICOLON and id(x) not in inside}

    @property
    def ending_semicolons(self) -> set[int]:
        """The ``;`` that end a non-empty statement."""
        top = sorted(self.top_semicolons)
        return {next(s for s in top if s >= span.end) for span in self.spans if any(s >= span.end for s in top)}

    def of(self, *kinds: Kind) -> list[Lexeme]:
        return [x for x in self.lexemes if x.kind in kinds]


def ours(sql: str, dialect: Dialect, options: Options | None = None) -> Ours:
    """Our lexemes and statements (raises LexError)."""
    lexemes = lex(sql, dialect, options)
    return Ours(sql, lexemes, split_lexemes(lexemes, sql, dialect))


def _select_columns(span: Span) -> int | None:
    """How many result columns ``SELECT a, b, ...`` has by our reading (None: not such a statement)."""
    sig = span.significant
    if not sig or sig[0].upper != "SELECT":
        return None
    depth, columns = 0, 1
    for x in sig[1:]:
        if x.kind is Kind.OP and x.text == "(":
            depth += 1
        elif x.kind is Kind.OP and x.text == ")":
            depth -= 1
        elif x.kind is Kind.OP and x.text == "," and depth == 0:
            columns += 1
    return columns


def _show(sql: str, ranges: set[tuple[int, int]] | list[tuple[int, int]]) -> str:
    return "[" + ", ".join(f"{a}:{b} {sql[a:b]!r}" for a, b in sorted(ranges)) + "]"


def _events(sql: str, dialect: Dialect, accepted: bool, options: Options | None = None) -> None:
    """Hypothesis statistics (--hypothesis-show-statistics): what the generated texts exercised."""
    try:
        n = len(ours(sql, dialect, options).spans)
    except LexError:
        event("our lexer refuses it")
        return
    event(f"ours: {min(n, 3)}{'+' if n > 3 else ''} statement(s)")
    event("the server accepts the whole text" if accepted else "the server refuses the whole text")


# =================================================================================================
# PostgreSQL: pglast (libpg_query)
# =================================================================================================


@dataclass(frozen=True, slots=True)
class Tok:
    start: int
    end: int
    """Exclusive (pglast's Token.end is inclusive)."""
    name: str


_PG_COMMENTS = {"C_COMMENT", "SQL_COMMENT"}
_PG_LITERALS = {"SCONST", "USCONST", "BCONST", "XCONST", "UIDENT"}


def pg_scan(sql: str) -> list[Tok] | None:
    try:
        return [Tok(t.start, t.end + 1, t.name) for t in pg.scan(sql)]
    except pg.ParseError:
        return None


def pg_split(sql: str) -> list[slice] | None:
    """The grammar's statements (None: PostgreSQL does not parse the text)."""
    try:
        return list(pg.split(sql, with_parser=True, only_slices=True))
    except pg.ParseError:
        return None


def pg_literals(sql: str, toks: list[Tok]) -> list[tuple[int, int]]:
    """Where PostgreSQL's string constants and quoted names are, the way our lexer groups them.

    ``N'...'`` is the keyword NCHAR and a string to PostgreSQL; ``U&'...' UESCAPE 'c'`` is three tokens
    (the grammar joins them); we lex each as one lexeme.
    """
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if t.name == "NCHAR" and t.end - t.start == 1 and nxt and nxt.name == "SCONST" and nxt.start == t.end:
            out.append((t.start, nxt.end))
            i += 2
            continue
        if t.name in _PG_LITERALS or (t.name == "IDENT" and sql[t.start] == '"'):
            end = t.end
            if t.name in ("USCONST", "UIDENT") and i + 2 < len(toks):
                kw, esc = toks[i + 1], toks[i + 2]
                gap1, gap2 = sql[t.end : kw.start], sql[kw.end : esc.start]
                single = esc.end - esc.start == 3 and sql[esc.start + 1] != "'"  # what lex.py takes
                if kw.name == "UESCAPE" and esc.name == "SCONST" and single and not gap1.strip() and not gap2.strip():
                    end = esc.end
                    i += 2
            out.append((t.start, end))
        i += 1
    return out


def pg_disagreements(sql: str) -> list[str] | None:
    """How our lexer and splitter disagree with PostgreSQL's on ``sql`` (None: pglast cannot scan it)."""
    toks = pg_scan(sql)
    if toks is None:
        return None
    try:
        mine = ours(sql, PG)
    except LexError as exc:
        if pg_split(sql) is not None:
            return [f"ours raises LexError ({exc.message}, at {exc.offset}) but PostgreSQL parses the text"]
        return []
    problems: list[str] = []
    literals = pg_literals(sql, toks)

    def in_literal(a: int, b: int) -> bool:
        return any(s <= a and b <= e for s, e in literals)

    # Comments. A -- comment between the parts of a continued string constant is part of that token.
    theirs = {(t.start, t.end) for t in toks if t.name in _PG_COMMENTS}
    mine_c = {(x.start, x.end) for x in mine.of(Kind.COMMENT) if not in_literal(x.start, x.end)}
    if theirs != mine_c:
        problems.append(f"comments: PostgreSQL {_show(sql, theirs)}, ours {_show(sql, mine_c)}")

    # String constants and quoted names: each of theirs is exactly a run of ours (continued strings).
    for s, e in literals:
        cover = [x for x in mine.lexemes if x.start < e and x.end > s]
        if not (
            cover
            and cover[0].start == s
            and cover[-1].end == e
            and cover[0].kind in (Kind.STRING, Kind.QUOTED)
            and all(x.kind in (Kind.STRING, Kind.QUOTED, Kind.SPACE, Kind.COMMENT) for x in cover)
        ):
            got = [(x.kind.value, x.text) for x in cover]
            problems.append(f"literal {sql[s:e]!r} at {s}:{e} is, by our lexer, {got}")
    for x in mine.of(Kind.STRING, Kind.QUOTED):
        if not in_literal(x.start, x.end):
            problems.append(f"ours reads {x.text!r} at {x.start}:{x.end} as a {x.kind.value}; PostgreSQL does not")

    # Statements: the grammar's split when PostgreSQL parses the text, else the scanner's semicolons.
    mine_s = [(span.significant[0].start, span.significant[-1].end) for span in mine.spans]
    slices = pg_split(sql)
    if slices is not None:
        theirs_s = []
        for sl in slices:
            sig = [t for t in toks if sl.start <= t.start and t.end <= sl.stop and t.name not in _PG_COMMENTS]
            if sig:
                theirs_s.append((sig[0].start, sig[-1].end))
        if theirs_s != mine_s:
            problems.append(f"statements: PostgreSQL {_show(sql, theirs_s)}, ours {_show(sql, mine_s)}")
    elif not any(t.name == "ATOMIC" for t in toks):  # the scanner alone cannot know BEGIN ATOMIC bodies
        theirs_semi = {t.start for t in toks if t.name == "ASCII_59"}
        if theirs_semi != mine.top_semicolons:
            problems.append(
                f"semicolons: PostgreSQL's scanner {sorted(theirs_semi)}, ours {sorted(mine.top_semicolons)}"
            )
    return problems


_E_CONTINUED = re.compile(r"[eE]'(?:[^'\\]|\\.|'')*'[ \t\f]*(?:--[^\n\r]*)?[\n\r]")


def _known_pg(sql: str) -> str | None:
    """The known (open) lex.py bug (see the xfails below) that ``sql`` is about, if any."""
    toks = pg_scan(sql) or []
    for kw, esc in itertools.pairwise(toks):
        if kw.name == "UESCAPE" and esc.name == "SCONST" and esc.end - esc.start != 3:
            return "UESCAPE and a string constant other than 'c' (doubled quote, continuation)"
    try:
        lexemes = lex(sql, PG)
    except LexError:
        lexemes = []
    for t in pg_scan(sql) or []:
        cover = [x for x in lexemes if x.start < t.end and x.end > t.start]
        if t.name in ("BCONST", "XCONST") and cover and cover[-1].end > t.end:
            return "B'...' or X'...' continued by a string with a doubled quote"
    if _E_CONTINUED.search(sql):
        toks = pg_scan(sql) or []
        for s, e in pg_literals(sql, toks):
            if sql[s] in "eE" and _E_CONTINUED.match(sql, s) and re.search(r"[\n\r]", sql[s:e]):
                return "E'...' continued on another line"
        try:
            lex(sql, PG)
        except LexError:
            return "E'...' continued on another line (maybe)"
    return None


PG_CASES = [
    pytest.param("SELECT $a$ ; $b$ ; $a$; SELECT 2", id="dollar-tag"),
    pytest.param("SELECT $$;$$ ; SELECT $$--$$;SELECT $$/*$$", id="dollar-empty-tag"),
    pytest.param("SELECT $é$;$é$; SELECT $_1$ $ $_1$", id="dollar-tag-unicode-and-digits"),
    pytest.param("SELECT $a$b$a$, $ab$ $a$ ; $ab$; SELECT 2", id="dollar-tag-prefix-inside"),
    pytest.param("SELECT a$b$c, a$$; SELECT x$1", id="dollar-in-identifier"),
    pytest.param("SELECT $1::int,$2 ; SELECT $3", id="params"),
    pytest.param("SELECT $1::int,$", id="param-then-lone-dollar"),
    pytest.param("SELECT $1$$;$$ ; SELECT 1", id="param-then-dollar-quote"),
    pytest.param("SELECT 1 /* a /* ; */ ; */ ; SELECT 2", id="nested-comment"),
    pytest.param("/* /* /* ; */ */ */ SELECT 1; /**/SELECT/**/2", id="nested-comment-deep"),
    pytest.param("SELECT 1 /*/ ; */ ; SELECT 2 /***/", id="comment-slash-star-slash"),
    pytest.param("SELECT 1 /* -- */ ; SELECT 2 -- /*\n; SELECT 3", id="comments-in-comments"),
    pytest.param("SELECT E'\\'; SELECT 1; --' ; SELECT 2", id="e-string-escaped-quote"),
    pytest.param("SELECT E'\\\\'; SELECT 2", id="e-string-backslash"),
    pytest.param("SELECT e'it\\'s; --', E'\\x41;'", id="e-string-lower"),
    pytest.param("SELECT '\\'; SELECT 2", id="standard-string-backslash"),
    pytest.param("SELECT 'it''s;' ; SELECT ''''", id="doubled-quotes"),
    pytest.param("SELECT U&\"d!0061t;\" UESCAPE '!'; SELECT 2", id="unicode-ident-uescape"),
    pytest.param("SELECT U&'\\0041;' , U&'!0041' UESCAPE '!' ; SELECT 1", id="unicode-string-uescape"),
    pytest.param("SELECT U&'!0041'\nUESCAPE\n'!' ; SELECT 1", id="uescape-on-new-lines"),
    pytest.param('SELECT u&\'\\+01F600\', U&"\\0041""" ; SELECT 1', id="unicode-plus-and-doubled"),
    pytest.param("SELECT U&'\\' ; SELECT 2", id="unicode-string-trailing-backslash"),
    pytest.param("SELECT '--', '/*', '*/' ; SELECT 2", id="comment-openers-in-strings"),
    pytest.param('SELECT 1 AS ";", 2 AS "a"";" , 3 AS "--" ; SELECT 3', id="semicolon-in-quoted-names"),
    pytest.param("SELECT B'01', X'1F', N';', n'x' ; SELECT 2", id="b-x-n-strings"),
    pytest.param('SELECT "$$", \'$$\' ; SELECT $$"$$', id="dollars-in-quotes"),
    pytest.param(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;"
        " SELECT 3",
        id="begin-atomic",
    ),
    pytest.param(
        "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); END;"
        " SELECT 3",
        id="begin-atomic-procedure",
    ),
    pytest.param(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN -- c\n ATOMIC SELECT 1; END; SELECT 2",
        id="begin-comment-atomic",
    ),
    pytest.param(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $f$ SELECT 1; SELECT ';' $f$; SELECT 2", id="dollar-body"
    ),
    pytest.param("DO $$BEGIN RAISE NOTICE ';'; END$$; SELECT 1", id="do-block"),
    pytest.param("SELECT 1 +--x ;\n 2; SELECT 3", id="operator-then-dash-comment"),
    pytest.param("SELECT 1 */* ; */ 2; SELECT 3", id="operator-then-block-comment"),
    pytest.param("SELECT 2 */ 1; SELECT 3", id="star-slash-outside-comment"),
    pytest.param("SELECT 1.e5, .5, 1_000, 0x1F, 1e-3;SELECT.5", id="numbers"),
    pytest.param("SELECT 'a'\n'b' ; SELECT 'c' -- ;\n 'd'", id="string-continuation"),
    pytest.param("SELECT 1 -- x\r; SELECT 2", id="cr-ends-dash-comment"),
    pytest.param("SELECT\v1;\fSELECT 2", id="vertical-tab-and-form-feed"),
    pytest.param("SELECT 1; -- done", id="comment-at-end"),
    pytest.param("/* x */ -- y\n ; ;", id="only-comments-and-semicolons"),
    pytest.param("SELECT 1 /* unterminated ; SELECT 2", id="unterminated-comment"),
    pytest.param("SELECT ';", id="unterminated-string"),
    fixed(
        "SELECT B'01''a', X'1F'';'",
        "B'...' and X'...' have no doubled quotes: PostgreSQL ends them at the first quote (a string follows); "
        "lex.py reads one constant B'01''a' (the string regions are the same, the tokens and values not)",
        id="bit-string-then-string",
    ),
    xfail(
        "SELECT U&'x' UESCAPE '!''a'",
        "UESCAPE takes the whole next string constant ('!''a', an invalid escape PostgreSQL refuses); lex.py "
        "takes '!' and starts a new string at the doubled quote",
        id="uescape-string-with-doubled-quote",
    ),
    xfail(
        "SELECT U&'x' UESCAPE '!'\n'a'",
        "the same with a continued string constant after UESCAPE ('!' 'a' is one constant)",
        id="uescape-string-continued",
    ),
    xfail(
        "SELECT B'01'\n'a''b'",
        "the same in a continued B'...' constant: PostgreSQL reads B'01' 'a' (continued) and then 'b'",
        id="bit-string-continued-then-string",
    ),
    pytest.param("SELECT E'a'\n'\\''; DROP TABLE t; -- '", id="e-string-continuation"),
    pytest.param("SELECT E'a' -- c\n'\\''; SELECT 2; -- '", id="e-string-continuation-over-comment"),
    pytest.param("SELECT begin atomic FROM t; DROP TABLE t", id="begin-atomic-as-column-alias"),
    pytest.param(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 AS case; END; DROP TABLE t; SELECT 1",
        id="begin-atomic-case-label",
    ),
    pytest.param(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 AS end; SELECT 2; END",
        id="begin-atomic-end-label",
    ),
    xfail(
        "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))",
        "a CREATE RULE with several actions in parentheses holds semicolons; the splitter splits inside it",
        id="create-rule-several-actions",
    ),
]


@pytest.mark.parametrize("sql", PG_CASES)
def test_postgresql_corpus_agrees_with_pglast(sql):
    problems = pg_disagreements(sql)
    if problems is None:  # unscannable by PostgreSQL: ours must refuse it too
        with pytest.raises(LexError):
            lex(sql, PG)
        return
    assert problems == []


def _pg_value(literal: str) -> str:
    """The decoded value of a string constant or quoted name, from PostgreSQL's parse tree."""
    target = pglast.parse_sql(
        f"SELECT 1 AS {literal}" if literal.lstrip("uU&").startswith('"') else f"SELECT {literal}"
    )
    res = target[0].stmt.targetList[0]
    if res.name is not None:
        return res.name
    node = res.val.arg if type(res.val).__name__ == "TypeCast" else res.val  # N'x' is 'x'::bpchar
    return node.val.sval


PG_VALUES = [
    pytest.param("'it''s'", id="doubled-quote"),
    pytest.param("E'a\\'b'", id="e-escaped-quote"),
    pytest.param("E'\\n\\t\\\\'", id="e-simple-escapes"),
    pytest.param("'a\\n'", id="standard-backslash"),
    pytest.param("U&'\\0041\\+01F600'", id="unicode-escapes"),
    pytest.param("U&'!0041!!' UESCAPE '!'", id="uescape"),
    pytest.param('U&"a\\0062"', id="unicode-ident"),
    pytest.param('"a""b"', id="quoted-ident"),
    pytest.param("$q$x$q$", id="dollar"),
    pytest.param("'a'\n'b'", id="continuation"),
    pytest.param("N'x'", id="national"),
    fixed("E'\\x41'", "E'\\xhh' hex escapes are not decoded (value 'x41', PostgreSQL: 'A')", id="e-hex"),
    fixed("E'\\101'", "E'\\ooo' octal escapes are not decoded (value '101', PostgreSQL: 'A')", id="e-octal"),
    fixed("E'\\u0041'", "E'\\uXXXX' escapes are not decoded (value 'u0041', PostgreSQL: 'A')", id="e-unicode"),
    fixed("E'\\Z'", "MySQL's \\Z escape applied to PostgreSQL (value '\\x1a', PostgreSQL: 'Z')", id="e-Z"),
    pytest.param("U&'\\0041!0042' /**/ UESCAPE '!'", id="uescape-after-comment"),
    pytest.param("U&'\\0041'\n'!0042' UESCAPE '!'", id="uescape-continued"),
]


@pytest.mark.parametrize("literal", PG_VALUES)
def test_postgresql_literal_values_agree_with_the_parse_tree(literal):
    values = [x.value for x in lex(literal, PG) if x.kind in (Kind.STRING, Kind.QUOTED)]
    assert "".join(v or "" for v in values) == _pg_value(literal)


# --- PostgreSQL, generated ------------------------------------------------------------------------

_PG_FRAGMENTS = [
    *("SELECT", "FROM", "WHERE", "AS", "AND", "CASE", "END", "BEGIN", "CREATE", "RULE", "DO", "UESCAPE"),
    *("E", "e", "U", "u", "B", "X", "N", "x", "a$b", "_y", "é", "$", "&", "U&"),
    *('"q"', '"a""b"', '"--"', '";"', '"/*"', 'U&"d\\0061t"', "U&\"d!0061t\" UESCAPE '!'", 'u&"\\+000061"'),
    *("'a'", "''", "'it''s'", "'--'", "';'", "'/*'", "'\\'", "E'\\''", "e'\\\\'", "E'a\\'b;'", "E'\\x41'"),
    *("U&'\\0041'", "U&'!0041' UESCAPE '!'", "B'01'", "X'1F'", "N'x'", "n';'"),
    *("$$a$$", "$$;$$", "$q$ $$ ; $q$", "$a$b$a$", "$_$--$_$", "$é$x$é$"),
    *("-- c\n", "--\n", "-- ;\n", "--", "/* c */", "/**/", "/* ; */", "/* /* */ */", "/* -- */", "/*/ x */"),
    *("-- c\r", "\r"),
    *("-- /*\n", "/* ' */", "/*", "*/"),
    *(";", ";", ";", "$1", "$12", "$1::int", "::", "+", "-", "*", "/", "<", ">", "=", "~", "!", "@", "#"),
    *("%", "^", "|", "`", "?", ".", ",", "(", ")", "[", "]", ":", "+--x\n", "*--", "-/**/-"),
    *("1", "1.5", ".5", "1.e5", "1e5", "1_000", "0x1F", "1e"),
    *(" ", " ", " ", "\n", "\t", "\r", "\f", "\v", "\r\n", "\u00a0"),
]
_PG_CHARS = list("'\"$\\*/-;E&U")

pg_scripts = st.lists(st.sampled_from(_PG_FRAGMENTS + _PG_CHARS), max_size=24).map("".join)


@_examples(2500)
@given(pg_scripts)
def test_postgresql_generated_scripts_agree_with_pglast(sql):
    problems = pg_disagreements(sql)
    event("pglast scans it" if problems is not None else "pglast refuses it")
    event("pglast parses it" if pg_split(sql) is not None else "pglast does not parse it")
    if problems is None or (problems and _known_pg(sql)):
        return
    assert problems == [], repr(sql)


_SEP = st.sampled_from([" ", " ", "\n", "\t", " /* c; */ ", " /* /* ; */ */ ", " -- c; '\n", "/**/", "\n-- $$\n"])
_PG_LEAVES = [
    *("1", "1.5", ".5", "1.e5", "1_000", "0x1F", "$1", "$2::int", "x", "a$b"),
    *("'a'", "''", "'it''s'", "';'", "'--'", "'/*'", "E'\\''", "e'\\\\;'", "E'a\\'b'", "N';'", "B'01'", "X'1F'"),
    *("U&'\\0041'", "U&'!0041' UESCAPE '!'", "U&'\\0041' UESCAPE '\\'", "$$;$$", "$q$ $$ ; $q$", "$a$b$a$"),
    *("'a'\n'b'", "'a' -- ;\n'b'", '"q;"', '"a""b"', 'U&"d\\0061t"', "U&\"d!0061t\" UESCAPE '!'", '"--"', '"/*"'),
]
_pg_expr = st.recursive(
    st.sampled_from(_PG_LEAVES),
    lambda inner: st.one_of(
        st.tuples(inner, _SEP, st.sampled_from(["+", "-", "*", "||", "+-", "*-", "#"]), _SEP, inner).map("".join),
        st.tuples(st.just("("), inner, st.just(")")).map("".join),
        st.tuples(inner, st.just("::"), st.sampled_from(["int", "text", '"numeric"'])).map("".join),
        st.tuples(
            st.just("CASE WHEN"), _SEP, inner, _SEP, st.just("THEN 1 ELSE"), _SEP, inner, _SEP, st.just("END")
        ).map("".join),
    ),
    max_leaves=4,
)
_pg_alias = st.sampled_from(["", " AS x", ' AS "q;"', ' AS "a""b"', ' AS U&"d\\0061t"', ' AS "--"', " y"])
_pg_select = st.builds(
    lambda sep, items: "SELECT" + sep + ",".join(items),
    _SEP,
    st.lists(st.tuples(_pg_expr, _pg_alias).map("".join), min_size=1, max_size=3),
)
_pg_atomic = st.builds(
    lambda kind, sep, body: (
        f"CREATE {kind} LANGUAGE sql BEGIN{sep}ATOMIC{sep}" + "".join(s + ";" + sep for s in body) + "END"
    ),
    st.sampled_from(["FUNCTION f() RETURNS int", "PROCEDURE p()"]),
    _SEP,
    st.lists(_pg_select, min_size=0, max_size=3),
)
_pg_other = st.sampled_from(
    [
        "CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $f$ SELECT 1; SELECT ';' $f$",
        "DO $$BEGIN RAISE NOTICE ';'; END$$",
        "PREPARE p AS SELECT $1::int",
        "VALUES (1, ';'), (2, $$;$$)",
    ]
)
pg_valid_scripts = st.builds(
    lambda stmts, seps, tail: "".join(s + sep for s, sep in zip(stmts, seps, strict=False)) + stmts[-1] + tail,
    st.lists(st.one_of(_pg_select, _pg_select, _pg_atomic, _pg_other), min_size=1, max_size=4),
    st.lists(
        st.sampled_from([";", " ;\n", ";;", "; -- x\n", ";/* ; */", "\n;\n", ";\n-- '\n"]), min_size=3, max_size=3
    ),
    st.sampled_from(["", ";", " ; -- end", "/* end */"]),
)


@_examples(800)
@given(pg_valid_scripts)
def test_postgresql_generated_valid_scripts_split_as_the_grammar_does(sql):
    event("pglast parses it" if pg_split(sql) is not None else "pglast does not parse it")
    problems = pg_disagreements(sql)
    assert problems == [], repr(sql)


# =================================================================================================
# MariaDB: the real server, COM_STMT_PREPARE only
# =================================================================================================


@dataclass
class Maria:
    conn: pymysql.connections.Connection
    version: int
    """The server's version as MariaDB compares it in /*!NNNNNN comments (10.11.19 -> 101119)."""
    options: Options
    """Our lexer's options for the session's sql_mode."""

    def prepare(self, sql: str) -> Prepared:
        return prepare(self.conn, sql)


@contextmanager
def _maria(sql_mode: str | None = None) -> Iterator[Maria]:
    conn = mariadb_admin()
    try:
        check_connection(conn)
        info = conn.get_server_info()  # "5.5.5-10.11.19-MariaDB-..." (the 5.5.5- is for old clients)
        found = re.search(r"(\d+)\.(\d+)\.(\d+)-MariaDB", info) or re.match(r"(\d+)\.(\d+)\.(\d+)", info)
        assert found, info
        major, minor, patch = (int(p) for p in found.groups())
        if sql_mode is not None:
            conn.query(f"SET SESSION sql_mode = '{sql_mode}'")  # a constant of ours, never user text
        with conn.cursor() as cur:
            cur.execute("SELECT @@SESSION.sql_mode")
            (mode,) = cur.fetchone()
        conn.query("START TRANSACTION READ ONLY")  # belt and braces: nothing is ever executed anyway
        yield Maria(conn, major * 10000 + minor * 100 + patch, Options.from_sql_mode(mode))
        conn.rollback()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def maria() -> Iterator[Maria]:
    """A session in the server's default sql_mode."""
    with _maria() as m:
        yield m


@pytest.fixture(scope="module")
def maria_ansi() -> Iterator[Maria]:
    """A session whose sql_mode changes the lexer: double quotes name identifiers, backslashes are literal."""
    with _maria("ANSI_QUOTES,NO_BACKSLASH_ESCAPES") as m:
        assert m.options.ansi_quotes and not m.options.backslash_escapes
        yield m


def mysql_disagreements(maria: Maria, sql: str) -> list[str]:
    """How our splitter and comment/string handling disagree with the server on ``sql``."""
    whole = maria.prepare(sql)
    try:
        mine = ours(sql, MY, maria.options)
    except LexError as exc:
        if whole.ok:
            return [f"ours raises LexError ({exc.message}) but the server prepares the text as one statement"]
        return []
    problems: list[str] = []
    n = len(mine.spans)
    if whole.ok and n != 1:
        problems.append(f"the server prepares the whole text as ONE statement; ours splits it into {n}")
    if not whole.ok and n <= 1:
        at = second_statement_at(maria.conn, sql, whole)
        if at is not None:
            problems.append(f"the server ends a statement at the ';' at {at} and refuses the rest; ours sees {n}")
    for span in mine.spans:
        got = maria.prepare(span.source)
        if not got.ok:
            at = second_statement_at(maria.conn, span.source, got)
            if at is not None:
                problems.append(
                    f"our statement {span.source!r} holds two for the server (the ';' at {at} ends one): {got.message}"
                )
            elif whole.ok and n == 1:
                problems.append(f"the server prepares the text, but not our statement {span.source!r}: {got.message}")
            continue
        columns = _select_columns(span)
        if columns is not None and len(got.columns) != columns:
            problems.append(
                f"{span.source!r}: the server reads {got.columns}, {len(got.columns)} columns; ours {columns}"
            )
        params = sum(1 for x in span.significant if x.kind is Kind.OP and x.text == "?")
        if got.params != params:
            problems.append(f"{span.source!r}: the server sees {got.params} parameters, ours {params}")
        if whole.ok and n == 1 and (got.columns, got.params) != (whole.columns, whole.params):
            problems.append(f"the whole text reads {whole.columns}, our statement {span.source!r} {got.columns}")
    return problems


_VERSIONED = re.compile(r"/\*(M?)!(\d{5,6})")


def _mariadb_skips(maria: Maria, text: str) -> bool:
    """Whether MariaDB reads this /*!NNNNN or /*M!NNNNNN opener as a plain comment (sql_lex.cc)."""
    m = _VERSIONED.match(text)
    if not m:
        return False
    version, marias = int(m.group(2)), bool(m.group(1))
    return not (version <= maria.version and (version < 50700 or version > 99999 or marias))


def _known_mysql(maria: Maria, sql: str) -> str | None:
    """The known (open) lex.py bug (see the xfails below) that ``sql`` is about, if any."""
    try:
        lexemes = lex(sql, MY, maria.options)
    except LexError:
        if any(_mariadb_skips(maria, sql[m.start() :]) for m in _VERSIONED.finditer(sql)):
            return "versioned comment MariaDB skips (maybe)"
        return None
    for x in lexemes:
        if x.kind is Kind.EXEC_OPEN and _mariadb_skips(maria, x.text):
            return "versioned comment MariaDB skips"
    return None


def _semicolon_in_exec(sql: str, options: Options) -> bool:
    """Whether a ``;`` we split at is inside ``/*! ... */`` (our statement then lacks the ``*/``)."""
    try:
        lexemes = lex(sql, MY, options)
    except LexError:
        return False
    inside = False
    for x in lexemes:
        if x.kind in (Kind.EXEC_OPEN, Kind.EXEC_CLOSE):
            inside = x.kind is Kind.EXEC_OPEN
        elif x.kind is Kind.SEMICOLON and inside:
            return True
    return False


MY_CASES = [
    pytest.param("SELECT 1 --1, 2", id="dashdash-digit-is-arithmetic"),
    pytest.param("SELECT 1 -- 1, 2", id="dashdash-space-is-comment"),
    pytest.param("SELECT 1 --\t, 2\n, 3", id="dashdash-tab"),
    pytest.param("SELECT 1 --\n, 2", id="dashdash-newline"),
    pytest.param("SELECT 1 --", id="dashdash-at-end"),
    pytest.param("SELECT 1 --\v, 2\n, 3", id="dashdash-vertical-tab"),
    pytest.param("SELECT 1 --\x01, 2\n, 3", id="dashdash-control-char"),
    pytest.param("SELECT 1 --\xa0, 2", id="dashdash-nbsp-is-not-space"),
    pytest.param("SELECT 1 --, 2", id="dashdash-comma"),
    pytest.param("SELECT 1 --- 1, 2", id="three-dashes"),
    pytest.param("SELECT 1 # , 2\n, 3", id="hash-comment"),
    pytest.param("SELECT 1 #; SELECT 2\n, 3", id="hash-hides-semicolon"),
    pytest.param("SELECT '#', 2 # '\n, 3", id="hash-in-string"),
    pytest.param("SELECT 1 /*! , 2 */", id="exec-comment"),
    pytest.param("SELECT 1 /*!50000 , 2 */ , 3", id="exec-comment-50000"),
    pytest.param("SELECT 1 /*!32302 , 2 */", id="exec-comment-old-version"),
    pytest.param("SELECT 1 /*!100100 , 2 */", id="exec-comment-six-digits"),
    pytest.param("SELECT 1 /*!1234 , 2 */", id="exec-comment-four-digits"),
    pytest.param("SELECT 1 /*M! , 2 */", id="mariadb-exec-comment"),
    pytest.param("SELECT 1 /*M!100100 , 2 */", id="mariadb-exec-comment-version"),
    pytest.param("SELECT 1 /*m! , 2 */", id="lowercase-m-is-a-comment"),
    pytest.param("SELECT 1 /*+ , 2 */, 3", id="optimizer-hint-is-a-comment"),
    pytest.param("SELECT 1 /* ; */ , 2", id="block-comment"),
    pytest.param("SELECT 1 /* /* */ , 2", id="block-comments-do-not-nest"),
    pytest.param("SELECT 1 /*! , 2 /* ; */ , 3 */", id="comment-inside-exec"),
    pytest.param("SELECT 1 /*! , '*/' */ , 2", id="string-inside-exec"),
    pytest.param("SELECT 1 /*!50000 -- x */ , 2", id="dash-comment-eats-exec-close"),
    pytest.param("SELECT 1 /*! , 2", id="unterminated-exec"),
    pytest.param("SELECT 1 /*! ; SELECT 2 */", id="semicolon-inside-exec-splits"),
    pytest.param("SELECT 1 AS `a;``b`, 2", id="backtick-doubled"),
    pytest.param("SELECT 'a\\';', 2", id="single-quote-backslash"),
    pytest.param("SELECT 'a'';', 2", id="single-quote-doubled"),
    pytest.param('SELECT "a\\";", 2', id="double-quote-backslash"),
    pytest.param('SELECT "a"";", 2', id="double-quote-doubled"),
    pytest.param("SELECT 'a\\\\', 2; SELECT 3", id="escaped-backslash"),
    pytest.param("SELECT 'a', ?; SELECT ?, ?", id="params"),
    pytest.param("SELECT 1; SELECT 2", id="two-statements"),
    pytest.param("SELECT 1 ; /* ; */ SELECT 2", id="comment-between-statements"),
    pytest.param("SELECT 1;; ; SELECT 2;", id="empty-statements"),
    pytest.param("SELECT 'x", id="unterminated-string"),
    pytest.param("SELECT 1 /* x", id="unterminated-comment"),
    pytest.param("SELECT 1 */ 2", id="stray-comment-close"),
    xfail(
        "SELECT 1 /*!80000 , 2 */",
        "MariaDB reads /*!NNNNN with 50700 <= NNNNN <= 99999 (MySQL 5.7+ versions) as a plain comment; "
        "lex.py always runs its content",
        id="mysql57-versioned-comment",
    ),
    xfail(
        "SELECT 1 /*!50700 ' */ ; SELECT 2; -- ' */",
        "the same, used to hide a statement: lex.py sees a string where MariaDB sees a comment and code",
        id="mysql57-versioned-comment-hides-a-statement",
    ),
    xfail(
        "SELECT 1 /*!999999 , 2 */",
        "a /*!NNNNNN comment newer than the server is a plain comment; lex.py runs it",
        id="future-versioned-comment",
    ),
    xfail(
        "SELECT 1 /*M!999999 ' */ ; SELECT 2; -- ' */",
        "the same for /*M!NNNNNN: a hidden statement",
        id="future-mariadb-comment-hides-a-statement",
    ),
    fixed(
        "SELECT 1 -- x\r, 2",
        "MariaDB ends -- and # comments at \\n only; lex.py also at \\r",
        id="cr-does-not-end-dash-comment",
    ),
    fixed("SELECT 1 # x\r, 2", "the same for #", id="cr-does-not-end-hash-comment"),
    fixed(
        "SELECT 1 -- \r'\n; SELECT 2; -- '",
        "the same, hiding a statement: lex.py sees a string where MariaDB sees a comment, then code",
        id="cr-hides-a-statement",
    ),
    fixed(
        "SELECT 1 --\x7f, 2",
        "-- followed by DEL (0x7f, a control character to MariaDB) starts a comment; lex.py: two minus signs",
        id="dashdash-del-is-a-comment",
    ),
    fixed(
        "SELECT 1 --\x7f'\n; SELECT 2; -- '",
        "the same, hiding a statement",
        id="dashdash-del-hides-a-statement",
    ),
    fixed(
        "SELECT 1 /*! /*! , 2 */ , 3",
        "a /*! inside an executable comment is executable too (its */ ends the comment); lex.py reads it as a "
        "plain comment",
        id="nested-exec-comment",
    ),
    fixed(
        "SELECT 1 /*! /*! ; SELECT 2 */ */",
        "the same, hiding a statement (MariaDB runs SELECT 1 and only then fails on the stray */)",
        id="nested-exec-comment-hides-a-statement",
    ),
    fixed(
        "SELECT 1;--;",
        "MariaDB drops trailing ; and whitespace before it reads a text, so a final -- followed only by ; is a "
        "comment at the end (one statement); lex.py reads two minus signs, a second statement",
        id="final-dashdash-semicolon",
    ),
    xfail(
        "SELECT 1 /*!40101 ; */",
        "when the ; is inside an executable comment, the statement's source stops before the closing */, so "
        "the statement alone does not prepare (the server check would report a false rejection)",
        id="exec-comment-holding-the-semicolon",
    ),
]


@pytest.mark.mariadb
@pytest.mark.parametrize("sql", MY_CASES)
def test_mariadb_corpus_agrees_with_the_server(maria, sql):
    assert mysql_disagreements(maria, sql) == []


@pytest.mark.mariadb
def test_mariadb_reads_dashdash_digit_as_arithmetic_and_dashdash_space_as_a_comment(maria):
    arithmetic = maria.prepare("SELECT 1 --1")
    assert arithmetic.ok and arithmetic.columns == ("1 --1",)  # the server names the column by its expression
    assert not [x for x in lex("SELECT 1 --1", MY) if x.kind is Kind.COMMENT]
    comment = maria.prepare("SELECT 1 -- 1")
    assert comment.ok and comment.columns == ("1",)
    assert [x.text for x in lex("SELECT 1 -- 1", MY) if x.kind is Kind.COMMENT] == ["-- 1"]


MY_VALUES = [
    pytest.param("'a\\nb'", id="newline"),
    pytest.param("'a\\%b'", id="percent-keeps-backslash"),
    pytest.param("'a\\_b'", id="underscore-keeps-backslash"),
    pytest.param("'a\\Zb'", id="ctrl-z"),
    pytest.param("'a\\zb'", id="unknown-escape"),
    pytest.param("'a\\\\b'", id="backslash"),
    pytest.param("'a\\bb'", id="backspace"),
    pytest.param("N'a\\'b'", id="national"),
    pytest.param('"x""y"', id="double-quoted"),
    pytest.param("'it''s'", id="doubled"),
    pytest.param("1 AS `a``b`", id="backtick-alias"),
    pytest.param("1 AS 'q\\tq'", id="string-alias"),
    fixed("'a\\fb'", "MySQL has no \\f escape (the server reads 'afb'); lex.py decodes a form feed", id="no-f-escape"),
]


@pytest.mark.mariadb
@pytest.mark.parametrize("item", MY_VALUES)
def test_mariadb_string_values_agree_with_the_column_names(maria, item):
    got = maria.prepare(f"SELECT {item}")
    assert got.ok, got.message
    lexemes = [x for x in lex(item, MY) if x.kind in (Kind.STRING, Kind.QUOTED)]
    assert [lexemes[-1].value] == list(got.columns)


# --- MariaDB, generated ---------------------------------------------------------------------------

_MY_FRAGMENTS = [
    *(", 2", "+ 1", "- 1", "-1", ", ?", " AS x", ", 'a'", ", 'it''s'", ", 'a\\'b'", ", 'a\\\\'", ', "a"'),
    *(', "a""b"', ', "a\\"b"', ", 1 AS `a``b`", ", 1 AS `;`", ", CONCAT(1, 2)", ", N'x'", ", X'41'"),
    *(", _utf8mb4'a'", ", 0x41", ", 1e5", ", .5", ", @v", ", 'a' 'b'", ", ';'", ', ";"', ", '--'", ", '#'"),
    *("-- c\n", "--\n", "--\t, 3\n", "-- , 3\n", "--1", "--, 3", "-- ;\n", "--", "# , 3\n", "#\n", "#", "# ;\n"),
    *("-- c\r", "# c\r", "--\r", "\r", "--\x7f", "--\x01", "--\u00a0"),
    *("/* , 3 */", "/**/", "/* ; */", "/*+ , 3 */", "/*m! , 3 */", "/* /* */", "/* ' */"),
    *("/*! , 3 */", "/*!50000 , 3 */", "/*!40101 , 3 */", "/*!100100 , 3 */", "/*M! , 3 */", "/*M!100100 , 3 */"),
    *("/*! ' */", "/*!50000 -- */", "/*!", "/*M!", "/*!50000", "/*", "*/"),
    *(";", "; ", ";\n", " ", " ", "\n", "\t", "\v", "\f", "\r\n"),
]
_MY_CHARS = list("'\"`\\-#/*!;, 3()?\n\r\x7fé\u00a0")

_my_statement = st.lists(st.sampled_from(_MY_FRAGMENTS + _MY_CHARS), max_size=10).map(lambda f: "SELECT 1" + "".join(f))
my_scripts = st.builds(
    lambda stmts, seps: "".join(s + sep for s, sep in zip(stmts, seps, strict=False)),
    st.lists(_my_statement, min_size=1, max_size=3),
    st.lists(st.sampled_from([";", "; ", ";\n", " ; -- x\n", ";#\n", ";/**/", ""]), min_size=3, max_size=3),
)


def _check_generated_mysql(maria: Maria, sql: str) -> None:
    problems = mysql_disagreements(maria, sql)
    _events(sql, MY, maria.prepare(sql).ok, maria.options)
    if problems and _known_mysql(maria, sql):
        note(f"known: {_known_mysql(maria, sql)}")
        return
    if _semicolon_in_exec(sql, maria.options):  # the known bug of exec-comment-holding-the-semicolon
        problems = [p for p in problems if not p.startswith("the server prepares the text, but not our statement")]
    assert problems == [], repr(sql)


@pytest.mark.mariadb
@_examples(1200)
@given(my_scripts)
def test_mariadb_generated_scripts_agree_with_the_server(maria, sql):
    _check_generated_mysql(maria, sql)


@pytest.mark.mariadb
@_examples(600)
@given(my_scripts)
def test_mariadb_generated_scripts_agree_in_ansi_quotes_no_backslash_escapes(maria_ansi, sql):
    _check_generated_mysql(maria_ansi, sql)


# =================================================================================================
# SQLite: sqlite3_complete and EXPLAIN
# =================================================================================================


@dataclass(frozen=True)
class Explained:
    ok: bool
    columns: int = 0
    params: int = 0
    error: str = ""

    @property
    def several(self) -> bool:
        return "one statement at a time" in self.error


def explain(db: sqlite3.Connection, sql: str) -> Explained:
    """Compile ``sql`` with EXPLAIN: the bytecode is listed, nothing runs."""
    params = 0
    try:
        try:
            rows = db.execute("EXPLAIN " + sql).fetchall()
        except sqlite3.ProgrammingError as exc:
            m = re.search(r"uses (\d+), and there are 0 supplied", str(exc))
            if not m:
                raise
            params = int(m.group(1))
            rows = db.execute("EXPLAIN " + sql, (None,) * params).fetchall()
    except (sqlite3.Error, sqlite3.Warning) as exc:
        return Explained(False, error=str(exc))
    columns = next((row[3] for row in rows if row[1] == "ResultRow"), 0)
    return Explained(True, columns=columns, params=params)


def _sqlite_params(span: Span) -> int:
    """sqlite3_bind_parameter_count by our reading: ?NNN sets the index, names are numbered once."""
    top, names = 0, set()
    for x in span.significant:
        if x.kind is not Kind.PARAM:
            continue
        if x.text == "?":
            top += 1
        elif x.text[0] == "?":
            top = max(top, int(x.text[1:]))
        elif x.text not in names:
            names.add(x.text)
            top += 1
    return top


def sqlite_terminators(sql: str) -> set[int]:
    """The ``;`` that end a non-empty statement, by sqlite3_complete."""
    return {
        k
        for k, ch in enumerate(sql)
        if ch == ";" and not sqlite3.complete_statement(sql[:k]) and sqlite3.complete_statement(sql[: k + 1])
    }


@pytest.fixture(scope="module")
def sqlite_db() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("CREATE TABLE t (a)")
    yield db
    db.close()


def sqlite_disagreements(db: sqlite3.Connection, sql: str) -> list[str] | None:
    """How our splitter disagrees with SQLite on ``sql`` (None: our lexer refuses the text)."""
    try:
        mine = ours(sql, SQ)
    except LexError:
        return None
    problems: list[str] = []
    # sqlite3_complete does not know $name(...) parameters (the tokenizer reads them as one token).
    if not any(x.kind is Kind.PARAM and "(" in x.text and not re.search(r"\s", x.text) for x in mine.lexemes):
        theirs = sqlite_terminators(sql)
        if theirs != mine.ending_semicolons:
            problems.append(
                f"statement-ending ';': sqlite3_complete {sorted(theirs)}, ours {sorted(mine.ending_semicolons)}"
            )
    for span in mine.spans:
        got = explain(db, span.source)
        if not got.ok:
            if got.several:
                problems.append(f"our statement {span.source!r} holds several for SQLite: {got.error}")
            continue
        columns = _select_columns(span)
        if columns is not None and got.columns != columns:
            problems.append(f"{span.source!r}: SQLite compiles {got.columns} result columns; ours {columns}")
        if got.params != _sqlite_params(span):
            problems.append(f"{span.source!r}: SQLite counts {got.params} parameters; ours {_sqlite_params(span)}")
    whole = explain(db, sql)
    if whole.ok and len(mine.spans) > 1:
        problems.append(f"SQLite compiles the whole text as ONE statement; ours splits it into {len(mine.spans)}")
    return problems


SQ_CASES = [
    pytest.param("SELECT 1 -- x\n, 2; SELECT 3", id="dash-comment"),
    pytest.param("SELECT 1 /* ; */, 2; SELECT 3", id="block-comment"),
    pytest.param("SELECT 1 /* /* */ , 2 */", id="block-comments-do-not-nest"),
    pytest.param("SELECT 1, 2 /* ; unterminated", id="unterminated-comment-at-end"),
    pytest.param("SELECT 1; /* unterminated ;", id="unterminated-comment-after-statement"),
    pytest.param("SELECT 1 AS [a;b], 2; SELECT 3", id="bracket-name"),
    pytest.param("SELECT 1 AS [a`\"'], 2; SELECT 3", id="bracket-name-with-quotes"),
    pytest.param("SELECT 1 AS `a;``b`, 2; SELECT 3", id="backtick-name"),
    pytest.param('SELECT 1 AS "a;""b", 2; SELECT 3', id="double-quoted-name"),
    pytest.param("SELECT 'a;''b', 2; SELECT 3", id="string"),
    pytest.param("SELECT 'a\\', 2; SELECT 3", id="no-backslash-escapes"),
    pytest.param("SELECT ?, ?3, :a, @b, $c, :a; SELECT ?", id="params"),
    pytest.param("SELECT $a::b, $c(d;e), 2; SELECT 3", id="tcl-params"),
    pytest.param("SELECT x'41', 2; SELECT X''", id="blobs"),
    pytest.param("SELECT '--', 2 -- ';\n, 3", id="dashes-in-string"),
    pytest.param("SELECT 1 -- \n;SELECT 2", id="comment-then-semicolon"),
    pytest.param("SELECT 1;;SELECT 2", id="empty-statement"),
    pytest.param("SELECT\f1,\f2; SELECT 3", id="form-feed"),
    pytest.param("SELECT 1 --", id="dash-comment-at-end"),
    fixed(
        "SELECT 1;\v;",
        "a vertical tab is not whitespace to SQLite's tokenizer (an illegal token, so a second statement that "
        "fails); lex.py skips it as whitespace",
        id="vertical-tab-is-not-space",
    ),
    fixed(
        "SELECT 1 -- x\r, 2",
        "SQLite ends -- comments at \\n only (tokenize.c); lex.py also at \\r",
        id="cr-does-not-end-dash-comment",
    ),
    fixed(
        "SELECT 1 -- \r'\n; SELECT 2; -- '",
        "the same, hiding a statement: lex.py sees a string where SQLite sees a comment and a statement",
        id="cr-hides-a-statement",
    ),
    xfail(
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; SELECT 2; END; SELECT 3",
        "a CREATE TRIGGER body holds semicolons up to its END; the splitter splits inside it",
        id="trigger-body",
    ),
    fixed(
        "SELECT #a, 1",
        "#name is a parameter to SQLite's tokenizer (like :name); lex.py reads an operator and a name",
        id="hash-param",
    ),
    fixed(
        "SELECT #a('x); SELECT 2; SELECT ')",
        "the same, hiding a statement: #a(...) is one token up to the ) for SQLite, so its quote opens no string",
        id="hash-param-hides-a-statement",
    ),
    fixed(
        "SELECT $a::('x); SELECT 2; SELECT ')",
        "$name::(...) is one parameter token for SQLite; lex.py ends the parameter before the ::, so the quote "
        "opens a string that hides a statement",
        id="tcl-param-colons-then-parens",
    ),
    fixed(
        "SELECT :a, :a$",
        "SQLite parameter names may hold $ (:a$ is a second parameter); lex.py ends the name before the $",
        id="dollar-in-param-name",
    ),
    fixed(
        "SELECT :a$('x); SELECT 2; SELECT ')",
        "the same, hiding a statement: :a$(...) is one token up to the ) for SQLite",
        id="dollar-in-param-name-hides-a-statement",
    ),
    fixed(
        "SELECT $c( ; ), 2",
        "SQLite ends a $name( parameter at whitespace (an illegal token), so the ; ends the statement; lex.py "
        "takes everything up to the ) as the parameter",
        id="tcl-param-with-whitespace",
    ),
]


@pytest.mark.parametrize("sql", SQ_CASES)
def test_sqlite_corpus_agrees_with_sqlite(sqlite_db, sql):
    problems = sqlite_disagreements(sqlite_db, sql)
    if problems is None:  # our lexer refuses the text (so does the validator): SQLite must not accept it whole
        assert not explain(sqlite_db, sql).ok
        return
    assert problems == []


_SQ_FRAGMENTS = [
    *(", 2", "+ 1", ", ?", ", ?7", ", :a", ", @b", ", $c", ", $c::d", ", $e(f)", ", $e(;)", ", 'a'", ", 'it''s'"),
    *(", ';'", ", '--'", ', "a"', ', "a""b"', ", 1 AS [a;b]", ", 1 AS [--]", ", 1 AS `a``b`", ', 1 AS "x;"'),
    *(", x'41'", ", 1e5", ", .5", ", 0x1F", ", '\\'", ", [a", "]"),
    *("-- c\n", "--\n", "-- , 3\n", "--", "-- ;\n", "/* , 3 */", "/**/", "/* ; */", "/*", "/* /* */", "*/"),
    *("-- c\r", "\r", ", #a", ", :a$b", ", $a::(b)", ", @a(;)"),
    *(";", "; ", ";\n", " ", " ", "\n", "\t", "\v", "\f", "\r\n"),
]
_SQ_CHARS = list("'\"`[]-/*;, 3()?:@$\n\ré\u00a0\v")

_sq_statement = st.lists(st.sampled_from(_SQ_FRAGMENTS + _SQ_CHARS), max_size=10).map(lambda f: "SELECT 1" + "".join(f))
sq_scripts = st.builds(
    lambda stmts, seps: "".join(s + sep for s, sep in zip(stmts, seps, strict=False)),
    st.lists(_sq_statement, min_size=1, max_size=3),
    st.lists(st.sampled_from([";", "; ", ";\n", " ; -- x\n", ";/**/", ""]), min_size=3, max_size=3),
)


@_examples(2000)
@given(sq_scripts)
def test_sqlite_generated_scripts_agree_with_sqlite(sqlite_db, sql):
    problems = sqlite_disagreements(sqlite_db, sql)
    whole = explain(sqlite_db, sql)
    _events(sql, SQ, whole.ok)
    if problems is None:  # our lexer refuses the text: SQLite must not take it for one clean statement
        assert not whole.ok, repr(sql)
    assert not problems, repr(sql)
