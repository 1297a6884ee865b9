"""The state store: the only place that speaks SQL (one SQLite file, one connection)."""

from followthru.adapters.store.db import EventRow, Store, Watermark

__all__ = ["EventRow", "Store", "Watermark"]
