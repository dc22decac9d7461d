"""Start-up of the `sqldraft` command line, whole processes: `--version`, `validate --dialect` and sqlfluff.

Usage: ``.venv/bin/python bench/startup_bench.py [--runs 5] [--file F.sql] [--no-bytecode]``

Each command runs once to warm the OS cache (and write bytecode), then ``--runs`` times; the table
shows the median and the fastest run of the wall time. Bytecode goes to a temporary
``PYTHONPYCACHEPREFIX`` (as an installed package has its .pyc files), unless ``--no-bytecode``
(``PYTHONDONTWRITEBYTECODE=1``: every module compiled from source each time, this sandbox's default).
sqlfluff comes with the ``bench`` extra: ``.venv/bin/pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BIN = Path(sys.executable).parent

MIGRATION = """\
SET lock_timeout = '2s';
ALTER TABLE customer ADD COLUMN tier text;
CREATE INDEX CONCURRENTLY idx_customer_email ON customer (email);
UPDATE customer SET tier = 'basic' WHERE tier IS NULL AND id < 1000;
"""


def timed(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, float, float, int]:
    """(median wall, fastest wall, median CPU user+system, exit code) of ``runs`` runs after one warm-up.

    The CPU time is the child's own, so it moves less than the wall time on a loaded machine.
    """
    warm = subprocess.run(argv, env=env, capture_output=True, check=False)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), min(walls), statistics.median(cpus), warm.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--file", help="the SQL file (default: a four-statement PostgreSQL migration)")
    parser.add_argument("--no-bytecode", action="store_true", help="compile every module from source each run")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sqldraft-startup-"))
    try:
        sql = Path(args.file) if args.file else work / "migration.sql"
        if not args.file:
            sql.write_text(MIGRATION, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SQLDRAFT_", "PYTHONPYCACHEPREFIX"))}
        env["XDG_DATA_HOME"] = str(work / "data")
        if args.no_bytecode:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(work / "pyc")
        commands = {
            "sqldraft --version": [str(BIN / "sqldraft"), "--version"],
            "sqldraft validate --dialect postgresql FILE": [
                str(BIN / "sqldraft"),
                "validate",
                "--dialect",
                "postgresql",
                "--mode",
                "ddl",
                str(sql),
            ],
        }
        sqlfluff = shutil.which("sqlfluff", path=str(BIN)) or shutil.which("sqlfluff")
        if sqlfluff:
            commands["sqlfluff lint --dialect postgres FILE"] = [sqlfluff, "lint", "--dialect", "postgres", str(sql)]
        results = {name: timed(argv, env, args.runs) for name, argv in commands.items()}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, load {os.getloadavg()[0]:.2f}, "
        f"{'no bytecode cache' if args.no_bytecode else 'bytecode cached'}, median of {args.runs} runs"
    )
    print()
    print("| command | median wall | fastest wall | median CPU | exit |")
    print("|---|---|---|---|---|")
    for name, (median, fastest, cpu, code) in results.items():
        print(f"| `{name}` | {median * 1000:.0f} ms | {fastest * 1000:.0f} ms | {cpu * 1000:.0f} ms | {code} |")
    validate = results["sqldraft validate --dialect postgresql FILE"][0]
    version = results["sqldraft --version"][0]
    print()
    print(
        f"targets: --version <= 150 ms: {'met' if version <= 0.150 else 'missed'} ({version * 1000:.0f} ms); "
        f"validate <= 350 ms: {'met' if validate <= 0.350 else 'missed'} ({validate * 1000:.0f} ms)",
        end="",
    )
    lint = results.get("sqlfluff lint --dialect postgres FILE")
    if lint:
        ratio = lint[0] / validate
        print(f"; >= 2x faster than sqlfluff: {'met' if ratio >= 2 else 'missed'} ({ratio:.1f}x)")
    else:
        print("; sqlfluff not installed (pip install -e '.[bench]')")
    return 0


if __name__ == "__main__":
    sys.exit(main())
