"""The handlers both flows share: messages seen, replies, auto-replies, bounces, the
queue (approve, reject, done), timers and outcomes that close a contact.

Invariants:
- A message the user sent always counts as outreach; it completes our queued item,
  or (written by the user) the pending try it stands in for. Follow-ups still
  pending move to `min_gap` after it.
- A timer does at most one kind of thing: the earliest of "queued items expire" and
  "the next step is due"; overdue steps are therefore queued one at a time.
- An expired or rejected item is skipped, never re-sent; the cadence goes on.
"""

from __future__ import annotations

from datetime import datetime

from followthru.core import interviewer, referral
from followthru.core.effects import Decision, Effect, NoticeKind, NotifyUser, WithdrawPending
from followthru.core.events import (
    AddressLearned,
    AutoReplyReceived,
    BounceReceived,
    DraftApproved,
    DraftRejected,
    OutboundSeen,
    OutcomeRecorded,
    ReferralSuggested,
    ReplyReceived,
    TaskDone,
    TimerFired,
)
from followthru.core.history import (
    NOT_NOTES,
    ignore,
    queue,
    record_outbound,
    record_reply,
    reschedule_held,
    settle,
    withdraw,
)
from followthru.core.items import ItemEvent
from followthru.core.model import (
    CADENCE,
    Contact,
    ContactState,
    Pending,
    Policy,
    Role,
    Step,
    StepKind,
    replace,
)
from followthru.core.schedule import expires_at, next_due

_TAKES_OWN_MESSAGE = frozenset(
    {
        ContactState.INTERVIEWED,
        ContactState.AWAITING_REPLY,
        ContactState.NURTURE,
        ContactState.REFERRED,
        ContactState.REACHED_OUT,
    }
)
"""States in which the user's own message to them stands in for the pending try."""


def learn_address(contact: Contact, event: AddressLearned, policy: Policy) -> Decision:
    """Another address of theirs (a colleague the user wrote to instead)."""
    address = event.address.lower()
    if address == contact.email or address in contact.also:
        return ignore(contact, f"{address} is already theirs")
    contact = replace(contact, also=contact.also | {address})
    return Decision(contact, (), f"{address} counts as theirs from now on")


def become_source(contact: Contact, event: ReferralSuggested, policy: Policy) -> Decision:
    """They suggested a referral: they are a source too (a new contact: only a source)."""
    if Role.SOURCE in contact.roles:
        return ignore(contact, "already a source")
    state = ContactState.SOURCE if contact.state is ContactState.NEW else contact.state
    contact = replace(contact, roles=contact.roles | {Role.SOURCE}, state=state)
    return Decision(contact, (), "suggested a referral: a source")


def outbound(contact: Contact, event: OutboundSeen, policy: Policy) -> Decision:
    """A message from the user: outreach; maybe a try made; maybe the referral reached."""
    had_intro = contact.pending_step(Step.REFERRAL_INTRO) is not None
    before = contact
    contact = record_outbound(contact, event)
    contact, settled, reason = _settle_sent(contact, event)
    contact = interviewer.progress(contact)
    contact, note = referral.reached(contact, event, had_intro, policy)
    contact, moved = reschedule_held(contact, policy, "held back by a newer message (min gap)")
    if contact == before:
        return ignore(contact, "a message that does not concern this contact")
    return Decision(contact, settled + note + moved, reason)


def _settle_sent(contact: Contact, event: OutboundSeen) -> tuple[Contact, tuple[Effect, ...], str]:
    step = event.step
    if step is not None and event.owner == contact.id and contact.pending_step(step):
        return settle(contact, step, event.at, made=True), (), f"{step} sent"
    own = _own_try(contact, event)
    if own is None:
        return contact, (), "message recorded (counts for the min gap)"
    contact, gone = withdraw(contact, {own.step}, "you wrote to them yourself")
    contact = settle(contact, own.step, event.at, made=True)
    return contact, gone, f"you wrote to them yourself: that was the {own.step}"


def _own_try(contact: Contact, event: OutboundSeen) -> Pending | None:
    if event.step is not None or contact.id not in event.to:
        return None
    if contact.state not in _TAKES_OWN_MESSAGE:
        return None
    return next((p for p in contact.pending if p.step in CADENCE and p.to == contact.id), None)


def reply_logged(contact: Contact, event: ReplyReceived, policy: Policy) -> Decision:
    """A reply that moves nothing: recorded (it resets the tries)."""
    if referral.from_source(contact, event):
        return ignore(contact, referral.SOURCE_REPLY)
    return Decision(record_reply(contact, event), (), "reply recorded")


def reply_after_silence(contact: Contact, event: ReplyReceived, policy: Policy) -> Decision:
    """An unreachable contact wrote after all: back in conversation (or connected)."""
    if contact.is_referral:
        return referral.connect(contact, event, policy)
    return interviewer.reply_converses(contact, event, policy)


def note_absence(contact: Contact, event: AutoReplyReceived, policy: Policy) -> Decision:
    """Out of office: no try used; with a return date, due times move past it."""
    if event.return_date is None:
        return ignore(contact, "an auto-reply without a return date: nothing changes")
    contact = replace(contact, away_until=event.return_date)
    contact, moved = reschedule_held(contact, policy, f"away until {event.return_date}")
    note = NotifyUser(
        kind=NoticeKind.AWAY,
        text=f"{contact.email} is away until {event.return_date}: what was due moves after it.",
    )
    told = (note,) if event.return_date >= event.at.date() else ()
    return Decision(
        contact, (*moved, *told), f"out of office until {event.return_date}: due times move"
    )


