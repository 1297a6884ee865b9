"""Which message in the user's Drafts folder is which queued item: pure matching.

IMAP messages are immutable: a client that "edits" a draft APPENDs a new message and deletes
the old one, and clients differ in what they keep (SPEC "Drafts survive real mail clients"):
Thunderbird and mutt keep the Message-ID; Gmail, Apple Mail and many webmails give every saved
version a new one but keep the thread (In-Reply-To, References) and the recipients; Outlook
drops unknown headers and re-encodes the body; autosave leaves several versions for a while;
the user may change the recipients or the subject.

Rules, in order, each message going to at most one item:
1. its Message-ID is one the item's draft has had (ours, or a version adopted before);
2. it answers the thread the item follows (In-Reply-To or References) and shares a
   recipient with it;
3. it appeared after the item's draft (a higher UID) with the same recipients (the subject
   decides between items with the same recipients), or with the item's subject (the user
   changed the recipients: one item only may have that subject).
A message that matches no item is not ours and is never touched. Several versions of one
item: the newest (highest UID) counts; the others are older versions of the same draft.

Invariant: an item that any message matches is present: an edit is never a deletion.

A note to self whose draft is gone is done when the user sent it to themselves: Sent has its
Message-ID, or (a client that gives a sent message a new one) `sent_note` finds it by what
survives: From and To the user, its subject, sent after it was written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

_PREFIX = re.compile(r"^\s*(?:(?:re|aw|antw|sv|fw|fwd|wg|tr)\s*:\s*)+", re.I)
PLACEHOLDER_MARK = "[[ADD:"
"""Things only the user can write are marked `[[ADD: ...]]` in the letters."""
_PLACEHOLDER = re.compile(r"\[\[ADD:(.*?)(?:\]\]|$)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class InDrafts:
    """A message in the Drafts folder, as its headers say."""

    uid: int
    message_id: str
    thread: frozenset[str]  # In-Reply-To and References
    to: frozenset[str]  # lowercased addresses
    cc: frozenset[str]
    subject: str
    flagged: bool


@dataclass(frozen=True, slots=True)
class OurDraft:
    """A queued item whose draft is (or was) in Drafts."""

    item_id: int
    message_ids: frozenset[str]  # every Message-ID its draft has had
    follows: str | None
    to: frozenset[str]
    cc: frozenset[str]
    subject: str
    uid: int | None  # the draft's UID when we last saw it


@dataclass(frozen=True, slots=True)
class Versions:
    """An item's versions in Drafts, oldest first; `newest` is the one that counts."""

    item_id: int
    found: tuple[InDrafts, ...]
    reason: str

    @property
    def newest(self) -> InDrafts:
        return self.found[-1]

    @property
    def uids(self) -> tuple[int, ...]:
        return tuple(m.uid for m in self.found)


def versions(items: Sequence[OurDraft], drafts: Sequence[InDrafts]) -> dict[int, Versions]:
    """Item id -> its versions in Drafts (items with none are left out: gone from Drafts).

    `items` must hold every item with a draft, open or closed: a message that carries one
    item's Message-ID is that item's, and is never taken by another's looser rules."""
    found: dict[int, list[InDrafts]] = {}
    why: dict[int, str] = {}
    by_id = {mid: item for item in items for mid in item.message_ids}  # rule 1, asked most
    for message in sorted(drafts, key=lambda m: m.uid):
        known = by_id.get(message.message_id) if message.message_id else None
        owner = (known, "the same Message-ID") if known is not None else _owner(message, items)
        if owner is not None:
            found.setdefault(owner[0].item_id, []).append(message)
            why.setdefault(owner[0].item_id, owner[1])
    return {i: Versions(i, tuple(ms), why[i]) for i, ms in found.items()}


def _owner(message: InDrafts, items: Sequence[OurDraft]) -> tuple[OurDraft, str] | None:
    """Rules 2 and 3, for a message whose Message-ID no item has had."""
    if not message.message_id:
        return None  # a message without any identity is nobody's version
    for item in items:
        if item.follows and item.follows in message.thread and _shares(message, item):
            return item, "a reply in the item's thread, to the same people"
    newer = [item for item in items if _newer(message, item)]
    same = [item for item in newer if message.to == item.to]
    if len(same) == 1:
        return same[0], "saved after the item's draft, to the same people"
    subject = _plain(message.subject)
    titled = [item for item in same or newer if _plain(item.subject) == subject]
    if len(titled) == 1:
        return titled[0], "saved after the item's draft, with its subject"
    return None


def _shares(message: InDrafts, item: OurDraft) -> bool:
    return bool((message.to | message.cc) & (item.to | item.cc))


def _newer(message: InDrafts, item: OurDraft) -> bool:
    return item.uid is not None and message.uid > item.uid


def _plain(subject: str) -> str:
    return " ".join(_PREFIX.sub("", subject).split()).lower()


def colleagues(recipients: tuple[str, ...], email: str, domain: str,
               free_mail: frozenset[str]) -> tuple[str, ...]:  # fmt: skip
    """The recipients the user put in place of a contact who are colleagues of theirs: at the
    contact's company domain (never a free-mail one), not the contact's own address."""
    own = domain or email.rpartition("@")[2]
    if not own or own in free_mail:
        return ()
    return tuple(
        a for a in dict.fromkeys(r.lower() for r in recipients)
        if a != email and a.rpartition("@")[2] == own
    )  # fmt: skip


def placeholders(text: str) -> tuple[str, ...]:
    """The `[[ADD: ...]]` placeholders left in `text` (an unclosed one counts too)."""
    return tuple(" ".join(m.group(1).split()) for m in _PLACEHOLDER.finditer(text))


@dataclass(frozen=True, slots=True)
class Written:
    """What the user left in Drafts, as read from it: what a send depends on."""

    text: str
    sender: tuple[str, ...]  # From, lowercased
    to: tuple[str, ...]
    cc: tuple[str, ...]
    bcc: bool  # a Bcc header is there


def refusal(written: Written, own: frozenset[str]) -> str | None:
    """Why followthru must not send this version (None: it may), said for the user."""
    if left := placeholders(written.text):
        return f"it still has {len(left)} [[ADD: ...]] placeholder(s) to fill in"
    if not written.to:
        return "it has no recipient in To"
    if not set(written.sender) <= own or not written.sender:
        return "its From is not one of your addresses"
    if written.bcc:
        return "it has a Bcc, which followthru does not send: send it from your mail client"
    if any(not _ADDRESS.fullmatch(a) for a in (*written.to, *written.cc)):
        return "a recipient is not a valid address"
    return None


_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")


@dataclass(frozen=True, slots=True)
class InSent:
    """A message in the Sent folder, as its headers say (addresses lowercased)."""

    uid: int
    message_id: str
    sender: frozenset[str]
    to: frozenset[str]
    cc: frozenset[str]
    subject: str
    date: datetime | None


def sent_note(subject: str, written_at: datetime, own: frozenset[str],
              sent: Sequence[InSent]) -> InSent | None:  # fmt: skip
    """The user's note to self as sent from a client that gave it a new Message-ID (Gmail's
    web client does): From the user, to the user and no one else, with the note's subject
    (reply prefixes aside), sent after the note was written. The newest such; None when
    there is none (then the note was deleted, not sent)."""
    wanted = _plain(subject)
    found = [
        m for m in sent
        if m.sender and m.sender <= own and m.to and (m.to | m.cc) <= own
        and _plain(m.subject) == wanted and m.date is not None and m.date >= written_at
    ]  # fmt: skip
    return max(found, key=lambda m: m.uid, default=None)
