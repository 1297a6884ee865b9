"""`followthru notices [--all] [--json]`: what the user has been told or should know.

Unread notices by default, newest first; `--all` includes those already read. Listing them
does not mark them read (the digest does, once it has shown them).
"""

from __future__ import annotations

import json
from typing import Any

from followthru.adapters.store.notices import Notice
from followthru.service.contacts import Service


def notices(service: Service, *, show_all: bool, as_json: bool) -> int:
    found = service.store.notices.listed(unread_only=not show_all)
    emails = service.store.contacts.emails()
    rows = [_json(n, emails.get(n.contact_id) if n.contact_id else None, service) for n in found]
    if as_json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        when = row["at"][:16].replace("T", " ")
        print(f"{when}  {row['kind']:<18} {row['text']}")
    if not rows:
        print(
            "nothing to tell"
            + ("" if show_all else " (`followthru notices --all` shows the read ones)")
        )
    return 0


def _json(notice: Notice, email: str | None, service: Service) -> dict[str, Any]:
    return {
        "id": notice.id,
        "at": notice.at.astimezone(service.config.identity.timezone).isoformat(),
        "kind": notice.kind,
        "contact": email,
        "item": notice.item_id,
        "text": notice.text,
        "read": notice.read,
    }
