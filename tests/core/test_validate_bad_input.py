"""Bad input to `sqldraft validate` and `validate_sql`: one clear line or a positioned finding, never a crash.

Every text runs through the real command line (in process) once per dialect (`--dialect`), once against
a SQLite connection with a snapshot, and once more with `--server-check`; and through the MCP tool
`validate_sql` with the official in-memory client. What each dialect should make of a text was checked
against the servers themselves (PostgreSQL 15, MariaDB, SQLite 3.40): `$$abc` is a column in MySQL and a
parameter in SQLite, SQLite ends an open /* comment at the end of the text, PostgreSQL reads ` as an
operator, and so on.
"""

from __future__ import annotations

import builtins
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from mcp.client import Client

import core.errors
from core.bootstrap import build_copilot
from core.crypto import generate_key
from core.errors import InvalidInput, TooLarge
from core.service import Copilot
from core.settings import Settings
from mcp_server.auth import Identity
from mcp_server.server import build_server
from tests.support.cli import Result, run_cli
from tests.support.servers import run_sqlite

DIALECTS = ("postgresql", "mysql", "sqlite")
ONE_MB = "SELECT 1;\n" * 104_858  # 1,048,580 characters


# --- what a bad input must give --------------------------------------------------------------------


@dataclass(frozen=True)
class Refused:
    """A one-line error (exit 2) holding every needle; ``{file}`` stands for the file's path."""

    needles: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    """A syntax.parse_error error at ``line`` and one of ``columns``, its message holding ``needle`` (exit 1)."""

    line: int
    columns: tuple[int, ...]
    needle: str = ""


@dataclass(frozen=True)
class FailsClosed:
    """Text the dialect does not read as SQL: status fail with a positioned error finding (exit 1)."""


@dataclass(frozen=True)
class Reads:
    """Text the dialect reads as SQL: validated as usual (exit 0 or 1), with no syntax finding but the server's."""


@dataclass(frozen=True)
class FindingOrRefused:
    """Either an error finding or a one-line error, holding ``needle``."""

    needle: str = ""


Expectation = Refused | Finding | FailsClosed | Reads | FindingOrRefused


def every(expectation: Expectation) -> dict[str, Expectation]:
    return dict.fromkeys(DIALECTS, expectation)


def at(line: int, column: int, needle: str = "") -> Finding:
    return Finding(line, (column,), needle)


ONLY_COMMENTS = Refused(("there is no SQL to validate", "only comments"))
TOO_LARGE = Refused(("too large", "SQLDRAFT_MAX_SQL_CHARS"))
STRING_OPEN = "a string is not closed"


@dataclass(frozen=True)
class Case:
    id: str
    sql: str
    expect: dict[str, Expectation]
    xfail: dict[str, str] = field(default_factory=dict)
    """Dialect (or "all") -> why it fails today."""


