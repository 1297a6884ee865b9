"""What the user did with our drafts in their mail client: edited, flagged, deleted.

Each round the Drafts folder's headers are read and core/drafts.py says which message is
which item's version. The newest version is what the user left: its bytes, Message-ID and
recipients are adopted into the store (before anything is sent: SPEC invariant 5), so that
approval by flag or by `approve`, `edit` and the sender all work from it.

Invariants:
- An item some version matches is present: an edit is never taken for a deletion.
- Only versions of our drafts are ever changed (unflagged, removed); other mail never.
- A flagged version that must not go out is unflagged and the user gets a notice saying why.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from followthru.adapters.headerparse import HeaderView
from followthru.adapters.mime import parse_message
from followthru.adapters.store import OutboxRow
from followthru.core.drafts import InDrafts, OurDraft, Versions, Written, refusal, versions
from followthru.core.effects import NoticeKind
from followthru.errors import MessageRejected
from followthru.service.contacts import Service
from followthru.service.ports import Mailbox

log = logging.getLogger(__name__)
MAX_DRAFT = 25 * 1024 * 1024  # what most providers accept at most: bigger versions are not adopted


@dataclass(frozen=True, slots=True)
class Adopted:
    """The user's version as stored: what `refusal` says of it (None: it may go out).
    `stored`: the version was the stored one already (its refusal is read when needed)."""

    item_id: int
    refused: str | None
    stored: bool = False


async def read_drafts(box: Mailbox, folder: str) -> list[InDrafts]:
    """Every message in `folder`, as the matching reads it (headers only)."""
    await box.select(folder)
    found = []
    async for record in box.fetch_headers(await box.uids_after(0)):
        env = HeaderView(record.header)
        found.append(
            InDrafts(
                uid=record.uid,
                message_id=env.message_id,
                thread=frozenset((*env.in_reply_to, *env.references)),
                to=frozenset(a.addr for a in env.to if a.addr),
                cc=frozenset(a.addr for a in env.cc if a.addr),
                subject=env.subject,
                flagged="\\Flagged" in record.flags,
            )
        )
    return found


def ours(item: OutboxRow) -> OurDraft:
    """An item as the matching sees it."""
    ids = frozenset({*item.draft_ids, *([item.message_id] if item.message_id else [])})
    return OurDraft(item.id, ids, item.follows, frozenset(a.lower() for a in item.to),
                    frozenset(a.lower() for a in item.cc), item.subject or "", item.draft_uid)  # fmt: skip


def match(items: list[OutboxRow], drafts: list[InDrafts]) -> dict[int, Versions]:
    return versions([ours(item) for item in items if item.draft_uid is not None], drafts)


async def adopt(service: Service, box: Mailbox, folder: str, item: OutboxRow, found: Versions,
                now: datetime) -> Adopted:  # fmt: skip
    """Store the newest version as the item's message, unless it is already the stored one."""
    newest = found.newest
    if newest.uid == item.draft_uid and newest.message_id == item.message_id:
        return Adopted(item.id, None, stored=True)  # nothing new: read it only if flagged
    await box.select(folder)
    raw = (await box.fetch_messages([newest.uid], MAX_DRAFT + 1)).get(newest.uid)
    if raw is None:
        return Adopted(item.id, "its newest version could not be read from Drafts")
    if len(raw) > MAX_DRAFT:  # never store (and so never send) a cut-off message
        return Adopted(item.id, "it is over 25 MB, more than mail servers take: make it smaller")
    raw = _crlf(raw)
    written = _written(raw)
    if written is None:
        return Adopted(item.id, "its newest version cannot be read as an email")
    store = service.store
    with store.transaction():
        store.outbox.set_rendered(item.id, HeaderView(raw).subject, newest.message_id or "",
                                  raw, hashlib.sha256(raw).hexdigest(), now)  # fmt: skip
        store.outbox.set_recipients(item.id, list(written.to), list(written.cc), now)
        store.outbox.set_draft(item.id, folder, None, newest.uid, now)
        if set(written.to) != {a.lower() for a in item.to}:
            text = (f"Your {item.step} now goes to {', '.join(written.to)} (it was to "
                    f"{', '.join(item.to)}): it counts as the try for the contact it was meant for.")  # fmt: skip
            store.notices.add(NoticeKind.RECIPIENT_CHANGED, text, now, contact_id=item.contact_id,
                              item_id=item.id)  # fmt: skip
    log.info("draft_adopted item=%d uid=%d message_id=%s how=%r", item.id, newest.uid,
             newest.message_id, found.reason)  # fmt: skip
    return Adopted(item.id, refusal(written, service.config.identity.addresses))


def refused(service: Service, raw: bytes | None) -> str | None:
    """Why the stored message must not go out (None: it may)."""
    written = _written(raw) if raw is not None else None
    if written is None:
        return "it has no message to send"
    return refusal(written, service.config.identity.addresses)


def _written(raw: bytes) -> Written | None:
    try:
        msg = parse_message(raw)
    except MessageRejected:
        return None
    return Written(
        text=msg.text,
        sender=tuple(a.addr for a in msg.from_ if a.addr),
        to=tuple(a.addr for a in msg.to if a.addr),
        cc=tuple(a.addr for a in msg.cc if a.addr),
        bcc=bool(msg.headers.get("bcc")),
    )


def _crlf(raw: bytes) -> bytes:
    """What is sent has CRLF line ends only (the SMTP adapter insists)."""
    lf = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return (
        lf.replace(b"\n", b"\r\n") if lf.endswith(b"\n") else lf.replace(b"\n", b"\r\n") + b"\r\n"
    )
