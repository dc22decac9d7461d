"""Run the `sqldraft` command line in-process and capture what it prints."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

from core.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(*argv: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return Result(code, out.getvalue(), err.getvalue())
