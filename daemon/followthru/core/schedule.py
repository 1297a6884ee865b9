"""Due times as pure functions of (contact, policy, now): what is due next and when.

Invariants:
- A follow-up email (`GAP_HELD`) is never due within `min_gap` of the contact's last
  outreach (SPEC invariant 1). A `Contact` is one person across all flows and roles,
  so `last_outreach_at` already covers every message the user sent them.
- An out-of-office return date moves a due time that falls before it to the first
  business day after it, and never earlier than `min_gap` after the last outreach.
- Every send time lies inside the send window (`window.next_opening`); a thank-you
  never goes out before the interview has ended. `send_at` asked later never answers
  earlier: `now` only delays the item's held due time (the sender and the plan agree).
- The clock for the next try starts when the previous try happened or was skipped
  (`Contact.last_try_at`); while a try is pending nothing further is due.
- Catch-up after downtime delays, never advances: overdue items go one at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from followthru.core.model import (
    GAP_HELD,
    SOURCE_NOTES,
    Contact,
    ContactState,
    Interview,
    Pending,
    Policy,
    Step,
    TryKind,
    replace,
)
from followthru.core.window import (
    day_start,
    local_date,
    local_instant,
    next_business_day,
    next_opening,
)

CATCH_UP_SPACING = timedelta(minutes=5)
"""After downtime, overdue sends go out at least this far apart (never a burst)."""

_NOT_FOR_THEM = SOURCE_NOTES | {Step.CLOSING_CHECKLIST}
"""Steps not addressed to the contact whose flow queues them: their absence is no reason."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Due:
    """What a contact's timer will do next: queue `step`, or (step None) change state."""

    at: datetime
    step: Step | None
    why: str


def thank_you_due(interview: Interview, policy: Policy) -> datetime:
    """`thank_you_after` after the end, at the next opening of the send window."""
    return next_opening(interview.end + policy.thank_you_after, policy)


def checklist_due(interview: Interview, policy: Policy) -> datetime:
    """The morning of the interview: the window's start that day, or the start if earlier."""
    day = local_date(interview.start, policy.timezone)
    return min(interview.start, local_instant(day, policy.send_start, policy.timezone))


def expires_at(item: Pending, policy: Policy) -> datetime | None:
    """When an unapproved item lapses (the referral intro: `referral_reach_out_within`).

    The window counts from its due time, or from when it was queued if that was later (a
    daemon that was down queues an overdue try late: the user still gets the whole window).
    """
    if item.approved:
        return None
    start = max(item.due_at, item.queued_at or item.due_at)
    if item.step is Step.REFERRAL_INTRO:
        return start + policy.referral_reach_out_within
    return start + policy.draft_expires_after


def after_absence(due: datetime, contact: Contact, policy: Policy) -> datetime:
    """`due` moved past a stated out-of-office return date or the date a paused process
    resumes (the first business day after it)."""
    until = max((d for d in (contact.away_until, contact.paused_until) if d), default=None)
    if until is None:
        return due
    back = day_start(next_business_day(until), policy)
    if due >= back:
        return due
    if contact.last_outreach_at is not None:
        back = max(back, contact.last_outreach_at + policy.min_gap)
    return back


def _held(due: datetime, step: Step, contact: Contact, policy: Policy) -> datetime:
    """`due` held back by the min gap (follow-up emails) and an absence."""
    if step in GAP_HELD and contact.last_outreach_at is not None:
        due = max(due, contact.last_outreach_at + policy.min_gap)
    if step not in _NOT_FOR_THEM:
        due = after_absence(due, contact, policy)
    return due


def hold(due: datetime, step: Step, contact: Contact, policy: Policy) -> datetime:
    """`due` held back by the min gap (follow-up emails) and an absence, in the window."""
    return next_opening(_held(due, step, contact, policy), policy)


def send_at(item: Pending, contact: Contact, policy: Policy, now: datetime) -> datetime:
    """When an approved email may go out: its due time held, or now if later, in the window.

    The item's own due time is held (an absence moves it, with the min gap), then `now`
    only delays it: asked later, the answer is never earlier (the daemon's sender and the
    plan agree whenever they ask).
    """
    earliest = item.due_at
    if item.step is Step.THANK_YOU and contact.interview is not None:
        earliest = max(earliest, contact.interview.end)
    return next_opening(max(_held(earliest, item.step, contact, policy), now), policy)


def release_at(
    step: Step, queued_due: datetime, contact: Contact, policy: Policy, now: datetime
) -> datetime | None:
    """When the approved email for `step` may go out, or None when the contact's flow no
    longer holds it (a reply or an outcome let go of it: it is never sent).

    `queued_due` is the queue's own due time for it: a snooze there only delays the flow's.
    """
    pending = contact.pending_step(step)
    if pending is None:
        return None
    held = replace(pending, due_at=max(pending.due_at, queued_due))
    return send_at(held, contact, policy, now)


def try_count(contact: Contact, policy: Policy) -> int:
    """How many tries the contact's flow has: `tries`, or the intro plus check-ins."""
    if contact.is_referral:
        return 1 + policy.referral_check_ins_allowed
    return len(policy.tries)


