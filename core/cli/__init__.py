"""The `sqldraft` command line, an adapter: parse the arguments, call one Copilot operation, render.

``main`` is the console entry point (``core.cli:main``); nothing else in sqldraft imports this package.
"""

from core.cli.app import build_parser, main

__all__ = ["build_parser", "main"]
