"""The metadata store: SQLAlchemy models, migrations, the unit of work."""

from core.store.db import Store, UnitOfWork

__all__ = ["Store", "UnitOfWork"]
