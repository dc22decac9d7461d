"""Migration guard (issue 12): the hazard and safe corpus, with and without a snapshot, beside squawk.

python bench/migration_bench.py [--no-squawk]

The corpus is bench/migration_corpus/{postgresql,mysql}/*.sql; each file's first line lists the rule ids
it must raise (``-- expect: risk.x risk.y``) or ``-- expect: none`` for a safe migration. Without a
snapshot the validator runs as ``sqldraft validate --dialect D --mode ddl`` does. With a snapshot, each
folder's ``_schema.sql`` is created in a throwaway PostgreSQL / MariaDB database on 127.0.0.1 and
snapshotted by the project's own introspection, then dropped. A hazard counts as caught when every
expected rule fires; a safe file is a false alarm when anything of warning or error severity fires.
squawk 2.x (PostgreSQL only) is installed on demand into bench/.venv-squawk with pip (``squawk-cli``);
it catches a hazard when it reports any violation, and a safe file is a false alarm when it reports one.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, sa_url
from core.domain.schema import Dialect, SchemaModel
from core.introspection import introspect
from core.introspection.targets import TargetConfig, connect
from core.validation.engine import Validator
from core.validation.model import Severity
from core.validation.names import SchemaIndex
from tests.support.servers import mariadb_database, pg_database, run_mariadb, run_pg

CORPUS = ROOT / "bench" / "migration_corpus"
SQUAWK_VENV = ROOT / "bench" / ".venv-squawk"


def corpus(dialect: str) -> list[tuple[Path, list[str]]]:
    out = []
    for path in sorted((CORPUS / dialect).glob("*.sql")):
        if not path.name.startswith("_"):
            out.append((path, path.read_text().splitlines()[0].split(":", 1)[1].split()))
    return out


def schema_statements(dialect: str) -> list[str]:
    text = "\n".join(
        line for line in (CORPUS / dialect / "_schema.sql").read_text().splitlines() if not line.startswith("--")
    )
    return [s.strip() for s in text.split(";") if s.strip()]


def snapshot(dialect: str) -> SchemaModel:
    factory, run = (pg_database, run_pg) if dialect == "postgresql" else (mariadb_database, run_mariadb)
    with factory() as url:
        run(url, *schema_statements(dialect))
        with connect(TargetConfig("bench", Dialect(dialect), sa_url(url), None)) as conn:
            return introspect(conn, Dialect(dialect))


def judge(validator: Validator, files: list[tuple[Path, list[str]]]) -> tuple[int, int, int, int, list[str]]:
    caught = hazards = alarms = safe = 0
    notes = []
    for path, expect in files:
        result = validator.validate(path.read_text(), "ddl")
        fired = {f.rule for f in result.findings}
        if expect == ["none"]:
            safe += 1
            loud = sorted({f.rule for f in result.findings if f.severity is not Severity.INFO})
            if loud:
                alarms += 1
                notes.append(f"false alarm {path.name}: {', '.join(loud)}")
        else:
            hazards += 1
            if set(expect) <= fired:
                caught += 1
            else:
                notes.append(f"missed {path.name}: wanted {' '.join(expect)}, got {', '.join(sorted(fired)) or '-'}")
    return caught, hazards, alarms, safe, notes


def squawk_binary() -> Path | None:
    exe = SQUAWK_VENV / "bin" / "squawk"
    if not exe.exists():
        venv.create(SQUAWK_VENV, with_pip=True)
        pip = subprocess.run(
            [str(SQUAWK_VENV / "bin" / "pip"), "install", "-q", "squawk-cli>=2,<3"], capture_output=True, text=True
        )
        if pip.returncode != 0:
            print(f"squawk: pip install squawk-cli failed: {pip.stderr.strip().splitlines()[-1:]}")
            return None
    return exe


STYLE_RULES = ("prefer-robust-stmts", "require-statement-timeout")
"""squawk rules that judge re-runnability and a statement_timeout (sqldraft: info), not locks or data loss."""


def squawk(files: list[tuple[Path, list[str]]], exclude: tuple[str, ...] = ()) -> tuple[int, int, int, int, str]:
    exe = squawk_binary()
    if exe is None:
        return 0, 0, 0, 0, "unavailable"
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout.strip()
    caught = hazards = alarms = safe = 0
    for path, expect in files:
        command = [str(exe), "--reporter", "json", *([f"--exclude={','.join(exclude)}"] if exclude else []), str(path)]
        run = subprocess.run(command, capture_output=True, text=True)
        try:
            violations = json.loads(run.stdout or "[]")
        except json.JSONDecodeError:
            violations = [run.stdout] if run.returncode else []
        if expect == ["none"]:
            safe += 1
            alarms += bool(violations)
        else:
            hazards += 1
            caught += bool(violations)
    return caught, hazards, alarms, safe, version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-squawk", action="store_true")
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, python {platform.python_version()}")
    print(f"{'dialect':<11} {'tool':<34} {'hazards caught':>15} {'false alarms':>13}")
    for dialect in ("postgresql", "mysql"):
        files = corpus(dialect)
        rows = [
            ("sqldraft, no snapshot", Validator(SchemaIndex.without_snapshot(Dialect(dialect)))),
            ("sqldraft, snapshot", Validator(SchemaIndex(snapshot(dialect)))),
        ]
        for name, validator in rows:
            caught, hazards, alarms, safe, notes = judge(validator, files)
            print(f"{dialect:<11} {name:<34} {caught:>9}/{hazards:<5} {alarms:>7}/{safe:<5}")
            for note in notes:
                print(f"    {note}")
        if dialect == "postgresql" and not args.no_squawk:
            for exclude in ((), STYLE_RULES):
                caught, hazards, alarms, safe, version = squawk(files, exclude)
                name = f"{version or 'squawk'}{', no style rules' if exclude else ''}"
                print(f"{dialect:<11} {name:<34} {caught:>9}/{hazards:<5} {alarms:>7}/{safe:<5}")
            print(f"    (no style rules: --exclude={','.join(STYLE_RULES)})")


if __name__ == "__main__":
    main()
