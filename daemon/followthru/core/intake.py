"""A read message -> the events it means for which contacts, and the referrals it reveals.

Invariants:
- Pure: the shell has already parsed, classified and correlated; this decides what it means.
- The user's own mail (From one of their addresses) is outbound, never a reply: an
  `OutboundSeen` for every known contact in To and Cc, and for the owner of our item when the
  Message-ID is one of ours. Mail to a stranger with a known contact in Cc reveals a referral
  (the contact in Cc is the source).
- A bounce concerns the contacts whose addresses failed, whoever sent it; a policy block
  (5.7.x, spam, DMARC) is about our message, never the address, and produces nothing.
- A reply goes to the contact who wrote it (a reply-all from a referral's source is the
  source's); a match only flagged for review (`needs_review`) produces nothing. A contact's
  mail that makes an introduction reveals a referral for each stranger it copies.
- Each event has its own key: the message's key, suffixed when one message means several
  events for one contact (`#rejected`), so that processing the mailbox twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from followthru.core.correlate import Envelope, Index, Match
from followthru.core.events import (
    AutoReplyReceived,
    BounceReceived,
    Event,
    OutboundSeen,
    OutcomeRecorded,
    ReplyReceived,
)
from followthru.core.invitations import InvitationSeen
from followthru.core.model import ContactId, Outcome, Step
from followthru.core.reading.automated import is_machine
from followthru.core.reading.classify import Classification, Kind
from followthru.core.reading.message import Address

OUTCOME_SIGNALS = {"rejection": Outcome.REJECTED, "offer": Outcome.OFFER}


@dataclass(frozen=True, slots=True)
class Delivery:
    """`event` for the contact `contact`."""

    contact: ContactId
    event: Event


@dataclass(frozen=True, slots=True)
class NewReferral:
    """A stranger the user wrote to with a known contact (the source) in Cc."""

    email: str
    name: str
    source: ContactId


@dataclass(frozen=True, slots=True)
class Ours:
    """One of our queued items, found by the Message-ID it was (or will be) sent with."""

    owner: ContactId
    step: Step


@dataclass(frozen=True, slots=True)
class Intake:
    deliveries: tuple[Delivery, ...] = ()
    reason: str = ""


def revealed(
    env: Envelope,
    match: Match | None,
    cls: Classification | None,
    index: Index,
    max_strangers: int = 5,
) -> tuple[NewReferral, ...]:
    """The strangers a message reveals as referrals, to be registered before its events are
    applied (so that its events reach them too): the user's mail to strangers with a known
    contact in Cc (that contact is the source), or a known contact's personal mail that
    introduces strangers it copies (the writer is the source). Mail to more than
    `max_strangers` strangers (a mass mailing) reveals no one."""
    found = _revealed(env, match, cls, index)
    return found if len(found) <= max_strangers else ()


def _revealed(
    env: Envelope, match: Match | None, cls: Classification | None, index: Index
) -> tuple[NewReferral, ...]:
    if match is not None and match.outbound:
        return _referrals(env, index, _known(env.cc, index))
    if cls is None or cls.kind is not Kind.PERSONAL or match is None or match.contact_id is None:
        return ()
    if match.needs_review:
        return ()
    writer = ContactId(match.contact_id)
    return _introduced(cls, env, index, writer) + _pointed_to(cls, index, writer)


def _pointed_to(cls: Classification, index: Index, writer: ContactId) -> tuple[NewReferral, ...]:
    """ "Not me, try Jane <jane@...>": Jane, a referral with the writer as her source."""
    found = cls.job.referral if cls.job is not None else None
    if found is None:
        return ()
    address = found.address.lower()
    if address in index.by_address or address in index.own_addresses:
        return ()
    return (NewReferral(address, found.name, writer),)


def outbound(env: Envelope, key: str, at: datetime, index: Index, ours: Ours | None) -> Intake:
    """The user's own message (seen in Sent, or sent by us)."""
    to = _known(env.to, index)
    cc = _known(env.cc, index)
    owner = ours.owner if ours else None
    event = OutboundSeen(
        at=at, message_id=key, to=frozenset(to), cc=frozenset(cc),
        step=ours.step if ours else None, owner=owner,
    )  # fmt: skip
    targets = dict.fromkeys([*to, *cc, *([owner] if owner else [])])
    reason = f"the user's message to {len(targets)} known contact(s)"
    return Intake(tuple(Delivery(c, event) for c in targets), reason)


def inbound(
    cls: Classification, match: Match | None, key: str, at: datetime, index: Index
) -> Intake:
    """A message someone else wrote, as classified."""
    if cls.kind is Kind.BOUNCE:
        return _bounce(cls, key, at, index)
    if match is None or match.contact_id is None:
        return Intake(reason="not about a known contact")
    if match.needs_review:
        return Intake(reason=f"only flagged for review: {match.reason}")
    contact = ContactId(match.contact_id)
    if cls.kind is Kind.AUTO_REPLY and cls.auto_reply is not None:
        info = cls.auto_reply
        event: Event = AutoReplyReceived(
            at=at, message_id=key, return_date=info.return_date, left_company=info.left_company
        )
        return Intake((Delivery(contact, event),), reason=f"auto-reply ({match.reason})")
    if cls.kind is Kind.PERSONAL:
        return _reply(cls, contact, key, at, match)
    return Intake(reason=f"{cls.kind}: nothing for the cadence")


