"""Regenerate the generated parts of docs/ (``python -m core.docgen``); tests fail when they are stale."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from core.settings import settings_markdown
from core.validation.rules import rules_markdown

BEGIN = "<!-- generated:{name} -->"
END = "<!-- /generated:{name} -->"

SECTIONS: dict[str, tuple[str, Callable[[], str]]] = {
    "settings": ("configuration.md", settings_markdown),
    "rules": ("rules.md", rules_markdown),
}


def render(text: str, name: str, body: str) -> str:
    pattern = re.compile(re.escape(BEGIN.format(name=name)) + r".*?" + re.escape(END.format(name=name)), re.S)
    replacement = f"{BEGIN.format(name=name)}\n{body}{END.format(name=name)}"
    if not pattern.search(text):
        raise ValueError(f"markers for {name!r} not found")
    return pattern.sub(lambda _: replacement, text)


def stale(docs: Path) -> list[str]:
    """Names of generated sections whose file differs from what the code generates."""
    out = []
    for name, (filename, build) in SECTIONS.items():
        text = (docs / filename).read_text(encoding="utf-8")
        if render(text, name, build()) != text:
            out.append(f"{filename} ({name})")
    return out


def main() -> int:
    docs = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs")
    for name, (filename, build) in SECTIONS.items():
        path = docs / filename
        path.write_text(render(path.read_text(encoding="utf-8"), name, build()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
