"""`sqldraft llm status|check`: which generator drafts, and whether the model endpoint answers as it should."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from core.cli.context import Context, add_command, add_group

if TYPE_CHECKING:
    from core.domain.llm import LlmStatus


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    llm = add_group(subparsers, "llm", "the drafting backend: which one is active, and whether it works", common)
    add_command(llm, "status", cmd_llm_status, "which generator drafts and what the LLM settings lack", common)
    add_command(
        llm, "check", cmd_llm_check, "call the endpoint's /models and one tiny completion; one line per finding", common
    )


def render_status(status: LlmStatus) -> str:
    lines = [status.summary]
    if status.generator == "llm" and status.configured:
        key = "set" if status.api_key_set else "not set"
        lines.append(
            f"api key {key}; budget {status.timeout_s:g} s per call, connect {status.connect_timeout_s:g} s, "
            f"{status.attempts} attempt(s)"
        )
    return "\n".join(lines)


def cmd_llm_status(ctx: Context) -> int:
    status = ctx.copilot.llm_status()
    ctx.emit(status.to_dict(), lambda: render_status(status))
    return 0 if status.configured or status.generator == "offline" else 2


def cmd_llm_check(ctx: Context) -> int:
    check = ctx.copilot.llm_check()
    ctx.emit(check.to_dict(), lambda: "\n".join(line.text for line in check.lines))
    return 0 if check.ok else 2