def _reply(cls: Classification, contact: ContactId, key: str, at: datetime, match: Match) -> Intake:
    reply = ReplyReceived(at=at, message_id=key, sender=contact, reply_by=cls.reply_by)
    deliveries = [Delivery(contact, reply)]
    for signal in cls.signals:
        if signal in OUTCOME_SIGNALS:
            outcome = OutcomeRecorded(
                at=at, outcome=OUTCOME_SIGNALS[signal], message_id=f"{key}#{signal}"
            )
            deliveries.append(Delivery(contact, outcome))
    return Intake(tuple(deliveries), reason=f"a reply ({match.reason})")


def _introduced(
    cls: Classification, env: Envelope, index: Index, writer: ContactId
) -> tuple[NewReferral, ...]:
    """A contact's mail that introduces strangers it copies: each becomes a referral, the
    writer their source."""
    if "introduction" not in cls.signals:
        return ()
    strangers = [
        a for a in (*env.to, *env.cc)
        if a.addr and a.addr not in index.by_address and a.addr not in index.own_addresses
    ]  # fmt: skip
    return tuple(NewReferral(a.addr, a.name, writer) for a in strangers)


def _bounce(cls: Classification, key: str, at: datetime, index: Index) -> Intake:
    deliveries = []
    for rcpt in cls.bounce.recipients if cls.bounce else ():
        contact = index.by_address.get(rcpt.address.lower())
        if contact is None or rcpt.policy_block:
            continue
        event = BounceReceived(at=at, message_id=f"{key}#{rcpt.address.lower()}", permanent=rcpt.permanent,
                               status=rcpt.status)  # fmt: skip
        deliveries.append(Delivery(ContactId(contact.id), event))
    return Intake(tuple(deliveries), reason=f"a bounce naming {len(deliveries)} known contact(s)")


def _known(addresses: tuple[object, ...], index: Index) -> list[ContactId]:
    found = (index.by_address.get(getattr(a, "addr", "")) for a in addresses)
    return list(dict.fromkeys(ContactId(c.id) for c in found if c is not None))


def _referrals(env: Envelope, index: Index, cc: list[ContactId]) -> tuple[NewReferral, ...]:
    if not cc:
        return ()
    strangers = [
        a
        for a in env.to
        if a.addr and a.addr not in index.by_address and a.addr not in index.own_addresses
    ]
    return tuple(NewReferral(a.addr, a.name, cc[0]) for a in strangers)


def invitations(cls: Classification, keywords: tuple[str, ...], own: frozenset[str],
                zone: tzinfo, max_attendees: int = 8, *,
                skip_machines: bool = False) -> tuple[InvitationSeen, ...]:  # fmt: skip
    """The interviews an invitation announces (its summary or description names one of the
    interview keywords; `("",)` takes any), one per attendee who is not the user (nor, with
    `skip_machines`, a no-reply or ATS address: a scheduling tool's own). Floating times are
    read in the user's zone; an all-day event is no interview; nor is an event that does not
    invite the user, or that invites more than `max_attendees` people (a webinar, a forged
    mass invitation: see `crowded`)."""
    found: list[InvitationSeen] = []
    for event in cls.invitation.events if cls.invitation else ():
        text = f"{event.summary} {event.description}".lower()
        if event.all_day or not any(k in text for k in keywords):
            continue
        invited = {a.lower() for a in event.attendees if a}
        if not invited & own or len(invited) > max_attendees:
            continue
        start, end = (_local(t, zone, event.floating) for t in (event.start, event.end))
        cancelled = event.method == "CANCEL" or event.status.upper() == "CANCELLED"
        people = dict.fromkeys(a.lower() for a in event.attendees if a)
        found += [InvitationSeen(p, event.uid, event.sequence, cancelled, start, end, event.summary,
                                 event.organizer.lower())
                  for p in people
                  if p not in own and not (skip_machines and is_machine(Address(p)))]  # fmt: skip
    return tuple(found)


def crowded(cls: Classification, keywords: tuple[str, ...], max_attendees: int) -> tuple[str, ...]:
    """The interview-like events of an invitation left out for inviting too many people
    (the user is told: a real panel of more is rare)."""
    return tuple(
        event.summary
        for event in (cls.invitation.events if cls.invitation else ())
        if len({a.lower() for a in event.attendees if a}) > max_attendees
        and any(k in f"{event.summary} {event.description}".lower() for k in keywords)
    )


def _local(moment: datetime | None, zone: tzinfo, floating: bool) -> datetime | None:
    return moment.replace(tzinfo=zone) if moment is not None and floating else moment
