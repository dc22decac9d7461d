"""Each dialect profile's facts: folding, quoting round trips with hostile names, read-only sessions."""

import shlex
import sqlite3
import subprocess
import sys

import pytest
import sqlglot
from sqlalchemy.exc import DBAPIError
from sqlglot import exp

from core.dialects import Construct, Fold, Match, by_name, by_scheme, load_entry, profile, profiles
from core.domain.schema import Dialect
from core.errors import InvalidInput
from core.introspection.targets import TargetConfig, connect, parse_target_url
from core.validation.lex import Kind, lex

HOSTILE_NAMES = [
    'a"b',
    "a`b",
    '"',
    "`",
    '""',
    "``",
    "]",
    "[x]",
    'x"; DROP TABLE t; --',
    "x`; DROP TABLE t; -- ",
    "Mixed Case",
    "UPPER",
    "select",
    "1st",
    "naïve",
    "tab\there",
    "new\nline",
    "a'b",
    "$1",
    "/* c */",
]

ALL = list(Dialect)


def test_every_dialect_has_a_profile_for_itself():
    assert [p.dialect for p in profiles()] == ALL
    for dialect in ALL:
        facts = profile(dialect)
        assert facts.dialect is dialect
        assert facts.sqlglot == dialect.sqlglot
        assert sqlglot.Dialect.get_or_raise(facts.sqlglot) is not None


@pytest.mark.parametrize("dialect", ALL)
def test_every_entry_a_profile_names_can_be_loaded(dialect):
    facts = profile(dialect)
    entries = [facts.introspection, facts.server_check, facts.engine_hook, facts.open_file]
    for entry in (e for e in entries if e is not None):
        assert callable(load_entry(entry)), entry
    assert (facts.open_file is None) != (facts.connect_args is None), "a profile opens either a file or a session"


def test_importing_the_profiles_loads_no_driver_nor_sqlalchemy():
    code = (
        "import sys, core.dialects as d; d.profiles(); "
        "print(sorted(m for m in ('sqlalchemy', 'psycopg', 'pymysql', 'openai', 'sqlglot') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    ("text", "dialect"),
    [
        ("postgresql", Dialect.POSTGRESQL),
        (" Postgres ", Dialect.POSTGRESQL),
        ("pg", Dialect.POSTGRESQL),
        ("mysql", Dialect.MYSQL),
        ("MariaDB", Dialect.MYSQL),
        ("sqlite", Dialect.SQLITE),
    ],
)
def test_dialect_names_and_aliases_find_their_profile(text, dialect):
    assert by_name(text).dialect is dialect


def test_an_unknown_dialect_name_is_one_line_naming_the_choices():
    with pytest.raises(InvalidInput) as err:
        by_name("oracle")
    message = str(err.value)
    assert "\n" not in message and "'oracle'" in message
    assert all(d.value in message for d in ALL)


@pytest.mark.parametrize("dialect", ALL)
def test_every_url_scheme_parses_to_its_dialect(dialect, tmp_path):
    facts = profile(dialect)
    for scheme in facts.url_schemes:
        assert by_scheme(scheme) is facts
        url = f"{scheme}:///{tmp_path}/x.db" if facts.file_based else f"{scheme}://u:secret@h:1234/db"
        parsed = parse_target_url(url)
        assert parsed.dialect is dialect
        assert parsed.url.drivername == facts.sqlalchemy_driver
        assert "secret" not in parsed.url.render_as_string(hide_password=False)
    assert by_scheme("oracle") is None


def test_an_unknown_url_scheme_names_every_scheme_sqldraft_reads():
    with pytest.raises(InvalidInput) as err:
        parse_target_url("oracle://u@h/db")
    assert all(s in str(err.value) for p in profiles() for s in p.url_schemes)


# --- folding and matching ----------------------------------------------------------------------


def test_postgresql_folds_unquoted_names_to_lower_case_and_matches_exactly():
    pg = profile(Dialect.POSTGRESQL)
    assert pg.fold is Fold.LOWER and pg.fold_unquoted("Orders") == "orders"
    assert pg.key("Orders", pg.table_match) == "Orders"
    assert pg.key("Email", pg.column_match) == "Email"


def test_mysql_keeps_case_and_matches_tables_as_the_server_says():
    my = profile(Dialect.MYSQL)
    assert my.fold is Fold.NONE and my.fold_unquoted("Orders") == "Orders"
    assert my.table_match is Match.SERVER
    assert my.key("Orders", my.table_match, caseless_server=False) == "Orders"
    assert my.key("Orders", my.table_match, caseless_server=True) == "orders"
    assert my.key("Email", my.column_match) == "email"


def test_sqlite_matches_every_name_without_case_and_has_no_schemas():
    lite = profile(Dialect.SQLITE)
    assert lite.fold_unquoted("Orders") == "Orders"
    assert lite.key("Orders", lite.table_match) == "orders"
    assert not lite.has_schemas and {"main", "temp"} <= lite.schema_aliases


@pytest.mark.parametrize(
    ("dialect", "schema", "name", "system"),
    [
        (Dialect.POSTGRESQL, None, "pg_class", True),
        (Dialect.POSTGRESQL, "PG_CATALOG", "anything", True),
        (Dialect.POSTGRESQL, None, "page", False),
        (Dialect.POSTGRESQL, "app", "pg_class", False),
        (Dialect.MYSQL, "information_schema", "tables", True),
        (Dialect.MYSQL, None, "DUAL", True),
        (Dialect.MYSQL, None, "pg_class", False),
        (Dialect.SQLITE, None, "sqlite_master", True),
        (Dialect.SQLITE, None, "orders", False),
    ],
)
def test_system_tables_are_known_per_dialect(dialect, schema, name, system):
    assert profile(dialect).is_system_table(schema, name) is system


