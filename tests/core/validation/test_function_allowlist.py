import importlib.util
from pathlib import Path

import pytest

from core.domain.schema import Dialect, UserFunction
from core.validation.functions import FunctionClass, builtin_functions, judge_function
from tests.support.servers import pg_admin

ROOT = Path(__file__).resolve().parents[3]
SAFE, DANGEROUS, VOLATILE, UNKNOWN = (
    FunctionClass.SAFE,
    FunctionClass.DANGEROUS,
    FunctionClass.VOLATILE,
    FunctionClass.UNKNOWN,
)


@pytest.fixture(scope="module")
def generator():
    """tools/gen_function_lists.py, for its reviewed lists."""
    spec = importlib.util.spec_from_file_location("gen_function_lists", ROOT / "tools" / "gen_function_lists.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def judge(dialect, name, schema=None, functions=(), extra=frozenset(), quoted=False):
    return judge_function(dialect, name, schema, list(functions), extra, quoted=quoted).cls


def pg_fn(schema, name, volatility, kind="function"):
    return UserFunction(schema=schema, name=name, kind=kind, volatility=volatility)


def my_fn(schema, name, access, kind="function", deterministic=None):
    return UserFunction(schema, name, kind, "unknown", access, deterministic)


# --- built-ins ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "name"),
    [
        (Dialect.POSTGRESQL, "lower"),
        (Dialect.POSTGRESQL, "now"),
        (Dialect.POSTGRESQL, "count"),
        (Dialect.POSTGRESQL, "row_number"),
        (Dialect.POSTGRESQL, "random"),
        (Dialect.POSTGRESQL, "clock_timestamp"),
        (Dialect.POSTGRESQL, "gen_random_uuid"),
        (Dialect.POSTGRESQL, "coalesce"),
        (Dialect.POSTGRESQL, "current_setting"),
        (Dialect.MYSQL, "now"),
        (Dialect.MYSQL, "SYSDATE"),
        (Dialect.MYSQL, "sha2"),
        (Dialect.MYSQL, "uuid"),
        (Dialect.MYSQL, "is_free_lock"),
        (Dialect.MYSQL, "json_extract"),
        (Dialect.SQLITE, "lower"),
        (Dialect.SQLITE, "randomblob"),
        (Dialect.SQLITE, "json_each"),
    ],
)
def test_side_effect_free_builtins_are_safe(dialect, name):
    assert judge(dialect, name) is SAFE


@pytest.mark.parametrize(
    ("dialect", "name"),
    [
        (Dialect.POSTGRESQL, "pg_sleep"),
        (Dialect.POSTGRESQL, "set_config"),
        (Dialect.POSTGRESQL, "pg_read_file"),
        (Dialect.POSTGRESQL, "lo_import"),
        (Dialect.POSTGRESQL, "nextval"),
        (Dialect.POSTGRESQL, "txid_current"),
        (Dialect.POSTGRESQL, "pg_advisory_lock"),
        (Dialect.POSTGRESQL, "query_to_xml"),
        (Dialect.POSTGRESQL, "ts_stat"),
        (Dialect.POSTGRESQL, "pg_terminate_backend"),
        (Dialect.POSTGRESQL, "pg_stat_reset"),
        (Dialect.POSTGRESQL, "pg_logical_slot_get_changes"),
        (Dialect.POSTGRESQL, "brin_summarize_new_values"),
        (Dialect.POSTGRESQL, "binary_upgrade_set_next_pg_type_oid"),
        (Dialect.MYSQL, "sleep"),
        (Dialect.MYSQL, "BENCHMARK"),
        (Dialect.MYSQL, "get_lock"),
        (Dialect.MYSQL, "master_gtid_wait"),
        (Dialect.MYSQL, "load_file"),
        (Dialect.MYSQL, "last_insert_id"),
        (Dialect.MYSQL, "nextval"),
        (Dialect.SQLITE, "load_extension"),
        (Dialect.SQLITE, "writefile"),
        (Dialect.SQLITE, "fts3_tokenizer"),
    ],
)
def test_functions_with_side_effects_are_dangerous(dialect, name):
    assert judge(dialect, name) is DANGEROUS


def test_a_dangerous_verdict_says_why():
    verdict = judge_function(Dialect.POSTGRESQL, "pg_sleep", None, [])
    assert verdict.name == "pg_sleep"
    assert "sleeps" in verdict.reason


@pytest.mark.parametrize("dialect", list(Dialect))
def test_a_function_nobody_listed_is_unknown(dialect):
    verdict = judge_function(dialect, "frobnicate", None, [])
    assert verdict.cls is UNKNOWN
    assert dialect.value in verdict.reason


def test_stable_functions_that_read_whole_tables_by_name_are_left_unknown():
    assert judge(Dialect.POSTGRESQL, "table_to_xml") is UNKNOWN
    assert judge(Dialect.POSTGRESQL, "database_to_xml") is UNKNOWN


def test_volatile_postgres_builtins_off_the_inclusion_list_are_unknown():
    assert judge(Dialect.POSTGRESQL, "pg_stat_clear_snapshot") is UNKNOWN