def bounced(contact: Contact, event: BounceReceived, policy: Policy) -> Decision:
    """A permanent bounce: nothing more to that address (the user is told at once)."""
    status = f", {event.status}" if event.status else ""
    return _unreachable(contact, event.at, policy, f"bounced{status}", NoticeKind.BOUNCE)


def left_company(contact: Contact, event: AutoReplyReceived, policy: Policy) -> Decision:
    """An auto-reply saying they are no longer with the company."""
    return _unreachable(contact, event.at, policy, "no longer with the company")


def _unreachable(contact: Contact, at: datetime, policy: Policy, why: str,
                 kind: NoticeKind = NoticeKind.UNREACHABLE) -> Decision:  # fmt: skip
    if contact.is_referral:
        return referral.give_up(contact, at, policy, why, kind)
    contact, gone = withdraw(contact, NOT_NOTES, why)
    contact = replace(contact, state=ContactState.UNREACHABLE)
    note = NotifyUser(
        kind=kind,
        text=f"{contact.email} is unreachable ({why}); nothing more goes there.",
    )
    return Decision(contact, (*gone, note), f"{why}: unreachable")


def source_bounced(contact: Contact, event: BounceReceived, policy: Policy) -> Decision:
    """A source has no flow; the user is told their address does not work."""
    return _source_gone(contact)


def source_left(contact: Contact, event: AutoReplyReceived, policy: Policy) -> Decision:
    """A source left their company; the user is told."""
    return _source_gone(contact)


def _source_gone(contact: Contact) -> Decision:
    note = NotifyUser(
        kind=NoticeKind.SOURCE_GONE,
        text=f"Mail to {contact.email} (a referral's source) no longer arrives.",
    )
    return Decision(contact, (note,), "the source's address does not work: user told")


def close(contact: Contact, event: OutcomeRecorded, policy: Policy) -> Decision:
    """Offer, withdrawn (or a "no" where nothing can follow): closed, nothing pending."""
    contact, gone = withdraw(contact, frozenset(Step), f"outcome: {event.outcome}")
    contact = replace(contact, state=ContactState.CLOSED)
    return Decision(contact, gone, f"outcome {event.outcome}: closed")


def approve(contact: Contact, event: DraftApproved, policy: Policy) -> Decision:
    """The user approved a draft: it goes out at its due time, in the send window."""
    item = contact.pending_step(event.step)
    if item is None or item.kind is StepKind.TASK or item.approved:
        return ignore(contact, f"no {event.step} draft awaits approval")
    items = tuple(replace(p, approved=True) if p is item else p for p in contact.pending)
    return Decision(replace(contact, pending=items), (), f"{event.step} approved")


def skip(contact: Contact, event: DraftRejected, policy: Policy) -> Decision:
    """A rejected, deleted or expired item counts as skipped; the next counts from now."""
    if contact.pending_step(event.step) is None:
        return ignore(contact, f"no {event.step} is pending")
    contact = interviewer.progress(settle(contact, event.step, event.at, made=False))
    return Decision(contact, (), f"{event.step} {event.why}: skipped, the cadence goes on")


def task_done(contact: Contact, event: TaskDone, policy: Policy) -> Decision:
    """A manual task was done (a phone call counts as a try)."""
    item = contact.pending_step(event.step)
    if item is None or item.kind is not StepKind.TASK:
        return ignore(contact, f"no {event.step} task is pending")
    contact = interviewer.progress(settle(contact, event.step, event.at, made=True))
    return Decision(contact, (), f"{event.step} done")


def timer(contact: Contact, event: TimerFired, policy: Policy) -> Decision:
    """The earliest of: queued items expire, or the next step (or deadline) is due."""
    expiring = [p for p in contact.pending if _expired(p, event.at, policy)]
    first_expiry = min((expires_at(p, policy) or event.at for p in expiring), default=None)
    due = next_due(contact, policy)
    if due is not None and due.at <= event.at and (first_expiry is None or due.at < first_expiry):
        if due.step is None:
            return _deadline(contact, event.at, policy)
        contact, queued = queue(contact, due.step, due.at, policy, at=event.at)
        return Decision(contact, queued, f"due: {due.why}")
    if expiring:
        return _expire(contact, expiring, event.at)
    return ignore(contact, "nothing is due yet")


def _expired(item: Pending, at: datetime, policy: Policy) -> bool:
    expiry = expires_at(item, policy)
    return expiry is not None and expiry <= at


def _deadline(contact: Contact, at: datetime, policy: Policy) -> Decision:
    if contact.state is ContactState.SCHEDULED:
        return interviewer.interview_over(contact, at)
    if contact.is_referral:
        return referral.give_up(contact, at, policy, "no reply after the last check-in")
    return interviewer.give_up(contact)


def _expire(contact: Contact, items: list[Pending], at: datetime) -> Decision:
    effects: list[Effect] = []
    for item in items:
        contact = settle(contact, item.step, at, made=False)
        effects.append(
            WithdrawPending(
                step=item.step, reason="expired: nobody acted on it", how=ItemEvent.EXPIRED
            )
        )
        text = f"The {item.step} for {contact.email} expired unsent; the cadence goes on."
        effects.append(NotifyUser(kind=NoticeKind.EXPIRED, text=text))
    contact = interviewer.progress(contact)
    return Decision(contact, tuple(effects), "queued items expired: skipped")