TEXT_CASES = [
    Case("nul", "SELECT 1\x00", every(FindingOrRefused("NUL"))),
    Case("nul-in-a-string", "SELECT 'a\x00b'", every(FindingOrRefused("NUL"))),
    Case("nul-in-a-comment", "SELECT 1 -- \x00", every(FindingOrRefused("NUL"))),
    Case("only-a-dash-comment", "-- nothing", every(ONLY_COMMENTS)),
    Case("only-a-block-comment", "/* x */", every(ONLY_COMMENTS)),
    Case("only-a-hash-comment", "# nothing", {**every(FailsClosed()), "mysql": ONLY_COMMENTS}),
    Case("only-a-nested-comment", "/* a /* b */ c */", {**every(FailsClosed()), "postgresql": ONLY_COMMENTS}),
    Case("unterminated-string", "SELECT 'abc", every(at(1, 8, STRING_OPEN))),
    Case("unterminated-string-on-line-2", "SELECT 1;\r\nSELECT 'abc", every(at(2, 8, STRING_OPEN))),
    Case(
        "unterminated-double-quote",
        'SELECT "abc',
        {**every(at(1, 8, 'a quoted name ("...") is not closed')), "mysql": at(1, 8, STRING_OPEN)},
    ),
    Case(
        "unterminated-backtick",
        "SELECT `abc",
        {**every(at(1, 8, "a quoted name (`...`) is not closed")), "postgresql": Reads()},
    ),
    Case(
        "unterminated-block-comment",
        "SELECT 1 /* abc",
        {**every(at(1, 10, "a /* comment is not closed")), "sqlite": Reads()},
    ),
    Case("unterminated-dollar-quote", "SELECT $$abc", {**every(Reads()), "postgresql": at(1, 8, "($$) is not closed")}),
    Case(
        "unterminated-tagged-dollar-quote",
        "SELECT $tag$abc",
        {**every(Reads()), "postgresql": at(1, 8, "($tag$) is not closed")},
    ),
    Case(
        "unterminated-executable-comment",
        "SELECT 1 /*! abc",
        {
            "postgresql": at(1, 10, "a /* comment is not closed"),
            "mysql": at(1, 10, "an executable comment (/*! ...) is not closed"),
            "sqlite": Reads(),
        },
    ),
    Case(
        "mysql-dashes-without-a-space",
        "SELECT 1 --'abc",
        {**every(Reads()), "mysql": at(1, 12, STRING_OPEN)},
    ),
    Case("hash-before-a-string", "SELECT 1 # 'abc", {**every(at(1, 12, STRING_OPEN)), "mysql": Reads()}),
    Case(
        "unterminated-unicode-escape",
        "SELECT U&'\\00'",
        {**every(Reads()), "postgresql": at(1, 8, "a U& escape is not followed by 4 (or +6) hex digits")},
    ),
    Case(
        "invalid-uescape-character",
        "SELECT U&'d!0061t' UESCAPE '+'",
        {
            # at the U& literal, or anywhere in its UESCAPE clause (PostgreSQL points at '+')
            "postgresql": Finding(1, (8, *range(20, 31)), "UESCAPE '+' is not a valid escape character"),
            "mysql": at(1, 28),
            "sqlite": at(1, 28),
        },
    ),
    Case(
        "byte-order-mark",
        "\ufeffSELECT 1",
        {**every(FindingOrRefused()), "sqlite": Reads()},
    ),
]


@dataclass(frozen=True)
class Source:
    """Bytes handed to the command line one way: ``--sql``, ``--file`` or standard input."""

    id: str
    data: bytes | str
    via: str
    expect: dict[str, Expectation]
    xfail: dict[str, str] = field(default_factory=dict)
    """Dialect (or "all") -> why it fails today."""


SOURCES = [
    Source("1mb-by-sql", ONE_MB, "sql", every(TOO_LARGE)),
    Source("1mb-by-file", ONE_MB.encode(), "file", every(TOO_LARGE)),
    Source("1mb-by-stdin", ONE_MB.encode(), "stdin", every(TOO_LARGE)),
    Source("latin-1-file", b"SELECT 'caf\xe9'", "file", every(Refused(("{file}", "is not valid UTF-8")))),
    Source("latin-1-stdin", b"SELECT 'caf\xe9'", "stdin", every(Refused(("standard input", "is not valid UTF-8")))),
    Source(
        # How Python hands over `--sql $'SELECT \'caf\xe9\''`: the invalid byte as a lone surrogate.
        "latin-1-by-sql",
        "SELECT 'caf\udce9'",
        "sql",
        every(Refused(("--sql", "is not valid UTF-8"))),
        xfail={
            "all": "--sql text that is not UTF-8 is validated as if it were (PASS, exit 0), while --file refuses "
            "it; with --server-check the SQLite check raises UnicodeEncodeError (an incident)"
        },
    ),
    Source("binary-file", bytes(range(256)) * 16, "file", every(Refused(("{file}", "is not valid UTF-8")))),
    Source("control-bytes-file", bytes(range(32)) * 8 + b"SELECT 1", "file", every(FindingOrRefused("NUL"))),
    Source(
        "byte-order-mark-file",
        b"\xef\xbb\xbfSELECT 1\n",
        "file",
        {**every(FindingOrRefused()), "sqlite": Reads()},
    ),
]

CLI_TARGETS = {
    "postgresql": ("postgresql", ["--dialect", "postgresql"]),
    "mysql": ("mysql", ["--dialect", "mysql"]),
    "sqlite": ("sqlite", ["--dialect", "sqlite"]),
    "connection": ("sqlite", ["lite"]),
    "server-check": ("sqlite", ["lite", "--server-check"]),
}
MCP_TARGETS = {
    "postgresql": ("postgresql", {"dialect": "postgresql"}),
    "mysql": ("mysql", {"dialect": "mysql"}),
    "sqlite": ("sqlite", {"dialect": "sqlite"}),
    "connection": ("sqlite", {"connection": "lite"}),
}