# --- names, quoting and qualifiers ----------------------------------------------------------------


def test_an_unquoted_postgres_name_folds_to_lower_case():
    assert judge(Dialect.POSTGRESQL, "LOWER") is SAFE
    assert judge(Dialect.POSTGRESQL, "PG_SLEEP") is DANGEROUS


def test_a_quoted_postgres_name_keeps_its_case_and_is_not_the_builtin():
    assert judge(Dialect.POSTGRESQL, "LOWER", quoted=True) is UNKNOWN
    assert judge(Dialect.POSTGRESQL, "lower", quoted=True) is SAFE


def test_mysql_and_sqlite_names_are_case_insensitive_even_when_quoted():
    assert judge(Dialect.MYSQL, "Sleep", quoted=True) is DANGEROUS
    assert judge(Dialect.SQLITE, "UPPER", quoted=True) is SAFE


def test_pg_catalog_qualifier_means_the_builtin_even_when_a_user_function_has_the_name():
    shadow = pg_fn("public", "lower", "volatile")
    assert judge(Dialect.POSTGRESQL, "lower", "pg_catalog", [shadow]) is SAFE
    assert judge(Dialect.POSTGRESQL, "pg_sleep", "pg_catalog") is DANGEROUS
    mine = pg_fn("public", "mine", "stable")
    assert judge(Dialect.POSTGRESQL, "mine", "pg_catalog", [mine]) is UNKNOWN


def test_information_schema_helpers_are_builtins_only_when_qualified():
    assert judge(Dialect.POSTGRESQL, "_pg_expandarray", "information_schema") is SAFE
    assert judge(Dialect.POSTGRESQL, "_pg_expandarray") is UNKNOWN


def test_sqlite_has_no_qualified_functions():
    assert judge(Dialect.SQLITE, "lower", "main") is UNKNOWN


# --- user functions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("volatility", "expected"), [("immutable", SAFE), ("stable", SAFE), ("volatile", VOLATILE), ("unknown", VOLATILE)]
)
def test_postgres_user_functions_are_judged_by_their_volatility(volatility, expected):
    assert judge(Dialect.POSTGRESQL, "f", "app", [pg_fn("app", "f", volatility)]) is expected
    assert judge(Dialect.POSTGRESQL, "f", None, [pg_fn("app", "f", volatility)]) is expected


def test_a_procedure_is_never_safe():
    verdict = judge_function(Dialect.POSTGRESQL, "archive", "app", [pg_fn("app", "archive", "stable", "procedure")])
    assert verdict.cls is VOLATILE
    assert "procedure" in verdict.reason


def test_a_qualified_call_looks_only_in_that_schema():
    functions = [pg_fn("app", "f", "stable")]
    assert judge(Dialect.POSTGRESQL, "f", "other", functions) is UNKNOWN


def test_an_unqualified_postgres_call_takes_the_least_safe_of_builtin_and_user_functions():
    # overload resolution can pick app.lower(mytype) for an unqualified lower(x)
    assert judge(Dialect.POSTGRESQL, "lower", None, [pg_fn("app", "lower", "volatile")]) is VOLATILE
    assert judge(Dialect.POSTGRESQL, "lower", None, [pg_fn("app", "lower", "immutable")]) is SAFE
    mixed = [pg_fn("app", "f", "stable"), pg_fn("other", "f", "volatile")]
    assert judge(Dialect.POSTGRESQL, "f", None, mixed) is VOLATILE


def test_postgres_user_function_names_keep_their_case_when_quoted():
    shout = [pg_fn("app", "Shout", "immutable")]
    assert judge(Dialect.POSTGRESQL, "Shout", "app", shout, quoted=True) is SAFE
    assert judge(Dialect.POSTGRESQL, "shout", "app", shout, quoted=True) is UNKNOWN
    lower_case = [pg_fn("app", "shout", "immutable")]
    assert judge(Dialect.POSTGRESQL, "SHOUT", "app", lower_case) is SAFE
    assert judge(Dialect.POSTGRESQL, "SHOUT", "app", lower_case, quoted=True) is UNKNOWN


@pytest.mark.parametrize(
    ("access", "deterministic", "expected"),
    [
        ("NO SQL", None, SAFE),
        ("READS SQL DATA", False, SAFE),
        ("CONTAINS SQL", True, VOLATILE),
        ("MODIFIES SQL DATA", True, VOLATILE),
        (None, True, VOLATILE),
    ],
)
def test_mysql_routines_are_judged_by_declared_data_access_not_determinism(access, deterministic, expected):
    functions = [my_fn("shop", "with_tax", access, deterministic=deterministic)]
    assert judge(Dialect.MYSQL, "with_tax", "shop", functions) is expected
    assert judge(Dialect.MYSQL, "WITH_TAX", None, functions) is expected


def test_a_mysql_builtin_wins_over_a_stored_function_of_the_same_name_unless_qualified():
    shadow = [my_fn("shop", "lower", "MODIFIES SQL DATA")]
    assert judge(Dialect.MYSQL, "lower", None, shadow) is SAFE
    assert judge(Dialect.MYSQL, "lower", "shop", shadow) is VOLATILE


