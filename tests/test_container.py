"""Issue 15 item 8: the Dockerfile and compose.yaml run commands that exist (Docker itself cannot run here)."""

from __future__ import annotations

import argparse
import importlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS: dict[str, str] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]


class _Parsed(Exception):
    def __init__(self, namespace: argparse.Namespace) -> None:
        self.namespace = namespace


def parsed_arguments(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> argparse.Namespace:
    """Parse ``argv`` with the console script's own parser (and stop there: nothing is started)."""
    assert argv[0] in SCRIPTS, f"{argv[0]} is not a console script of pyproject.toml ({sorted(SCRIPTS)})"
    if argv[0] == "sqldraft":
        from core.cli.app import build_parser

        try:
            return build_parser().parse_args(argv[1:])
        except SystemExit as exc:
            pytest.fail(f"{argv} does not parse (exit {exc.code})")
    module, _, function = SCRIPTS[argv[0]].partition(":")
    original = argparse.ArgumentParser.parse_args

    def stop(self: argparse.ArgumentParser, args: Any = None, namespace: Any = None) -> argparse.Namespace:
        raise _Parsed(original(self, args, namespace))

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", stop)
    try:
        getattr(importlib.import_module(module), function)(argv[1:])
    except _Parsed as done:
        return done.namespace
    except SystemExit as exc:  # argparse refused the arguments
        pytest.fail(f"{argv} does not parse (exit {exc.code})")
    finally:
        monkeypatch.setattr(argparse.ArgumentParser, "parse_args", original)
    pytest.fail(f"{argv} never parsed its arguments")


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def healthcheck_url(test: list[str]) -> str:
    assert test[:3] == ["CMD", "python", "-c"], test
    code = test[3]
    compile(code, "<healthcheck>", "exec")  # real Python
    match = re.search(r"http://127\.0\.0\.1:(\d+|%s)/healthz", code)
    assert match and "urllib.request.urlopen" in code, code
    return match.group(0)


def test_the_dockerfile_is_a_slim_non_root_image_built_from_the_checkout(monkeypatch):
    steps = dockerfile_instructions()
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [arg for op, arg in steps if op == "USER"]
    assert users and users[-1] not in ("root", "0"), users
    runs = " ".join(arg for op, arg in steps if op == "RUN")
    assert "pip install ." in runs and "curl" not in runs
    copied = [arg.split()[:-1] for op, arg in steps if op == "COPY"]
    for sources in copied:
        for source in sources:
            assert (ROOT / source).exists(), source
    packages = {s for sources in copied for s in sources if (ROOT / s).is_dir()}
    assert packages == {"core", "bot", "mcp_server"}  # tool.setuptools.packages.find: core*, bot*, mcp_server*
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert not ignored & {"core", "bot", "mcp_server", "pyproject.toml", "README.md"}
    assert {".git", ".venv", ".env", "*.db"} <= ignored
    (cmd,) = [json.loads(arg) for op, arg in steps if op == "CMD"]
    assert cmd[0] == "sqldraft-bot"
    args = parsed_arguments(cmd, monkeypatch)
    assert args.http and args.host == "0.0.0.0" and args.port == 3000
    (health,) = [arg for op, arg in steps if op == "HEALTHCHECK"]
    test = json.loads(health.split("CMD", 1)[1].strip())
    assert healthcheck_url(["CMD", *test]) == "http://127.0.0.1:%s/healthz"
    env = " ".join(arg for op, arg in steps if op == "ENV")
    assert "SQLDRAFT_HEALTH_PORT=3000" in env and "SQLDRAFT_DATA_DIR=/var/lib/sqldraft" in env


def test_compose_runs_the_store_the_bot_the_mcp_server_and_the_scheduler(monkeypatch):
    services = compose()["services"]
    assert set(services) == {"store", "init", "bot", "mcp", "scheduler"}
    assert services["store"]["image"].startswith("postgres:")
    seen = {}
    for name in ("init", "bot", "mcp", "scheduler"):
        service = services[name]
        assert service["build"] == "." and service["env_file"] == [{"path": "./sqldraft.env", "required": True}]
        url = service["environment"]["SQLDRAFT_STORE_URL"]
        assert url.startswith("postgresql+psycopg://sqldraft:") and url.endswith("@store:5432/sqldraft")
        seen[name] = parsed_arguments(service["command"], monkeypatch)
    assert services["init"]["command"] == ["sqldraft", "init"] and seen["init"].handler.__name__ == "cmd_init"
    assert services["scheduler"]["command"] == ["sqldraft", "scheduler"]
    assert seen["scheduler"].handler.__name__ == "cmd_scheduler"
    assert seen["bot"].http and seen["bot"].no_scheduler  # the scheduler service refreshes, not the bot
    assert seen["mcp"].transport == "http" and not seen["mcp"].scheduler
    for name, port in (("bot", 3000), ("mcp", 8765)):
        assert seen[name].port == port and f"{port}:{port}" in services[name]["ports"]
        assert healthcheck_url(services[name]["healthcheck"]["test"]) == f"http://127.0.0.1:{port}/healthz"
    for name in ("bot", "mcp", "scheduler"):
        assert services[name]["depends_on"] == {"init": {"condition": "service_completed_successfully"}}
    assert services["init"]["depends_on"] == {"store": {"condition": "service_healthy"}}


def test_every_console_script_is_installed_in_the_environment():
    import shutil
    import sys

    bin_dir = Path(sys.executable).parent
    for script in ("sqldraft", "sqldraft-bot", "sqldraft-mcp"):
        assert script in SCRIPTS
        assert (bin_dir / script).exists() or shutil.which(script), script
