"""The state store: the only place that speaks SQL (one SQLite file, one connection).

`Store` is its one face: a table family each (`contacts`, `events`, `outbox`, `mail`), each a
module of this package, plus the transaction and the single-daemon lock (db.py).
"""

from followthru.adapters.store.contacts import ContactRow
from followthru.adapters.store.db import Store
from followthru.adapters.store.events import EventRow
from followthru.adapters.store.mail import Watermark
from followthru.adapters.store.outbox import NewItem, OutboxRow

__all__ = ["ContactRow", "EventRow", "NewItem", "OutboxRow", "Store", "Watermark"]
