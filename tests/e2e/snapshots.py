"""A check every end-to-end test runs when it ends: the snapshot kept for each contact is
exactly what replaying its event log gives (what `contacts` and `plan` read is the truth)."""

from __future__ import annotations

from pathlib import Path

from followthru.adapters.store import Store
from followthru.config import load_config
from followthru.service.contacts import Service


def assert_snapshots_are_replays(config: Path) -> int:
    """Compare every contact's snapshot with its replay; returns how many were compared."""
    cfg = load_config(config)
    if not cfg.store_path.exists():
        return 0
    with Store.open(cfg.store_path) as store:
        service = Service(store, cfg)
        compared = 0
        for contact_id, snapshot in store.contacts.snapshots():
            assert snapshot is not None, f"contact {contact_id} has no snapshot"
            assert snapshot == service.replay(contact_id), f"contact {contact_id}"
            compared += 1
        return compared
