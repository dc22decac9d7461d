"""The one place that wires sqldraft together from settings."""

from __future__ import annotations

from typing import Any

from core.crypto import Cipher
from core.service import Copilot
from core.settings import Settings
from core.store import Store


def build_copilot(settings: Settings | None = None, *, ensure_store: bool = True) -> Copilot:
    """A Copilot over the configured store; creates an empty store on first use.

    Raises:
        ConfigurationError: bad store URL or secret key.
        StoreVersionError: the store needs `sqldraft init`, or is newer than this sqldraft.
    """
    settings = settings or Settings()
    cipher = Cipher(settings.secret_key)
    store = Store(settings.effective_store_url())
    if ensure_store:
        store.ensure_ready()
    copilot = Copilot(settings, store, cipher)
    if ensure_store:
        copilot.recover_interrupted_drafts()
    return copilot


def init_store(settings: Settings) -> dict[str, Any]:
    """Create or upgrade the metadata store (``sqldraft init``); a malformed key is refused first.

    Returns the store's display URL and its Alembic revision before and after.
    """
    Cipher(settings.secret_key)  # a malformed key is reported before anything else changes
    store = Store(settings.effective_store_url())
    try:
        before, after = store.upgrade()
    finally:
        store.dispose()
    return {"store": store.display_url(), "revision_before": before, "revision": after}