def try_step(contact: Contact, policy: Policy) -> Step | None:
    """The next try of the contact's flow, or None when every try is used or skipped."""
    index = contact.next_try
    if index >= try_count(contact, policy):
        return None
    if contact.is_referral:
        return Step.REFERRAL_INTRO if index == 0 else Step.REFERRAL_CHECK_IN
    if index == 0:
        return Step.THANK_YOU
    return Step.PHONE_MESSAGE if policy.tries[index] is TryKind.PHONE else Step.CHECK_IN


def _second_try_due(contact: Contact, last_try: datetime, policy: Policy) -> datetime:
    """The agreed reply-by date + 1 business day if that is still ahead, else check_in_after."""
    reply_by = contact.interview.reply_by if contact.interview else None
    if reply_by is not None:
        agreed = day_start(next_business_day(reply_by), policy)
        if agreed > last_try:
            return agreed
    return last_try + policy.check_in_after


def try_due(contact: Contact, step: Step, policy: Policy) -> datetime | None:
    """When the next try (not the first) is due; None before any try happened."""
    last_try = contact.last_try_at
    if last_try is None:
        return None
    if contact.next_try == 1 and not contact.is_referral:
        due = _second_try_due(contact, last_try, policy)
    else:
        due = last_try + policy.min_gap
    return hold(due, step, contact, policy)


def give_up_at(contact: Contact, policy: Policy) -> datetime | None:
    """`give_up_after` after the last try (past an absence)."""
    if contact.last_try_at is None:
        return None
    return after_absence(contact.last_try_at + policy.give_up_after, contact, policy)


def nurture_due(contact: Contact, policy: Policy) -> datetime | None:
    """The next stay-in-touch note: `nurture_every` after the latest two-way contact.

    None when nurturing is off, a letter is pending, or they wrote after the user last
    acted (wrote, approved, recorded the outcome): the user acts first (SPEC invariant 3).
    """
    if not policy.nurture_every or contact.cadence_pending:
        return None
    last_out = contact.last_outreach_at
    if last_out is None or contact.user_to_act or contact.owes_move:
        return None
    base = max(last_out, contact.last_try_at or last_out)
    return hold(base + policy.nurture_every, Step.STAY_IN_TOUCH, contact, policy)


def _cadence_due(contact: Contact, policy: Policy) -> Due | None:
    """The next try, or giving up after the last one."""
    if contact.cadence_pending or contact.owes_move:
        return None  # a try waits, or the user owes their organisation the next message
    step = try_step(contact, policy)
    if step is None:
        at = give_up_at(contact, policy)
        return None if at is None else Due(at, None, "no reply after the last try")
    due = try_due(contact, step, policy)
    return None if due is None else Due(due, step, f"try {contact.next_try + 1}: {step}")


WAKING_STATES = frozenset(
    {
        ContactState.SCHEDULED,
        ContactState.AWAITING_REPLY,
        ContactState.REACHED_OUT,
        ContactState.NURTURE,
    }
)
"""The states with a due time of their own: a contact in another state, with nothing pending,
never wakes, whatever the policy (`next_wakeup` is None)."""


def next_due(contact: Contact, policy: Policy) -> Due | None:
    """What the contact's timer does next (pending items' expiry aside)."""
    state = contact.state
    if state not in WAKING_STATES:
        return None
    if state is ContactState.SCHEDULED and contact.interview is not None:
        return Due(contact.interview.end, None, "the interview ends")
    if state in (ContactState.AWAITING_REPLY, ContactState.REACHED_OUT):
        return _cadence_due(contact, policy)
    if state is ContactState.NURTURE:
        at = nurture_due(contact, policy)
        return None if at is None else Due(at, Step.STAY_IN_TOUCH, "time to stay in touch")
    return None


def can_wake(contact: Contact) -> bool:
    """Whether `next_wakeup` may be other than None under some policy."""
    return bool(contact.pending) or contact.state in WAKING_STATES


def next_wakeup(contact: Contact, policy: Policy) -> datetime | None:
    """The earliest instant at which a `TimerFired` would change something."""
    return wakeup(contact, policy)[0]


def wakeup(contact: Contact, policy: Policy) -> tuple[datetime | None, Due | None]:
    """`next_wakeup` and `next_due` at once (the timer and its reason)."""
    times = [t for p in contact.pending if (t := expires_at(p, policy)) is not None]
    due = next_due(contact, policy)
    if due is not None:
        times.append(due.at)
    return min(times, default=None), due


def catch_up(
    items: Iterable[tuple[T, datetime]],
    now: datetime,
    policy: Policy,
    spacing: timedelta = CATCH_UP_SPACING,
    last_sent: datetime | None = None,
) -> list[tuple[T, datetime]]:
    """Send times for items given with their `send_at`: overdue ones one at a time.

    Items due at or before `now` (after downtime, or several due together) go out in due
    order, `spacing` apart and `spacing` after the last send (`last_sent`), each inside the
    send window; later items keep their time. Only delays.
    """
    ordered = sorted(items, key=lambda item: item[1])
    slot = now if last_sent is None else max(now, last_sent + spacing)
    planned: list[tuple[T, datetime]] = []
    for key, at in ordered:
        if at > now:
            planned.append((key, at))
            continue
        slot = next_opening(max(slot, at), policy)
        planned.append((key, slot))
        slot += spacing
    return planned