def test_mysql_schema_names_compare_case_insensitively():
    assert judge(Dialect.MYSQL, "f", "SHOP", [my_fn("shop", "f", "NO SQL")]) is SAFE


def test_dangerous_names_win_over_user_functions_declared_safe():
    # tablefunc's crosstab is declared stable and runs the SQL text it is given
    assert judge(Dialect.POSTGRESQL, "crosstab", "public", [pg_fn("public", "crosstab", "stable")]) is DANGEROUS
    assert judge(Dialect.POSTGRESQL, "dblink", None, [pg_fn("public", "dblink", "volatile")]) is DANGEROUS


# --- extra_safe -----------------------------------------------------------------------------------


def test_extra_safe_allows_an_unknown_function_by_name():
    assert judge(Dialect.POSTGRESQL, "frobnicate", extra=frozenset({"frobnicate"})) is SAFE
    assert judge(Dialect.MYSQL, "FROBNICATE", extra=frozenset({"frobnicate"})) is SAFE


def test_extra_safe_qualified_entry_allows_only_that_schema():
    functions = [pg_fn("app", "touch", "volatile"), pg_fn("other", "touch", "volatile")]
    extra = frozenset({"app.touch"})
    assert judge(Dialect.POSTGRESQL, "touch", "app", functions, extra) is SAFE
    assert judge(Dialect.POSTGRESQL, "touch", "other", functions, extra) is VOLATILE
    assert judge(Dialect.POSTGRESQL, "touch", None, functions, extra) is VOLATILE
    assert judge(Dialect.POSTGRESQL, "touch", None, functions, frozenset({"touch"})) is SAFE


def test_extra_safe_allows_a_function_of_a_schema_outside_the_snapshot():
    assert judge(Dialect.POSTGRESQL, "f", "ext", extra=frozenset({"ext.f"})) is SAFE
    assert judge(Dialect.POSTGRESQL, "f", "ext", extra=frozenset({"other.f"})) is UNKNOWN


def test_extra_safe_cannot_allow_a_dangerous_function():
    verdict = judge_function(Dialect.MYSQL, "sleep", None, [], frozenset({"sleep"}))
    assert verdict.cls is DANGEROUS


# --- the lists themselves -------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", list(Dialect))
def test_every_list_line_is_one_lower_case_name_with_one_class(dialect):
    path = ROOT / "core" / "validation" / "functions" / f"{dialect.value}.tsv"
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line == "name\tclass\tnote":
            continue
        name, cls, note = line.split("\t")
        assert cls in ("safe", "dangerous") and note, line
        assert name == name.lower(), line
        names.append(name)
    assert len(names) == len(set(names)), "a name is listed twice (so it could be both safe and dangerous)"
    assert names == sorted(names)
    assert len(builtin_functions(dialect)) == len(names)


def test_the_lists_agree_with_the_generators_reviewed_data(generator):
    pg, mysql, sqlite = (builtin_functions(d) for d in (Dialect.POSTGRESQL, Dialect.MYSQL, Dialect.SQLITE))
    for table, dangerous in (
        (pg, generator.PG_DANGEROUS),
        (mysql, generator.MYSQL_DANGEROUS),
        (sqlite, generator.SQLITE_DANGEROUS),
    ):
        assert all(table[name].cls is DANGEROUS for name in dangerous)
    assert all(pg[name].cls is SAFE for name in generator.PG_INCLUDE if name not in generator.PG_DANGEROUS)
    assert all(pg[name].cls is SAFE for name in {**generator.PG_SYNTAX, **generator.PG_NEWER})
    assert not set(generator.PG_EXCLUDE) & set(pg)
    assert all(mysql[name].cls is SAFE for name in generator.MYSQL_SAFE if name not in generator.MYSQL_DANGEROUS)
    assert not set(generator.MYSQL_SAFE) & set(generator.MYSQL_DANGEROUS)
    assert not set(generator.PG_INCLUDE) & set(generator.PG_DANGEROUS)


@pytest.mark.postgres
def test_every_safe_postgres_builtin_is_immutable_or_stable_on_the_server_unless_reviewed(generator):
    conn = pg_admin()
    try:
        rows = conn.execute(
            "SELECT n.nspname, p.proname, p.provolatile FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    finally:
        conn.close()
    volatilities: dict[str, set[str]] = {}
    for schema, name, provolatile in rows:
        volatilities.setdefault(name if schema == "pg_catalog" else f"{schema}.{name}", set()).add(provolatile)
    reviewed_absent = {**generator.PG_SYNTAX, **generator.PG_NEWER}
    for name, entry in builtin_functions(Dialect.POSTGRESQL).items():
        if entry.cls is not SAFE or name in generator.PG_INCLUDE:
            continue
        if name not in volatilities:
            assert name in reviewed_absent, f"{name} is safe but not in pg_proc"
            continue
        assert volatilities[name] <= {"i", "s"}, f"{name} is safe but has a volatile overload"