# --- quoting -----------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", ALL)
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_quoted_hostile_name_reads_back_as_itself(dialect, name):
    facts = profile(dialect)
    quoted = facts.quote(name)
    assert facts.unquote(quoted) == name
    lexemes = [x for x in lex(quoted, dialect) if x.kind is not Kind.SPACE]
    assert [(x.kind, x.value) for x in lexemes] == [(Kind.QUOTED, name)]
    tree = sqlglot.parse_one(f"SELECT 1 FROM {quoted}", read=facts.sqlglot)
    tables = list(tree.find_all(exp.Table))
    assert [t.name for t in tables] == [name]


@pytest.mark.parametrize("dialect", ALL)
@pytest.mark.parametrize("name", [*HOSTILE_NAMES, "orders", "order_lines", "Orders", "_x1"])
def test_a_name_is_left_bare_only_when_the_dialect_reads_it_back_unchanged(dialect, name):
    facts = profile(dialect)
    written = facts.quote_if_needed(name)
    lexemes = [x for x in lex(written, dialect) if x.kind is not Kind.SPACE]
    assert len(lexemes) == 1
    read = lexemes[0].value if lexemes[0].kind is Kind.QUOTED else facts.fold_unquoted(lexemes[0].text)
    assert read == name


@pytest.mark.parametrize("dialect", ALL)
@pytest.mark.parametrize("text", ["x", "", '"', "`a", 'a"', '"a"b"', "`a`b`"])
def test_unquote_refuses_text_that_is_not_one_quoted_name(dialect, text):
    with pytest.raises(InvalidInput):
        profile(dialect).unquote(text)


def test_the_read_only_hint_quotes_a_hostile_database_name():
    assert 'ON DATABASE "Sales""DB" TO' in profile(Dialect.POSTGRESQL).read_only_advice('Sales"DB')
    assert "ON `a``b`.* TO" in profile(Dialect.MYSQL).read_only_advice("a`b")
    path = "/tmp/it's a; rm -rf ~.db"
    advice = profile(Dialect.SQLITE).read_only_advice(path)
    command = advice.split("(", 1)[1].split(")", 1)[0]
    assert shlex.split(command) == ["chmod", "a-w", path]
    assert "ON DATABASE db TO" in profile(Dialect.POSTGRESQL).read_only_advice(None)


# --- read-only sessions ------------------------------------------------------------------------


def test_postgresql_sessions_are_read_only_with_a_statement_timeout():
    args = profile(Dialect.POSTGRESQL).connect_args(3, 2.5)
    assert args["connect_timeout"] == 3
    assert args["options"].split() == ["-c", "default_transaction_read_only=on", "-c", "statement_timeout=2500"]


def test_mysql_sessions_start_read_only():
    facts = profile(Dialect.MYSQL)
    args = facts.connect_args(4, 60)
    assert args["init_command"] == "SET SESSION TRANSACTION READ ONLY"
    assert facts.read_only_session == ("SET SESSION TRANSACTION READ ONLY",)
    assert args["read_timeout"] == args["connect_timeout"] == 4


def test_a_postgresql_session_refuses_to_write(pg_url):
    target = TargetConfig("t", Dialect.POSTGRESQL, pg_url.replace("postgresql://", "postgresql+psycopg://"), None)
    with connect(target) as conn:
        assert conn.exec_driver_sql("SHOW default_transaction_read_only").scalar() == "on"
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "5min"
        with pytest.raises(DBAPIError, match="read-only transaction"):
            conn.exec_driver_sql("CREATE TABLE kept (id int)")


def test_a_mariadb_session_refuses_to_write(mariadb_url):
    target = TargetConfig("t", Dialect.MYSQL, mariadb_url.replace("mysql://", "mysql+pymysql://"), None)
    with connect(target) as conn:
        assert conn.exec_driver_sql("SELECT @@session.tx_read_only").scalar() == 1
        with pytest.raises(DBAPIError, match="READ ONLY"):
            conn.exec_driver_sql("CREATE TABLE kept (id int)")


def test_a_sqlite_file_is_opened_read_only_and_never_created(tmp_path):
    path = tmp_path / "t.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (id int)")
    open_file = load_entry(profile(Dialect.SQLITE).open_file)
    conn = open_file(str(path), 1.0)
    try:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("INSERT INTO t VALUES (1)")
    finally:
        conn.close()
    missing = tmp_path / "missing.db"
    with pytest.raises(sqlite3.OperationalError, match="file not found"):
        open_file(str(missing), 1.0)
    assert not missing.exists()


# --- unsupported constructs --------------------------------------------------------------------


@pytest.mark.parametrize("dialect", ALL)
def test_every_unsupported_construct_says_what_to_do_instead(dialect):
    facts = profile(dialect)
    for construct, gap in facts.unsupported.items():
        assert isinstance(construct, Construct)
        assert gap.message and gap.suggestion and "\n" not in gap.message


@pytest.mark.parametrize("dialect", ALL)
def test_a_double_colon_cast_is_reported_where_the_profile_says_it_is_missing(dialect):
    from core.validation.engine import Validator
    from core.validation.names import SchemaIndex

    validation = Validator(SchemaIndex.without_snapshot(dialect)).validate("SELECT '1'::int")
    found = [f for f in validation.findings if f.rule == "syntax.dialect_unsupported"]
    gap = profile(dialect).unsupported.get(Construct.DOUBLE_COLON_CAST)
    assert [f.message for f in found] == ([gap.message] if gap else [])
