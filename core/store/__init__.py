"""The metadata store: SQLAlchemy models, migrations, the unit of work."""

from core.store.db import Clock, Store, UnitOfWork, UowFactory

__all__ = ["Clock", "Store", "UnitOfWork", "UowFactory"]
