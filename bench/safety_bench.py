"""Safety gate v2 (issue 10): hostile and benign corpora, bounded analysis, the injection corpus, speed.

python bench/safety_bench.py [--repeat 5] [--skip-injection] [--skip-speed]

The fixture schema of the test suite (tests/support/fixture_schema.py) is created in a SQLite file and
in throwaway PostgreSQL and MariaDB databases on 127.0.0.1, snapshotted, and dropped at the end. The
validators use the test suite's settings (large tables from 100 rows), as tests/core/validation does.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from xml.etree import ElementTree

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, header, sa_url
from core.domain.schema import Dialect, SchemaModel
from core.introspection import introspect
from core.introspection.targets import TargetConfig, connect
from core.validation.context import Settings
from core.validation.engine import DEFAULT_MAX_CHARS, Validator
from core.validation.model import RiskLevel, Severity, Validation
from core.validation.names import SchemaIndex
from tests.support.cases import Case, load_cases
from tests.support.fixture_schema import fixture_ddl, fixture_rows
from tests.support.servers import mariadb_admin, mariadb_database, pg_database, run_mariadb, run_pg, run_sqlite

DIALECTS = ("postgresql", "mysql", "sqlite")
LABEL = {"postgresql": "PostgreSQL", "mysql": "MariaDB", "sqlite": "SQLite"}
TEST_SETTINGS = Settings(large_table_rows=100, large_offset=10_000)
"""The settings of tests/core/validation/conftest.py, which the corpora are written against."""
BIG_CHARS = 2_000_000
INJECTION_TEST = "tests/core/validation/test_server_check_injection.py"


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: this checkout's packages first (not an editable install's)."""
    path = os.pathsep.join(x for x in (str(ROOT), os.environ.get("PYTHONPATH", "")) if x)
    return os.environ | {"PYTHONPATH": path} | extra


# --- the fixture schema on real servers -------------------------------------------------------------


def snapshot(dialect: Dialect, url: str) -> SchemaModel:
    with connect(TargetConfig("fixture", dialect, sa_url(url), None)) as conn:
        return introspect(conn, dialect)


def fixture_models(stack: ExitStack) -> tuple[dict[str, SchemaModel], str]:
    """Snapshots of the fixture schema per dialect (throwaway databases, as the tests make them), and versions."""
    models: dict[str, SchemaModel] = {}
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="safety_bench_")))
    path = folder / "fixture.db"
    run_sqlite(str(path), *(s + ";" for s in fixture_ddl("sqlite") + fixture_rows("sqlite")))
    models["sqlite"] = snapshot(Dialect.SQLITE, f"sqlite:///{path}")

    url = stack.enter_context(pg_database())
    run_pg(url, *fixture_ddl("postgresql"), *fixture_rows("postgresql"))
    with psycopg.connect(url) as pg:
        pg_version = str(pg.execute("SHOW server_version").fetchone()[0]).split()[0]  # type: ignore[index]
    models["postgresql"] = snapshot(Dialect.POSTGRESQL, url)

    url = stack.enter_context(mariadb_database())
    run_mariadb(url, *fixture_ddl("mysql"), *fixture_rows("mysql"))
    my = mariadb_admin(url.rsplit("/", 1)[1])
    try:
        with my.cursor() as cur:
            cur.execute("SELECT VERSION(), @@lower_case_table_names")
            my_version, lctn = cur.fetchone()
    finally:
        my.close()
    models["mysql"] = snapshot(Dialect.MYSQL, url)
    versions = (
        f"PostgreSQL {pg_version}, MariaDB {str(my_version).split('-')[0]} (lower_case_table_names={lctn}), "
        f"SQLite {sqlite3.sqlite_version}"
    )
    return models, versions


# --- the corpora ------------------------------------------------------------------------------------


def describe(result: Validation) -> str:
    return (
        "; ".join(
            f"{f.rule} ({f.severity.value}{', risk ' + f.risk.value if f.risk else ''}): {f.message}"
            for f in result.findings
        )
        or "no findings"
    )


def corpus(
    validators: dict[str, Validator], cases: list[Case], ok: Callable[[Validation], bool]
) -> tuple[dict[str, tuple[int, int]], list[tuple[str, Case, Validation]], float]:
    """Per dialect (passed, total); the cases that failed; mean milliseconds per case."""
    counts: dict[str, list[int]] = {d: [0, 0] for d in DIALECTS}
    misses = []
    elapsed = 0.0
    runs = 0
    for case in cases:
        for dialect in case.dialects:
            validator = (
                validators[dialect] if case.snapshot else Validator(SchemaIndex.without_snapshot(Dialect(dialect)))
            )
            start = time.perf_counter()
            result = validator.validate(case.sql, "query")
            elapsed += time.perf_counter() - start
            runs += 1
            counts[dialect][1] += 1
            if ok(result):
                counts[dialect][0] += 1
            else:
                misses.append((dialect, case, result))
    return {d: (c[0], c[1]) for d, c in counts.items()}, misses, elapsed * 1000 / max(runs, 1)