def _xfail(reason: str | None) -> list[pytest.MarkDecorator]:
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


def text_params(targets: dict[str, tuple[str, Any]], cases: list[Case] | list[Source]) -> Iterator[Any]:
    for case in cases:
        for name, (dialect, _) in targets.items():
            reason = case.xfail.get(dialect) or case.xfail.get("all")
            yield pytest.param(case, name, id=f"{case.id}-{name}", marks=_xfail(reason))


# --- checks ------------------------------------------------------------------------------------------

_EXCEPTION_WORD = re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b")
_TWO_WORDS = re.compile(r"^[A-Z][a-z]+[A-Z]")  # one-word names (Conflict, Warning) are ordinary words too
_CLASS_NAMES = sorted(
    name
    for module in (builtins, core.errors)
    for name, obj in vars(module).items()
    if isinstance(obj, type) and issubclass(obj, BaseException) and _TWO_WORDS.match(name)
)
_CLASS_NAME = re.compile(r"\b(?:" + "|".join(_CLASS_NAMES) + r")\b")


def assert_no_internals(text: str) -> None:
    """No traceback, no incident id, no Python exception class name."""
    assert "Traceback" not in text, text[:2000]
    assert "incident" not in text and "unexpected error" not in text, text[:2000]
    names = _EXCEPTION_WORD.findall(text) + _CLASS_NAME.findall(text)
    assert not names, f"{names} in {text[:2000]!r}"


def assert_one_line_error(result: Result, needles: tuple[str, ...]) -> None:
    assert result.code == 2, (result.code, result.out[:500], result.err)
    assert result.out == "", result.out[:500]
    assert result.err.startswith("sqldraft: ") and result.err.count("\n") == 1, result.err
    for needle in needles:
        assert needle in result.err, result.err


def assert_positioned(findings: list[dict[str, Any]]) -> None:
    for f in findings:
        assert isinstance(f["line"], int) and f["line"] >= 1, f
        assert isinstance(f["column"], int) and f["column"] >= 1, f


def assert_validation(expect: Expectation, validation: dict[str, Any]) -> None:
    """The result (CLI --json or MCP structured content) is what ``expect`` says."""
    findings = validation["findings"]
    assert_positioned(findings)
    errors = [f for f in findings if f["severity"] == "error"]
    if isinstance(expect, Reads):
        syntax = [f for f in findings if f["category"] == "syntax" and f["rule"] != "syntax.server_rejected"]
        assert not syntax, syntax
    elif isinstance(expect, Finding):
        assert validation["status"] == "fail", findings
        hits = [f for f in errors if f["rule"] == "syntax.parse_error" and expect.needle in f["message"]]
        assert hits, findings
        assert (hits[0]["line"], hits[0]["column"]) in [(expect.line, c) for c in expect.columns], hits[0]
    elif isinstance(expect, FailsClosed | FindingOrRefused):
        assert validation["status"] == "fail", findings
        needle = expect.needle if isinstance(expect, FindingOrRefused) else ""
        assert any(needle in f["message"] for f in errors), findings
    else:
        raise AssertionError(f"expected a one-line error, got a result: {findings}")


def check_cli(expect: Expectation, plain: Result, structured: Result, file: Path | None = None) -> None:
    for result in (plain, structured):
        assert_no_internals(result.out + result.err)
    if isinstance(expect, Refused) or (isinstance(expect, FindingOrRefused) and plain.code == 2):
        raw = expect.needles if isinstance(expect, Refused) else (expect.needle,)
        needles = tuple(n.replace("{file}", str(file)) for n in raw)
        assert_one_line_error(plain, needles)
        assert_one_line_error(structured, needles)
        return
    assert plain.err == "" and structured.err == "", plain.err + structured.err
    validation = structured.json()
    expected_code = 1 if validation["status"] == "fail" else 0
    assert plain.code == structured.code == expected_code, (plain.code, structured.code, validation["status"])
    assert plain.out.startswith(validation["status"].upper()), plain.out[:500]
    assert_validation(expect, validation)


