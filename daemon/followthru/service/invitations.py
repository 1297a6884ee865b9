"""Calendar invitations applied to the attendees' interviews, when their sender may.

Invariants:
- The core decides (core/invitations.py): what the invitation means, and whether its sender
  has standing to change an interview already registered. This module gathers what the rule
  reads (the attendee, the sender's record, the organizer of the first registration) and
  carries the answer out.
- A refused change changes nothing but a notice (`interview_move_refused`) and a log line; its
  SEQUENCE is not remembered (a forged high one must not shut out the organizer's update).
- The organizer is remembered with the invitation that first registers the contact's interview.
"""

from __future__ import annotations

import logging
from datetime import datetime

from followthru.core.effects import Decision, NoticeKind
from followthru.core.events import InterviewRegistered
from followthru.core.invitations import (
    InvitationSeen,
    MoveRefused,
    Standing,
    invitation_event,
    of_process,
)
from followthru.core.model import Contact
from followthru.service.contacts import Service

log = logging.getLogger(__name__)


def from_invitation(service: Service, seen: InvitationSeen, key: str, at: datetime,
                    now: datetime, *, sender: str = "", from_user: bool = False) -> Decision | None:  # fmt: skip
    """An interview announced, moved or cancelled by a calendar invitation from `sender`
    (None: nothing applied, or the change refused and the user told)."""
    store = service.store
    contact_id = service.find_or_add(seen.email, now)
    known = store.contacts.invitation_sequence(contact_id, seen.uid)
    attendee = service.replay(contact_id)
    standing = _standing(service, attendee, sender.lower(), from_user)
    event = invitation_event(seen, key, at, known, attendee.interview, standing)
    if isinstance(event, MoveRefused):
        with store.transaction():
            store.notices.add(NoticeKind.INTERVIEW_MOVE_REFUSED, event.text, now,
                              contact_id=contact_id)  # fmt: skip
        log.warning("interview_move_refused contact=%s sender=%s uid=%s", contact_id,
                    event.sender, seen.uid)  # fmt: skip
        return None
    if event is None:
        return None
    new = event.interview if isinstance(event, InterviewRegistered) else None
    with store.transaction():
        store.contacts.set_invitation_sequence(contact_id, seen.uid, seen.sequence)
        if attendee.interview is None:
            store.contacts.set_invitation_organizer(contact_id, seen.organizer)
        decision = service.apply(contact_id, event, now)
        if new is not None and attendee.interview is None and not decision.ignored:
            when = new.start.astimezone(service.policy.timezone)
            text = (f"An interview with {seen.email} on {when:%a %d %b, %H:%M} was created "
                    "from a calendar invitation; its thank-you is drafted.")  # fmt: skip
            store.notices.add(NoticeKind.INTERVIEW_FROM_INVITATION, text, now,
                              contact_id=contact_id)  # fmt: skip
        return decision


def _standing(service: Service, attendee: Contact, sender: str, from_user: bool) -> Standing:
    """What the store knows of the sender, for the core's rule."""
    row = service.store.contacts.find(sender) if sender else None
    peer = service.replay(row.id) if row is not None else None
    organizer = service.store.contacts.invitation_organizer(attendee.id)
    return Standing(sender, organizer, from_user, of_process(peer, attendee))
