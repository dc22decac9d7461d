"""Project-level rules: every setting documented, core independent of its adapters."""

import ast
from pathlib import Path

from core.settings import env_names

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented_in_env_example_and_docs():
    example = (ROOT / ".env.example").read_text()
    docs = (ROOT / "docs" / "configuration.md").read_text()
    missing = []
    for _field, names in env_names().items():
        canonical = names.split(", ")[0]
        if canonical not in example:
            missing.append(f"{canonical} (.env.example)")
        if canonical not in docs:
            missing.append(f"{canonical} (docs/configuration.md)")
    assert not missing, f"undocumented settings: {missing}"


def test_core_imports_neither_adapter():
    forbidden = ("bot", "mcp_server", "slack_bolt", "slack_sdk", "mcp")
    offenders = []
    for path in (ROOT / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in forbidden]
    assert not offenders, offenders


def test_the_readme_test_command_is_the_one_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && .venv/bin/python -m pytest"
    assert command in readme and command in ci


def test_generated_docs_are_current():
    from core.docgen import stale

    assert stale(ROOT / "docs") == [], "run `python -m core.docgen` to regenerate"
