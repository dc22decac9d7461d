"""`sqldraft validate` as a migration guard: many files, --fail-on, CI formats, bad input, fast start."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core.cli.batch import FileReport
from core.cli.ci_render import FailOn, escape_data, escape_property, github_annotations, sarif_log
from core.cli.context import LIGHT_KEYS, LightSettings, light_keys_configured
from core.cli.sources import Source
from core.settings import Settings
from core.validation.engine import Validator
from core.validation.names import SchemaIndex
from core.validation.rules import RULES
from tests.support.cli import Result, run_cli
from tests.support.servers import pg_database, run_pg, run_sqlite

ROOT = Path(__file__).resolve().parents[3]


def one_line_error(result: Result, *needles: str) -> None:
    assert result.code == 2, (result.code, result.out, result.err)
    assert result.out == "", result.out
    assert result.err.count("\n") == 1 and "Traceback" not in result.err, result.err
    for needle in needles:
        assert needle in result.err, result.err


@pytest.fixture
def lite(cli_env: dict[str, str], tmp_path: Path) -> str:
    db = str(tmp_path / "items.db")
    run_sqlite(db, "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)")
    assert run_cli("connections", "add", "lite", f"sqlite:///{db}").code == 0
    assert run_cli("snapshot", "refresh", "lite").code == 0
    return "lite"


# --- many files ---------------------------------------------------------------------------------------


def test_a_folder_is_validated_in_natural_file_name_order_with_the_schema_evolving(lite: str, tmp_path: Path):
    folder = tmp_path / "migrations"
    (folder / "later").mkdir(parents=True)
    (folder / "V1__orders.sql").write_text("CREATE TABLE orders (id INTEGER PRIMARY KEY, total NUMERIC);\n")
    (folder / "V2__select.sql").write_text("-- a comment line\nSELECT id,\n  totl FROM orders;\n")
    (folder / "later" / "V10__items.sql").write_text("SELECT nme FROM items;\n")
    (folder / "notes.txt").write_text("not SQL")
    result = run_cli("validate", lite, "--mode", "ddl", str(folder), "--json")
    assert result.code == 1, result.err
    data = result.json()
    files = [Path(f["file"]).relative_to(folder).as_posix() for f in data["files"]]
    assert files == ["V1__orders.sql", "V2__select.sql", "later/V10__items.sql"]
    first, second, third = data["files"]
    assert not [f for f in first["findings"] if f["category"] == "schema"]
    # the table file 1 created is known in file 2; the misspelt column is at file 2's own line 3
    unknown = [f for f in second["findings"] if f["rule"] == "schema.unknown_column"]
    assert [(f["line"], f["column"]) for f in unknown] == [(3, 3)], second["findings"]
    assert second["status"] == "fail" and second["statements"][0]["index"] == 0
    assert [f["line"] for f in third["findings"] if f["rule"] == "schema.unknown_column"] == [1]
    assert data["status"] == "fail" and data["exit_code"] == 1
    alone = run_cli("validate", lite, "--mode", "ddl", str(folder / "V2__select.sql"), "--json").json()
    assert any(f["rule"] == "schema.unknown_table" for f in alone["findings"])


def test_file_is_repeatable_and_paths_may_follow_options(lite: str, tmp_path: Path):
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text("SELECT id FROM items")
    b.write_text("SELECT nope FROM items")
    both = run_cli("validate", "--file", str(a), "--file", str(b), lite, "--json")
    assert both.code == 1 and [f["file"] for f in both.json()["files"]] == [str(a), str(b)]
    mixed = run_cli("validate", lite, "--json", str(a), str(b))
    assert [f["status"] for f in mixed.json()["files"]] == ["pass", "fail"]
    text = run_cli("validate", lite, str(a), str(b))
    assert text.out.splitlines()[0] == str(a) and "2 files: 1 pass, 0 warn, 1 fail" in text.out
    assert run_cli("validate", lite, str(a), str(a), "--json").json()["status"] == "pass"  # named twice, read once


def test_globs_and_standard_input_are_paths(cli_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in ("m10.sql", "m9.sql", "m1.sql"):
        (tmp_path / name).write_text("SELECT 1;\n")
    result = run_cli("validate", "--dialect", "postgresql", str(tmp_path / "m*.sql"), "--json")
    assert [Path(f["file"]).name for f in result.json()["files"]] == ["m1.sql", "m9.sql", "m10.sql"]
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"SELECT 1")))
    piped = run_cli("validate", "--dialect", "postgresql", "-", "--json")
    assert piped.code == 0 and piped.json()["statement_types"] == ["select"]


def test_a_positional_is_a_connection_only_when_it_can_be_one(lite: str, tmp_path: Path):
    one_line_error(run_cli("validate", "ghost", "--sql", "SELECT 1"), "unknown connection 'ghost'")
    one_line_error(run_cli("validate", "ghost.sql"), "ghost.sql: no such file or folder")
    Path("lite").write_text("SELECT 1")  # an existing path wins over the connection of the same name
    one_line_error(run_cli("validate", "lite"), "no connection and no dialect")
    assert run_cli("validate", "--dialect", "sqlite", "lite").code == 0
    one_line_error(run_cli("validate", "--dialect", "sqlite", "items"), "items: no such file or folder")


def test_a_file_that_cannot_be_lexed_does_not_hide_the_files_after_it(cli_env: dict[str, str], tmp_path: Path):
    files = [tmp_path / n for n in ("1.sql", "2.sql", "3.sql")]
    files[0].write_text("SELECT 1;\n")
    files[1].write_text("SELECT 2;\n/* never closed\nSELECT 3;\n")
    files[2].write_text("SELECT 4;\nSELECT (5;\n")
    data = run_cli("validate", "--dialect", "postgresql", *map(str, files), "--json").json()
    statuses = [f["status"] for f in data["files"]]
    assert statuses == ["pass", "fail", "fail"], data
    broken = data["files"][1]["findings"][0]
    assert (broken["line"], broken["column"]) == (2, 1), broken
    assert [f["line"] for f in data["files"][2]["findings"] if f["rule"] == "syntax.parse_error"] == [2]


# --- exit codes ---------------------------------------------------------------------------------------


def test_drop_cascade_on_a_connection_fails_ci_by_default(cli_env: dict[str, str]):
    with pg_database() as url:
        run_pg(url, "CREATE TABLE customer (id bigint PRIMARY KEY)", "CREATE VIEW v AS SELECT id FROM customer")
        assert run_cli("connections", "add", "pg", url).code == 0
        assert run_cli("snapshot", "refresh", "pg").code == 0
        cascade = run_cli("validate", "pg", "--mode", "ddl", "--sql", "DROP TABLE customer CASCADE", "--json")
        assert cascade.json()["status"] == "warn" and cascade.json()["risk_level"] == "critical"
        assert cascade.code == 1
        assert run_cli("validate", "pg", "--mode", "ddl", "--sql", "DROP TABLE customer CASCADE").code == 1
        lax = run_cli("validate", "pg", "--mode", "ddl", "--fail-on", "error", "--sql", "DROP TABLE customer CASCADE")
        assert lax.code == 0, lax.out


def test_fail_on_sets_the_threshold(cli_env: dict[str, str]):
    def code(sql: str, *fail_on: str) -> int:
        return run_cli("validate", "--dialect", "postgresql", "--mode", "ddl", "--sql", sql, *fail_on).code

    drop = "SET lock_timeout = '2s'; SET statement_timeout = '1min'; DROP TABLE customer"  # risk high, warn
    assert code(drop) == 0
    assert code(drop, "--fail-on", "high") == 1
    assert code(drop, "--fail-on", "warning") == 1
    assert code(drop, "--fail-on", "error") == 0
    assert code("SELECT (", "--fail-on", "error") == 1  # a fail status always fails
    assert run_cli("validate", "--dialect", "sqlite", "--sql", "SELECT 1", "--fail-on", "loud").code == 2


# --- bad input ----------------------------------------------------------------------------------------


def test_bad_input_is_one_line_and_exit_2_before_anything_is_validated(cli_env: dict[str, str], tmp_path: Path):
    good = tmp_path / "good.sql"
    good.write_text("SELECT 1")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.md").write_text("no sql here")
    args = ["validate", "--dialect", "postgresql", str(good)]
    one_line_error(run_cli(*args, str(empty)), f"{empty}: the folder holds no .sql files")
    one_line_error(run_cli(*args, str(tmp_path / "nothing*.sql")), "no file matches this pattern")
    binary = tmp_path / "dump.sql"
    binary.write_bytes(b"SELECT 1\x00\x00\x01\x02")
    one_line_error(run_cli(*args, str(binary)), str(binary), "NUL byte", "binary")
    latin = tmp_path / "latin.sql"
    latin.write_bytes(b"SELECT 'caf\xe9'")
    one_line_error(run_cli(*args, str(latin)), str(latin), "not valid UTF-8")
    one_line_error(run_cli(*args, "--file", str(empty)), f"{empty} is a folder, not a file")
    one_line_error(run_cli(*args, str(tmp_path / "gone.sql")), "gone.sql: no such file or folder")
    one_line_error(run_cli(*args, "--format", "sarif", "--json"), "--json and --format sarif")
    one_line_error(run_cli(*args, "--format", "text", "--json"), "--json and --format text")
    assert run_cli(*args, "--format", "json", "--json").code == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file anyway")
def test_an_unreadable_file_is_one_line(cli_env: dict[str, str], tmp_path: Path):
    locked = tmp_path / "locked.sql"
    locked.write_text("SELECT 1")
    locked.chmod(0)
    try:
        one_line_error(run_cli("validate", "--dialect", "sqlite", str(locked)), f"cannot read {locked}")
    finally:
        locked.chmod(0o600)


def test_a_path_whose_open_fails_is_one_line(cli_env: dict[str, str], tmp_path: Path):
    """Runs as root too: a path through a regular file cannot be opened by anyone."""
    (tmp_path / "plain").write_text("x")
    one_line_error(
        run_cli("validate", "--dialect", "sqlite", "--file", str(tmp_path / "plain" / "x.sql")), "cannot read"
    )


# --- formats ------------------------------------------------------------------------------------------


def test_workflow_command_escaping_follows_the_spec():
    assert escape_data("100% a\r\nb, c: d") == "100%25 a%0D%0Ab, c: d"
    assert escape_property("dir,a:b%\n.sql") == "dir%2Ca%3Ab%25%0A.sql"


def test_github_format_annotates_each_finding_with_file_line_and_column(cli_env: dict[str, str], tmp_path: Path):
    folder = tmp_path / "a,b"
    folder.mkdir()
    sql = folder / "m.sql"
    sql.write_text("SELECT 1;\nDROP TABLE customer CASCADE;\n")
    result = run_cli("validate", "--dialect", "postgresql", "--mode", "ddl", "--format", "github", str(sql))
    assert result.code == 1
    lines = result.out.splitlines()
    file_prop = f"file={str(sql).replace(',', '%2C')}"
    cascade = [x for x in lines if "title=risk.cascade::" in x]
    assert cascade == [x for x in cascade if x.startswith(f"::error {file_prop},line=2,col=")], lines
    drop = [x for x in lines if "title=risk.drop::" in x]
    assert drop and drop[0].startswith("::warning "), lines
    assert lines[-1].startswith("1 file: 0 pass, 1 warn, 0 fail; fails the check")


# A reduced SARIF 2.1.0 schema: the parts of the OASIS schema for the fields sqldraft emits (no network to
# fetch the real one). Names, types, required properties and enums are copied from sarif-schema-2.1.0.json.
_MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
_REGION = {
    "type": "object",
    "properties": {"startLine": {"type": "integer", "minimum": 1}, "startColumn": {"type": "integer", "minimum": 1}},
}
_LOCATION = {
    "type": "object",
    "properties": {
        "physicalLocation": {
            "type": "object",
            "properties": {
                "artifactLocation": {
                    "type": "object",
                    "properties": {"uri": {"type": "string", "format": "uri-reference"}},
                },
                "region": _REGION,
            },
        }
    },
}
SARIF_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "runs"],
    "additionalProperties": False,
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"]},
        "runs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["tool"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "version": {"type": "string"},
                                    "informationUri": {"type": "string", "format": "uri"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "name": {"type": "string"},
                                                "shortDescription": _MESSAGE,
                                                "fullDescription": _MESSAGE,
                                                "help": _MESSAGE,
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {
                                                        "level": {"enum": ["none", "note", "warning", "error"]}
                                                    },
                                                },
                                                "properties": {"type": "object"},
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                    "artifacts": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "location": _LOCATION["properties"]["physicalLocation"]["properties"][
                                    "artifactLocation"
                                ]
                            },
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": -1},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": _MESSAGE,
                                "locations": {"type": "array", "items": _LOCATION},
                                "suppressions": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["kind"],
                                        "properties": {
                                            "kind": {"enum": ["inSource", "external"]},
                                            "justification": {"type": "string"},
                                        },
                                    },
                                },
                                "properties": {"type": "object"},
                            },
                        },
                    },
                },
            },
        },
    },
}


def check_sarif(log: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(log, SARIF_SCHEMA, format_checker=jsonschema.FormatChecker())
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_output_is_valid_and_carries_rules_and_locations(cli_env: dict[str, str], tmp_path: Path):
    os.chdir(tmp_path)
    Path("db").mkdir()
    Path("db/V1__a.sql").write_text("CREATE TABLE t (id bigint PRIMARY KEY);\n")
    Path("db/V2 b.sql").write_text("SELECT 1;\nDROP TABLE customer CASCADE;\n")
    result = run_cli("validate", "--dialect", "postgresql", "--mode", "ddl", "--format", "sarif", "db")
    assert result.code == 1, result.err
    log = json.loads(result.out)
    check_sarif(log)
    run = log["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == set(RULES)
    cascade = next(r for r in run["results"] if r["ruleId"] == "risk.cascade")
    where = cascade["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == "db/V2%20b.sql"
    assert where["region"]["startLine"] == 2 and where["region"]["startColumn"] >= 1
    assert cascade["level"] == "error"  # it fails the step (risk critical)
    rule = run["tool"]["driver"]["rules"][cascade["ruleIndex"]]
    assert rule["help"]["text"].startswith(RULES["risk.cascade"].description)
    assert [a["location"]["uri"] for a in run["artifacts"]] == ["db/V1__a.sql", "db/V2%20b.sql"]


def test_suppressed_findings_are_reported_as_suppressed_in_their_own_file(cli_env: dict[str, str], tmp_path: Path):
    first, second = tmp_path / "1.sql", tmp_path / "2.sql"
    first.write_text("SET lock_timeout = '2s';\nSELECT 1;\n")
    second.write_text(
        "-- sqldraft: allow risk.drop_column reason=unused since v3, two releases\nALTER TABLE t DROP COLUMN c;\n"
    )
    args = ["validate", "--dialect", "postgresql", "--mode", "ddl", str(first), str(second)]
    data = run_cli(*args, "--json").json()
    [entry] = data["files"][1]["suppressed"]
    assert (entry["rule"], entry["line"], entry["comment_line"]) == ("risk.drop_column", 2, 1), entry
    assert not [f for f in data["files"][1]["findings"] if f["rule"] == "risk.drop_column"]
    log = json.loads(run_cli(*args, "--format", "sarif").out)
    check_sarif(log)
    [marked] = [r for r in log["runs"][0]["results"] if r.get("suppressions")]
    assert marked["suppressions"] == [{"kind": "inSource", "justification": "unused since v3, two releases"}]
    assert marked["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    github = run_cli(*args, "--format", "github").out
    assert f"::notice file={second},line=2,col=" in github and "title=risk.drop_column (suppressed)::" in github
    text = run_cli(*args).out
    assert "suppressed  risk.drop_column at line 2: unused since v3, two releases" in text


def test_suppressions_given_as_plain_dicts_render_too():
    from core.domain.schema import Dialect

    v = Validator(SchemaIndex.without_snapshot(Dialect.POSTGRESQL)).validate("SELECT 1", "query")
    v.suppressed = [{"rule": "risk.drop", "statement": 0, "line": 1, "reason": "a, b: c"}]  # type: ignore[list-item]
    reports = [FileReport(Source("SELECT 1", "m.sql", "m.sql"), v)]
    check_sarif(sarif_log(reports, FailOn.CRITICAL, version="0"))
    assert "(suppressed by an inline comment: a, b: c)" in github_annotations(reports, FailOn.CRITICAL)


# --- fast start ---------------------------------------------------------------------------------------

HEAVY = ("sqlalchemy", "alembic", "openai", "slack_sdk", "slack_bolt", "mcp", "pydantic_settings", "cryptography")
WRAPPER = (
    "import sys, runpy, json, atexit\n"
    "atexit.register(lambda: sys.__stderr__.write('MODULES=' + json.dumps(sorted(sys.modules)) + '\\n'))\n"
    "sys.argv = ['sqldraft', *sys.argv[1:]]\n"
    "from core.cli import main\n"
    "code = main()\n"
    "sys.exit(code)\n"
)


def modules_after(*argv: str, cwd: Path) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SQLDRAFT_", "OPENAI_", "SLACK_"))}
    env["XDG_DATA_HOME"] = str(cwd / "xdg")
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES="))
    return {m.split(".")[0] for m in json.loads(line.removeprefix("MODULES="))}


def test_version_and_help_import_nothing_heavy(tmp_path: Path):
    for argv in (["--version"], ["--help"], ["validate", "--help"]):
        loaded = modules_after(*argv, cwd=tmp_path)
        assert not loaded & {*HEAVY, "sqlglot", "pydantic"}, (argv, loaded & {*HEAVY, "sqlglot", "pydantic"})


def test_dialect_only_validation_imports_the_validation_core_and_no_store(tmp_path: Path):
    loaded = modules_after("validate", "--dialect", "postgresql", "--sql", "select 1", cwd=tmp_path)
    assert "sqlglot" in loaded
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_a_dotenv_setting_is_still_read_by_dialect_only_validation(tmp_path: Path):
    (tmp_path / ".env").write_text("SQLDRAFT_MAX_SQL_CHARS=1000\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SQLDRAFT_")}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    done = subprocess.run(
        [sys.executable, "-m", "core.cli", "validate", "--dialect", "sqlite", "--sql", "SELECT 1;" * 200],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "the limit is 1,000" in done.stderr, done.stderr


def test_the_light_defaults_are_the_settings_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SQLDRAFT_DATA_DIR")
    light = LightSettings()
    full = Settings()
    for key in LIGHT_KEYS:
        assert getattr(light, key.lower()) == getattr(full, key.lower()), key
    assert not light_keys_configured(tmp_path / ".env")
    (tmp_path / ".env").write_text("# x\nexport sqldraft_large_offset = 5\n")
    assert light_keys_configured(tmp_path / ".env")


def test_the_pre_commit_hook_runs_sqldraft_validate_on_sql_files():
    yaml = pytest.importorskip("yaml")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "sqldraft-validate")
    assert hook["entry"] == "sqldraft validate" and hook["language"] == "python"
    assert hook["pass_filenames"] is True and hook["require_serial"] is True
    import re

    assert re.search(hook["files"], "db/migrations/V1__init.sql") and not re.search(hook["files"], "notes.sql.md")
