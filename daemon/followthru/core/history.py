"""The bookkeeping every flow shares: record messages and tries, queue and settle items.

Invariants:
- `last_outreach_at` and `last_reply_at` only move forward.
- A try made or skipped moves `next_try` on by one; only a try made counts in
  `tries_used`, which a human reply resets (SPEC invariant 2).
- A step in `Contact.once` is never queued again (source notes, the referral thank-you).
- Every item taken out of `pending` by the core (not by the user) yields a
  `WithdrawPending`; every moved due time yields a `Reschedule`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from followthru.core.effects import Decision, Effect, QueueStep, Reschedule, WithdrawPending
from followthru.core.events import OutboundSeen, ReplyReceived
from followthru.core.model import (
    CADENCE,
    SOURCE_NOTES,
    TRIES,
    Contact,
    ContactId,
    Pending,
    Policy,
    Step,
    replace,
    step_kind,
)
from followthru.core.schedule import hold

Change = tuple[Contact, tuple[Effect, ...]]
ONCE_ONLY = SOURCE_NOTES | {Step.REFERRAL_THANK_YOU}
NOT_NOTES = frozenset(Step) - SOURCE_NOTES
"""Every step but the notes to a source (those stay owed to the source)."""


def ignore(contact: Contact, reason: str) -> Decision:
    """Nothing changes."""
    return Decision(contact, (), reason, ignored=True)


def _later(old: datetime | None, new: datetime) -> datetime:
    return new if old is None else max(old, new)


def record_outbound(contact: Contact, event: OutboundSeen) -> Contact:
    """A message the user sent to them (To or Cc): it counts for the min gap, and unless
    it went out under auto_send it is the user acting (SPEC invariant 3)."""
    if contact.id not in event.to | event.cc:
        return contact
    return replace(
        contact,
        last_outreach_at=_later(contact.last_outreach_at, event.at),
        user_to_act=contact.user_to_act and event.auto_sent,
        owes_move=contact.owes_move and event.auto_sent,
        outreach_count=contact.outreach_count + 1,
        thread=event.message_id,
    )


def record_reply(contact: Contact, event: ReplyReceived) -> Contact:
    """A human reply from them: the tries start again at zero; the user is to act next."""
    interview = contact.interview
    if interview is not None and event.reply_by is not None:
        interview = replace(interview, reply_by=event.reply_by)
    return replace(
        contact,
        last_reply_at=_later(contact.last_reply_at, event.at),
        user_to_act=True,
        tries_used=0,
        thread=event.message_id,
        interview=interview,
    )


def queue(
    contact: Contact,
    step: Step,
    due_at: datetime,
    policy: Policy,
    to: ContactId | None = None,
    cc: tuple[ContactId, ...] = (),
    *,
    at: datetime,
) -> Change:
    """Queue `step` for approval (approved at once only if `auto_send` lists it); `at` is
    when it is queued, from which a late item's approval window counts."""
    if step in ONCE_ONLY and step in contact.once:
        return contact, ()
    approved = step in policy.auto_send
    item = Pending(step=step, due_at=due_at, to=to or contact.id, cc=cc, approved=approved,
                   queued_at=at)  # fmt: skip
    follows = contact.thread if item.to == contact.id else None
    effect = QueueStep(
        step=step,
        kind=step_kind(step),
        due_at=due_at,
        to=item.to,
        cc=cc,
        follows_message_id=follows,
        approved=approved,
    )
    once = contact.once | {step} if step in ONCE_ONLY else contact.once
    return replace(contact, pending=(*contact.pending, item), once=once), (effect,)


def withdraw(contact: Contact, steps: Collection[Step], reason: str) -> Change:
    """Take back every pending item whose step is in `steps`."""
    gone = tuple(
        WithdrawPending(step=p.step, reason=reason) for p in contact.pending if p.step in steps
    )
    kept = tuple(p for p in contact.pending if p.step not in steps)
    return replace(contact, pending=kept), gone


def settle(contact: Contact, step: Step, at: datetime, *, made: bool) -> Contact:
    """The pending `step` is over: made (sent, done) or skipped (rejected, expired)."""
    pending = tuple(p for p in contact.pending if p.step != step)
    if step in TRIES:
        return replace(
            contact,
            pending=pending,
            next_try=contact.next_try + 1,
            tries_used=contact.tries_used + int(made),
            last_try_at=at,
        )
    if step in CADENCE:
        return replace(contact, pending=pending, last_try_at=at)
    return replace(contact, pending=pending)


def count_own_try(contact: Contact, at: datetime) -> Contact:
    """A first message the user wrote themselves counts as try 1."""
    return replace(
        contact,
        next_try=max(contact.next_try, 1),
        tries_used=contact.tries_used + 1,
        last_try_at=at,
    )


def reschedule_held(contact: Contact, policy: Policy, reason: str) -> Change:
    """Move pending items addressed to them that the min gap or an absence now holds back."""
    items: list[Pending] = []
    moved: list[Effect] = []
    for item in contact.pending:
        due = item.due_at
        if item.to == contact.id and item.step is not Step.CLOSING_CHECKLIST:
            due = max(due, hold(due, item.step, contact, policy))
        if due != item.due_at:
            moved.append(Reschedule(step=item.step, due_at=due, reason=reason))
            item = replace(item, due_at=due)  # noqa: PLW2901
        items.append(item)
    if not moved:
        return contact, ()
    return replace(contact, pending=tuple(items)), tuple(moved)