# --- fixtures ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Store:
    url: str
    key: str
    copilot: Copilot


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One store with a snapshotted SQLite connection `lite`, shared by the module (validating writes nothing)."""
    root = tmp_path_factory.mktemp("bad-input")
    database = root / "items.db"
    run_sqlite(str(database), "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)")
    url, key = f"sqlite:///{root / 'store.db'}", generate_key()
    with pytest.MonkeyPatch.context() as mp:  # no SQLDRAFT_* setting of the shell or a .env leaks in
        mp.chdir(root)
        for name in [n for n in os.environ if n.startswith("SQLDRAFT_")]:
            mp.delenv(name)
        copilot = build_copilot(Settings(store_url=url, secret_key=key, data_dir=root / "data"))
    copilot.add_connection("lite", f"sqlite:///{database}")
    copilot.refresh_snapshot("lite")
    yield Store(url, key, copilot)
    copilot.close()


@pytest.fixture
def cli_store(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("SQLDRAFT_STORE_URL", store.url)
    monkeypatch.setenv("SQLDRAFT_SECRET_KEY", store.key)
    return store


def validate(target: list[str], *source: str) -> tuple[Result, Result]:
    """The same validation in text and in --json."""
    return run_cli("validate", *target, *source), run_cli("validate", *target, *source, "--json")


# --- the command line --------------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "target"), list(text_params(CLI_TARGETS, TEXT_CASES)))
def test_validate_answers_bad_sql_with_a_line_or_a_positioned_finding(case: Case, target: str, cli_store: Store):
    dialect, args = CLI_TARGETS[target]
    plain, structured = validate(args, "--sql", case.sql)
    check_cli(case.expect[dialect], plain, structured)


@pytest.mark.parametrize(("source", "target"), list(text_params(CLI_TARGETS, SOURCES)))
def test_oversized_undecodable_and_binary_input_gets_one_line_or_a_finding(
    source: Source, target: str, cli_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    dialect, args = CLI_TARGETS[target]
    file = None
    if source.via == "sql":
        assert isinstance(source.data, str)
        plain, structured = validate(args, "--sql", source.data)
    elif source.via == "file":
        assert isinstance(source.data, bytes)
        file = tmp_path / f"{source.id}.sql"
        file.write_bytes(source.data)
        plain, structured = validate(args, "--file", str(file))
    else:
        assert isinstance(source.data, bytes)
        data = source.data
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
        plain = run_cli("validate", *args, "--file", "-")
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
        structured = run_cli("validate", *args, "--file", "-", "--json")
    check_cli(source.expect[dialect], plain, structured, file)


def test_a_sqlite_database_file_is_refused_in_one_line_or_fails(cli_store: Store, tmp_path: Path):
    database = tmp_path / "other.db"
    run_sqlite(str(database), "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)", "INSERT INTO t VALUES (1, x'00ff')")
    for args in (["--dialect", "sqlite"], ["lite"]):
        plain, structured = validate(args, "--file", str(database))
        check_cli(FindingOrRefused(), plain, structured, database)
        if plain.code == 2:
            assert str(database) in plain.err


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_service_raises_user_errors_for_oversized_and_comment_only_text(dialect: str, store: Store):
    with pytest.raises(TooLarge) as too_large:
        store.copilot.validate(ONE_MB, dialect=dialect)
    assert "SQLDRAFT_MAX_SQL_CHARS" in str(too_large.value) and "\n" not in str(too_large.value)
    with pytest.raises(InvalidInput, match="only comments"):
        store.copilot.validate("-- nothing\n/* x */", dialect=dialect)


# --- the MCP tool ------------------------------------------------------------------------------------


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


MCP_CASES = [*TEXT_CASES, Case("1mb", ONE_MB, every(TOO_LARGE))]


@pytest.mark.anyio
@pytest.mark.parametrize(("case", "target"), list(text_params(MCP_TARGETS, MCP_CASES)))
async def test_validate_sql_answers_bad_sql_with_a_tool_error_or_a_result(case: Case, target: str, store: Store):
    dialect, arguments = MCP_TARGETS[target]
    server = build_server(
        lambda: store.copilot, default_identity=Identity("mcp:local-ada", frozenset({"draft"})), close_on_exit=False
    )
    async with Client(server) as client:
        call = await client.call_tool("validate_sql", {"sql": case.sql, **arguments})
    text = call.content[0].text if call.content else ""
    assert_no_internals(text)
    expect = case.expect[dialect]
    if call.is_error:
        assert isinstance(expect, Refused | FindingOrRefused), text
        assert "\n" not in text.strip(), text
        needles = expect.needles if isinstance(expect, Refused) else (expect.needle,)
        for needle in needles:
            assert needle in text, text
        return
    assert call.structured_content is not None
    assert_validation(expect, call.structured_content)