def flagged(result: Validation) -> bool:
    return result.risk_level.rank >= RiskLevel.HIGH.rank


def clean(result: Validation) -> bool:
    return result.risk_level.rank <= RiskLevel.LOW.rank and not any(
        f.severity is Severity.ERROR for f in result.findings
    )


def print_corpus(
    title: str,
    verdict: str,
    parts: list[tuple[str, list[Case]]],
    validators: dict[str, Validator],
    ok: Callable[[Validation], bool],
    miss_word: str,
) -> None:
    print(f"### {title}\n")
    print(f"| dialect | {' | '.join(name for name, _ in parts)} | total {verdict} |")
    print("|---|" + "---|" * (len(parts) + 1))
    results = [corpus(validators, cases, ok) for _, cases in parts]
    for dialect in DIALECTS:
        cells = [f"{r[0][dialect][0]}/{r[0][dialect][1]}" for r in results]
        passed = sum(r[0][dialect][0] for r in results)
        total = sum(r[0][dialect][1] for r in results)
        print(f"| {LABEL[dialect]} | {' | '.join(cells)} | **{passed}/{total}** |")
    passed = sum(sum(c[0] for c in r[0].values()) for r in results)
    total = sum(sum(c[1] for c in r[0].values()) for r in results)
    cases = sum(len(c) for _, c in parts)
    mean = statistics.mean(r[2] for r in results)
    print(f"\n{cases} cases, {total} case-dialect runs: **{passed}/{total}** {verdict}; mean {mean:.2f} ms a case.")
    misses = [m for r in results for m in r[1]]
    if misses:
        print(f"\n{miss_word} ({len(misses)}):\n")
        for dialect, case, result in misses:
            known = getattr(case, "xfail", None)  # `-- xfail: reason` marks a known validator bug
            print(
                f"- [{LABEL[dialect]}] {case.file}: `{case.name}`{f' (known, xfail: {known})' if known else ''}: "
                f"risk {result.risk_level.value}, status {result.status.value}; {describe(result)}"
            )
    else:
        print(f"\n{miss_word}: none.")
    print()


# --- bounded analysis -------------------------------------------------------------------------------


def bounded_cases() -> list[tuple[str, str]]:
    union_all = " UNION ALL ".join(f"SELECT id, status FROM orders WHERE id = {i}" for i in range(2000))
    nested = "SELECT id FROM orders"
    for i in range(200):
        nested = f"SELECT id FROM orders WHERE id IN ({nested}) AND id > {i}"
    union = " UNION ".join(f"SELECT id, email FROM customers WHERE id = {i}" for i in range(1000))
    reads = [
        "SELECT id, status, total_amount FROM orders WHERE id = {i}",
        "SELECT c.id, c.email, count(o.id) AS n FROM customers c JOIN orders o ON o.customer_id = c.id "
        "WHERE c.id = {i} GROUP BY c.id, c.email",
        "SELECT product_id, sum(quantity) AS q FROM order_items WHERE order_id = {i} GROUP BY product_id",
    ]
    parts: list[str] = []
    size = 0
    i = 0
    while size < 1_000_000:
        statement = reads[i % len(reads)].format(i=i) + ";\n"
        parts.append(statement)
        size += len(statement)
        i += 1
    script = "".join(parts)
    in_list = "SELECT id, status FROM orders WHERE id IN (" + ", ".join(str(i) for i in range(100_000)) + ")"
    return [
        ("2,000-branch UNION ALL over orders", union_all),
        ("200 nested IN subqueries", nested),
        ("1,000-branch UNION over customers", union),
        (f"1 MB script ({len(parts):,} reads)", script),
        ("100,000-element IN list", in_list),
    ]


