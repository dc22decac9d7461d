"""The one place that wires sqldraft together from settings."""

from __future__ import annotations

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
