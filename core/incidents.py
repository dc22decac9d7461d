"""Incident ids: an unexpected error is logged with its traceback under an id the user can quote."""

from __future__ import annotations

import logging
import secrets


def report_incident(log: logging.Logger, exc: BaseException, context: str) -> str:
    """Log ``exc`` with its traceback and return a short incident id to show instead."""
    incident = secrets.token_hex(4)
    log.error("incident %s during %s: %s", incident, context, type(exc).__name__, exc_info=exc)
    return incident