def run_bounded(validators: dict[str, Validator], big: dict[str, Validator], repeat: int) -> list[float]:
    print(f"### Bounded analysis\n\nQuery mode, median of {repeat} runs each. Over {DEFAULT_MAX_CHARS:,} characters ")
    print(f"(the default limit) the validator is built with `max_chars={BIG_CHARS:,}`.\n")
    print("| input | characters | dialect | median | slowest | status | risk | rules |")
    print("|---|---|---|---|---|---|---|---|")
    slowest = []
    for name, sql in bounded_cases():
        for dialect in DIALECTS:
            validator = big[dialect] if len(sql) > DEFAULT_MAX_CHARS else validators[dialect]
            runs = []
            outcome = ""
            for _ in range(repeat):
                start = time.perf_counter()
                try:
                    result = validator.validate(sql, "query")
                    rules = ", ".join(sorted({f.rule for f in result.findings})) or "-"
                    outcome = f"{result.status.value} | {result.risk_level.value} | {rules}"
                except Exception as exc:  # a crash is the finding here
                    outcome = f"{type(exc).__name__} | - | {str(exc).splitlines()[0][:120] if str(exc) else ''}"
                runs.append(time.perf_counter() - start)
            slowest.append(max(runs))
            print(
                f"| {name} | {len(sql):,} | {LABEL[dialect]} | {fmt_seconds(statistics.median(runs))} "
                f"| {fmt_seconds(max(runs))} | {outcome} |"
            )
    print()
    return slowest


