"""A queued item -> the letter it becomes: its context from the store, rendered as a message.

Invariants:
- Recipients come from the outbox row (written from the store's contacts), never from the
  headers of a message that was read.
- A task (phone message, closing checklist) is a note to self: From and To are the user.
- The Message-ID is fixed here, on the user's domain, and stored with the exact bytes before
  the draft is written anywhere (SPEC invariant 5).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr

from followthru.adapters.compose import compose, make_message_id
from followthru.adapters.store.outbox import OutboxRow
from followthru.adapters.templates import InterviewFacts, LetterContext, Person, Renderer, day_text
from followthru.core.events import OutboundSeen
from followthru.core.model import REFERRAL_STEPS, SOURCE_NOTES, TASKS, Contact, ContactId
from followthru.service.contacts import Service


@dataclass(frozen=True, slots=True)
class Draft:
    subject: str
    message_id: str
    raw: bytes
    digest: str


def build_draft(service: Service, renderer: Renderer, item: OutboxRow, now: datetime,
                message_id: str | None = None) -> Draft:  # fmt: skip
    """Render `item` as a complete message, ready to store and to put in Drafts (with a new
    Message-ID, or `message_id` when it is rendered again)."""
    me, to, cc, parent = _addressing(service, item)
    message_id = message_id or make_message_id(
        service.config.identity.email.rpartition("@")[2], now
    )
    msg = renderer.render(item.step, letter_context(service, item, me), from_addr=me, to=to, cc=cc,
                          message_id=message_id, date=now, in_reply_to=parent,
                          references=(parent,) if parent else ())  # fmt: skip
    return _draft(msg, message_id)


def rewrite(service: Service, item: OutboxRow, subject: str, body: str, now: datetime) -> Draft:
    """The user's edited text as the item's message: same recipients (from the store), same
    Message-ID and thread; every header value checked again (raises DraftError)."""
    me, to, cc, parent = _addressing(service, item)
    domain = service.config.identity.email.rpartition("@")[2]
    message_id = item.message_id or make_message_id(domain, now)
    msg = compose(subject, body, from_addr=me, to=to, cc=cc, message_id=message_id, date=now,
                  in_reply_to=parent, references=(parent,) if parent else ())  # fmt: skip
    return _draft(msg, message_id)


def _addressing(
    service: Service, item: OutboxRow
) -> tuple[Person, list[Person], list[Person], str | None]:
    """From, To, Cc and the parent message: a task is a note to self, outside any thread."""
    identity = service.config.identity
    me = Person.of(identity.name, identity.email)
    if item.step in TASKS:
        return me, [me], [], None
    to = [_person(service, address) for address in item.to]
    cc = [_person(service, address) for address in item.cc]
    return me, to, cc, item.follows


def letter_context(service: Service, item: OutboxRow, me: Person) -> LetterContext:
    owner = service.replay(item.contact_id)
    subject = _thread_subject(service, item)
    if item.step in SOURCE_NOTES:
        return LetterContext(me, _person(service, item.to[0]), referral=_contact_person(service, owner, item.contact_id),
                             what_was_tried=_tried(service, item.contact_id), thread_subject=subject)  # fmt: skip
    person = _contact_person(service, owner, item.contact_id)
    if item.step in REFERRAL_STEPS:
        source = (
            _person(service, service.store.contacts.email_of(owner.source))
            if owner.source
            else None
        )
        return LetterContext(me, person, source=source, thread_subject=subject)
    return LetterContext(me, person, interview=_interview(service, owner), thread_subject=subject)


def _draft(msg: EmailMessage, message_id: str) -> Draft:
    raw = msg.as_bytes()
    return Draft(str(msg["Subject"]), message_id, raw, hashlib.sha256(raw).hexdigest())


def _person(service: Service, address: str) -> Person:
    row = service.store.contacts.find(address)
    if row is None:
        name, email = parseaddr(address)
        return Person.of(name, email or address)
    return Person.of(row.name or "", row.email, company=row.company or None,
                     notes=tuple(service.store.contacts.notes_of(row.id)))  # fmt: skip


def _contact_person(service: Service, contact: Contact, contact_id: ContactId) -> Person:
    role = contact.interview.role if contact.interview and contact.interview.role else None
    company = contact.company or (contact.interview.company if contact.interview else "") or None
    notes = tuple(service.store.contacts.notes_of(contact_id))
    return Person.of(contact.name, contact.email, company=company, role=role, notes=notes)


def _interview(service: Service, contact: Contact) -> InterviewFacts | None:
    interview = contact.interview
    if interview is None:
        return None
    tz = service.config.identity.timezone
    start, end = interview.start.astimezone(tz), interview.end.astimezone(tz)
    notes = tuple(line.strip() for line in interview.notes.splitlines() if line.strip())
    return InterviewFacts(day_text(start.date()), start, end, interview.role or None, interview.company or None,
                     notes, interview.reply_by)  # fmt: skip


def _tried(service: Service, contact_id: ContactId) -> tuple[str, ...]:
    """What was tried to reach a referral, for the note that tells the source."""
    tz = service.config.identity.timezone
    tried = []
    for event in service.store.events.of(contact_id):
        if isinstance(event, OutboundSeen):
            tried.append(f"an email on {day_text(event.at.astimezone(tz).date())}")
    return tuple(tried) or ("an email",)


def _thread_subject(service: Service, item: OutboxRow) -> str | None:
    if not item.follows:
        return None
    return service.store.outbox.subject_of(item.follows)
