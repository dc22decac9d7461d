"""How long each Slack listener and each MCP tool is: body lines per function, read from the syntax tree.

What counts:

- an MCP tool: a function decorated with ``@<server>.tool(...)`` (``@<server>.resource(...)`` is
  listed too, as a resource);
- a Slack listener: every function and method defined in a module under ``bot/listeners/``, whether
  Bolt calls it directly (``app.command(...)(fn)``, ``@app.error``, ...) or the listener it registers
  calls it (the subcommands of ``/sqldraft``, a listener class's helpers). Registered ones are marked.

Body lines are the physical lines from the first statement after the docstring to the end of the
last, without blank and comment-only lines; the signature, decorators and docstring are not counted
(a tool's docstring is its description for the model).

    python tools/handler_lengths.py                # the working tree
    python tools/handler_lengths.py --rev HEAD     # a commit, read with git show
    python tools/handler_lengths.py --check 15     # exit 1 if any counted function is longer
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOTS = ("bot", "mcp_server")
LISTENER_PACKAGE = "bot/listeners/"
BOLT_KINDS = {"command", "action", "view", "error", "event", "shortcut", "message", "options", "use"}
BOLT_DIRECT = {"error", "use", "middleware"}
"""Registered by one call: ``app.error(fn)`` (the others take their id first: ``app.action(ID)(fn)``)."""
MCP_KINDS = {"tool": "mcp tool", "resource": "mcp resource"}


@dataclass(frozen=True, slots=True)
class Handler:
    kind: str
    where: str
    body: int
    registered: bool


def read_sources(repo: Path, rev: str | None) -> dict[str, str]:
    """Path -> source of every .py file under the adapter roots, from the work tree or a commit."""
    if rev is None:
        return {
            str(p.relative_to(repo)): p.read_text(encoding="utf-8")
            for root in ROOTS
            for p in sorted((repo / root).rglob("*.py"))
        }
    listing = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "--name-only", rev, "--", *ROOTS],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return {
        path: subprocess.run(
            ["git", "-C", str(repo), "show", f"{rev}:{path}"], check=True, capture_output=True, text=True
        ).stdout
        for path in listing
        if path.endswith(".py")
    }


def body_lines(fn: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> int:
    body = fn.body
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        body = body[1:]
    if not body:
        return 0
    start, end = body[0].lineno, body[-1].end_lineno or body[-1].lineno
    return sum(1 for line in lines[start - 1 : end] if line.strip() and not line.strip().startswith("#"))


def _decorator_kind(decorator: ast.expr) -> str | None:
    """``server.tool(...)`` -> "tool", ``app.error`` -> "error"; anything else None."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return target.attr if isinstance(target, ast.Attribute) else None


def _functions(tree: ast.AST) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method with its qualified name (``Class.method``, ``outer.<locals>.inner``)."""

    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                yield name, child
                yield from walk(child, f"{name}.<locals>.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)

    yield from walk(tree, "")


def _registered_names(tree: ast.AST) -> set[str]:
    """Names (functions, or ``Class.method``) that a module hands to Bolt: ``app.view(X)(target)``."""
    names: set[str] = set()
    classes_of: dict[str, str] = {}  # local variable -> class it holds (``handlers = ReviewActions(deps)``)
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    classes_of[target.id] = node.value.func.id
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        curried = isinstance(node.func, ast.Call) and _decorator_kind(node.func) in BOLT_KINDS
        direct = isinstance(node.func, ast.Attribute) and node.func.attr in BOLT_DIRECT
        if curried or direct:
            names |= _target_names(node.args[0], classes_of)
    for _, fn in _functions(tree):
        if any(_decorator_kind(d) in BOLT_KINDS for d in fn.decorator_list):
            names.add(fn.name)
    return names


def _target_names(target: ast.expr, classes_of: dict[str, str]) -> set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Attribute):
        owner = target.value
        if isinstance(owner, ast.Name):
            return {f"{classes_of.get(owner.id, owner.id)}.{target.attr}"}
        if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name):
            return {f"{owner.func.id}.{target.attr}"}
    if isinstance(target, ast.Call) and target.args:  # functools.partial(fn, ...)
        return _target_names(target.args[0], classes_of)
    if isinstance(target, ast.Lambda) and isinstance(target.body, ast.Call):
        return _target_names(target.body.func, classes_of)
    return set()


def measure(sources: dict[str, str]) -> list[Handler]:
    trees = {path: ast.parse(text, filename=path) for path, text in sources.items()}
    registered: set[str] = set()  # bare names and Class.method, across the listener package
    for path, tree in trees.items():
        if path.startswith("bot/"):
            registered |= _registered_names(tree)
    found: list[Handler] = []
    for path, tree in sorted(trees.items()):
        lines = sources[path].splitlines()
        module = path.removesuffix(".py").replace("/", ".")
        for qualname, fn in _functions(tree):
            kinds = [MCP_KINDS[k] for d in fn.decorator_list if (k := _decorator_kind(d)) in MCP_KINDS]
            if kinds:
                found.append(Handler(kinds[0], f"{module}:{fn.name}", body_lines(fn, lines), True))
            elif path.startswith(LISTENER_PACKAGE):
                decorated = any(_decorator_kind(d) in BOLT_KINDS for d in fn.decorator_list)
                if ".<locals>." in qualname and not decorated:
                    continue
                is_registered = decorated or qualname in registered or fn.name in registered
                found.append(Handler("slack listener", f"{module}:{qualname}", body_lines(fn, lines), is_registered))
    return found


def table(handlers: list[Handler], limit: int) -> str:
    rows = ["| kind | function | body lines | registered |", "|---|---|---:|---|"]
    for h in sorted(handlers, key=lambda h: (h.kind, -h.body, h.where)):
        flag = " **over**" if h.body > limit else ""
        rows.append(f"| {h.kind} | `{h.where}` | {h.body}{flag} | {'yes' if h.registered else ''} |")
    for kind in sorted({h.kind for h in handlers}):
        of_kind = [h for h in handlers if h.kind == kind]
        over = sum(1 for h in of_kind if h.body > limit)
        rows.append(
            f"\n{kind}: {len(of_kind)} functions, longest {max(h.body for h in of_kind)} body lines, "
            f"{over} over {limit}"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", help="measure this commit instead of the work tree")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--check", type=int, metavar="N", help="exit 1 if a tool or listener has more than N lines")
    parser.add_argument("--limit", type=int, default=15, help="mark functions longer than this (default 15)")
    args = parser.parse_args(argv)
    limit = args.check if args.check is not None else args.limit
    handlers = measure(read_sources(args.repo, args.rev))
    print(table(handlers, limit))
    over = [h for h in handlers if h.body > limit and h.kind != "mcp resource"]
    return 1 if args.check is not None and over else 0


if __name__ == "__main__":
    sys.exit(main())