def fmt_seconds(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def run_cli_too_large() -> None:
    with tempfile.TemporaryDirectory(prefix="safety_cli_") as folder:
        path = Path(folder) / "big.sql"
        line = "SELECT id, status FROM orders WHERE id = 1;\n"
        path.write_text(line * (1_000_000 // len(line) + 1), encoding="utf-8")
        env = {k: v for k, v in child_env().items() if not k.startswith(("SQLDRAFT_", "OPENAI_", "SLACK_"))}
        env["SQLDRAFT_DATA_DIR"] = str(Path(folder) / "data")
        command = [str(Path(sys.executable).with_name("sqldraft")), "validate", "--dialect", "postgresql"]
        start = time.perf_counter()
        proc = subprocess.run(
            [*command, "--file", str(path)], cwd=folder, env=env, capture_output=True, text=True, timeout=300
        )
        elapsed = time.perf_counter() - start
        size = path.stat().st_size
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    print(f"Command line, `sqldraft validate --dialect postgresql --file big.sql` on a {size:,}-character file ")
    print(f"(default limit {DEFAULT_MAX_CHARS:,}): exit code **{proc.returncode}** in {elapsed:.2f} s, ")
    print(f"{len(lines)} line(s) on stderr, {len(proc.stdout.splitlines())} on stdout:\n")
    print("```\n" + ("\n".join(lines) or "(nothing)") + "\n```\n")


# --- the injection corpus ---------------------------------------------------------------------------


def run_injection() -> None:
    from tests.core.validation import test_server_check_injection as inj

    with tempfile.TemporaryDirectory(prefix="safety_bench_") as folder:
        report = Path(folder) / "injection.xml"
        command = [
            sys.executable,
            "-m",
            "pytest",
            INJECTION_TEST,
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junitxml={report}",
        ]
        start = time.perf_counter()
        proc = subprocess.run(
            command, cwd=ROOT, env=child_env(SQLDRAFT_REQUIRE_SERVICES="1"), capture_output=True, text=True
        )
        elapsed = time.perf_counter() - start
        suite = ElementTree.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite[0]
    counts = {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
    failed = {
        case.get("name", "")
        for case in suite.iter("testcase")
        if case.find("failure") is not None or case.find("error") is not None
    }
    summary = (
        f"{counts['tests']} tests, {counts['failures']} failed, {counts['errors']} errors, {counts['skipped']} skipped"
    )
    print("### Injection corpus (server check)\n")
    print(f"`SQLDRAFT_REQUIRE_SERVICES=1 pytest {INJECTION_TEST} -q -p no:cacheprovider`: ", end="")
    print(f"exit code {proc.returncode}, ")
    print(f"{summary}; {elapsed:.0f} s.\n")
    print(
        "| dialect | corpus texts | several statements (must be rejected) | one-statement check: canaries untouched "
        "| through validate (query + dml) |"
    )
    print("|---|---|---|---|---|")
    dialects = {"postgresql": inj.PG, "mysql": inj.MY, "sqlite": inj.LITE}
    for dialect, key in dialects.items():
        items = [c for c in inj.CORPUS if key in c.texts]
        several = sum(key in c.several for c in items)
        bad = sum(f"test_a_hostile_text_as_one_statement_is_never_executed[{key}-{c.id}]" in failed for c in items)
        whole = f"test_the_corpus_through_validate_executes_nothing[{key}]"
        print(
            f"| {LABEL[dialect]} | {len(items)} | {several} | **{len(items) - bad}/{len(items)}** "
            f"| {'failed' if whole in failed else 'passed'} ({2 * len(items)} validations) |"
        )
    total = len(inj.DIALECT_CASES)
    bad = sum(x.startswith("test_a_hostile_text_as_one_statement") for x in failed)
    print(f"\ncanaries untouched **{total - bad}/{total}** ({len(inj.CORPUS)} texts over three dialects); ")
    passed = counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
    print(
        f"tests: {passed} passed, {counts['failures']} failed, {counts['skipped']} skipped, {counts['errors']} errors."
    )
    if failed:
        print("\nfailed: " + ", ".join(sorted(failed)))
    print()


# --- validation speed -------------------------------------------------------------------------------


def run_speed() -> None:
    command = [sys.executable, str(ROOT / "bench" / "validation_speed.py")]
    proc = subprocess.run(command, cwd=ROOT, env=child_env(), capture_output=True, text=True)
    print("### Validation speed (`python bench/validation_speed.py`)\n")
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        print(f"failed with exit code {proc.returncode}: {tail}\n")
        return
    body = proc.stdout.splitlines()
    start = next((i for i, x in enumerate(body) if x.startswith("machine:")), 0)
    keep = [x for x in body[start:] if not x.startswith(("machine:", "date:", "command:"))]
    print("\n".join(keep).strip() + "\n")
    p50 = re.search(r"\| p50 per statement \| ([\d.]+) ms", proc.stdout)
    speedup = re.search(r"\| speed-up over sqlfluff \| (\d+)x", proc.stdout)
    if p50:
        verdict = "met" if float(p50.group(1)) <= 5 else "NOT met"
        print(f"\ntarget p50 <= 5 ms: {verdict} ({p50.group(1)} ms)", end="")
        print(f"; speed-up over sqlfluff {speedup.group(1)}x" if speedup else "", end="")
        print("\n")


# --- main -------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5, help="runs per bounded-analysis input (median)")
    ap.add_argument("--skip-injection", action="store_true")
    ap.add_argument("--skip-speed", action="store_true")
    args = ap.parse_args()
    with ExitStack() as stack:
        models, versions = fixture_models(stack)
    # The snapshots are all the validators need: the throwaway databases are dropped already.
    validators = {d: Validator(SchemaIndex(m), settings=TEST_SETTINGS) for d, m in models.items()}
    big = {d: Validator(SchemaIndex(m), settings=TEST_SETTINGS, max_chars=BIG_CHARS) for d, m in models.items()}
    print(header("Safety gate v2 (issue 10)"))
    print(f"servers: {versions}; the fixture schema of tests/support/fixture_schema.py in each.\n")

    hostile_v1 = [c for c in load_cases("hostile.sql") if c.name.startswith("hostile:")]
    plain_v1 = [c for c in load_cases("hostile.sql") if c.name.startswith("plain:")]
    hostile_v2 = load_cases("hostile_v2.sql")
    benign_v2 = load_cases("benign_v2.sql")
    odd = [c.name for c in hostile_v2 if not c.name.startswith("hostile:")]
    odd += [c.name for c in benign_v2 if not c.name.startswith("plain:")]
    if odd:
        print(f"note: cases whose name does not match their file's kind: {odd}\n")
    print_corpus(
        "Hostile corpus (query mode, must be risk high or critical)",
        "flagged high/critical",
        [
            (f"hostile_v2.sql ({len(hostile_v2)})", hostile_v2),
            (f"hostile.sql `hostile:` ({len(hostile_v1)})", hostile_v1),
        ],
        validators,
        flagged,
        "missed",
    )
    print_corpus(
        "Benign corpus (query mode, must be risk at most low with no error finding)",
        "clean",
        [(f"benign_v2.sql ({len(benign_v2)})", benign_v2), (f"hostile.sql `plain:` ({len(plain_v1)})", plain_v1)],
        validators,
        clean,
        "false alarms",
    )
    # Under the product's default settings (large tables from 100,000 rows) only the performance rules change.
    default = {d: Validator(SchemaIndex(m)) for d, m in models.items()}
    h = corpus(default, hostile_v2 + hostile_v1, flagged)
    b = corpus(default, benign_v2 + plain_v1, clean)
    hp, ht = sum(c[0] for c in h[0].values()), sum(c[1] for c in h[0].values())
    bp, bt = sum(c[0] for c in b[0].values()), sum(c[1] for c in b[0].values())
    print(f"With the default settings instead (large tables from 100,000 rows): hostile flagged {hp}/{ht}, ")
    print(f"benign clean {bp}/{bt}.\n")
    slow = run_bounded(validators, big, args.repeat)
    run_cli_too_large()
    print(f"slowest single bounded-analysis run: {fmt_seconds(max(slow))}\n")
    if not args.skip_injection:
        run_injection()
    if not args.skip_speed:
        run_speed()


if __name__ == "__main__":
    main()
