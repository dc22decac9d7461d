"""sqldraft's shared core: schema snapshots, drafting, validation and review."""

__version__ = "0.1.0"
