"""The interviewer flow's own steps: interview, thank-you, tries, rejection, nurture.

Invariants:
- A registered interview always has a `thank_you` draft queued (SPEC: "draft it
  prior, modify it after"); one in the future also gets the `closing_checklist` task.
- `interviewed` means the interview is over and try 1 is neither made nor skipped.
- A reply before the interview (logistics) withdraws nothing; after it, a reply
  withdraws every pending item and ends the cadence (`in_conversation`).
- `keep_in_mind` is drafted once per rejection; `nurture` never drafts it again.
"""

from __future__ import annotations

from datetime import datetime

from followthru.core.debrief import merged_notes
from followthru.core.effects import Decision, NoticeKind, NotifyUser, Reschedule
from followthru.core.events import (
    DebriefAnswered,
    InterviewCancelled,
    InterviewHeld,
    InterviewRegistered,
    OutcomeRecorded,
    ReplyReceived,
)
from followthru.core.history import (
    NOT_NOTES,
    ignore,
    queue,
    record_reply,
    withdraw,
)
from followthru.core.model import (
    CADENCE,
    FOLLOW_UPS,
    Contact,
    ContactState,
    Pending,
    Policy,
    Role,
    Step,
    replace,
)
from followthru.core.schedule import checklist_due, hold, thank_you_due

_FRESH = CADENCE | {Step.CLOSING_CHECKLIST}


def start_interview(contact: Contact, event: InterviewRegistered, policy: Policy) -> Decision:
    """A (new) interview: the interviewer cadence starts over with a drafted thank-you."""
    interview = event.interview
    contact = replace(
        contact,
        roles=contact.roles | {Role.INTERVIEWER},
        interview=interview,
        next_try=0,
        tries_used=0,
        last_try_at=None,
    )
    contact, gone = withdraw(contact, _FRESH, "a new interview was registered")
    thanks_due = thank_you_due(interview, policy)
    contact, thanks = queue(contact, Step.THANK_YOU, thanks_due, policy, at=event.at)
    if interview.end <= event.at:
        reason = "the interview has already ended: thank-you queued"
        return Decision(replace(contact, state=ContactState.INTERVIEWED), gone + thanks, reason)
    checked = checklist_due(interview, policy)
    contact, checklist = queue(contact, Step.CLOSING_CHECKLIST, checked, policy, at=event.at)
    reason = "interview scheduled: thank-you drafted ahead, closing checklist for that morning"
    return Decision(
        replace(contact, state=ContactState.SCHEDULED), gone + thanks + checklist, reason
    )


def move_interview(contact: Contact, event: InterviewRegistered, policy: Policy) -> Decision:
    """The scheduled interview moved: its thank-you and checklist move with it."""
    if event.interview == contact.interview:
        return ignore(contact, "this interview is already registered")
    interview = event.interview
    dues = {
        Step.THANK_YOU: thank_you_due(interview, policy),
        Step.CLOSING_CHECKLIST: checklist_due(interview, policy),
    }
    items = tuple(_moved(item, dues) for item in contact.pending)
    contact = replace(contact, interview=interview, pending=items)
    effects = tuple(
        Reschedule(step=p.step, due_at=p.due_at, reason="the interview moved")
        for p in items
        if p.step in dues
    )
    return Decision(contact, effects, "the interview moved: its drafts move with it")


def _moved(item: Pending, dues: dict[Step, datetime]) -> Pending:
    return replace(item, due_at=dues[item.step]) if item.step in dues else item


def interview_over(contact: Contact, at: datetime) -> Decision:
    """The interview ended: the thank-you is due (or already made or skipped)."""
    end = contact.interview.end if contact.interview else at
    if contact.next_try == 0:
        contact = replace(contact, state=ContactState.INTERVIEWED)
        return Decision(contact, (), "the interview is over: the thank-you is due")
    last_try = max(contact.last_try_at or end, end)
    contact = replace(contact, state=ContactState.AWAITING_REPLY, last_try_at=last_try)
    return Decision(contact, (), "the interview is over and the thank-you already settled")


def interview_held(contact: Contact, event: InterviewHeld, policy: Policy) -> Decision:
    """`scheduled --interview_held--> interviewed`."""
    return interview_over(contact, event.at)


def interview_cancelled(contact: Contact, event: InterviewCancelled, policy: Policy) -> Decision:
    """A cancelled interview drafts nothing: closed, with nothing left pending."""
    contact, gone = withdraw(contact, frozenset(Step), "the interview was cancelled")
    return Decision(
        replace(contact, state=ContactState.CLOSED), gone, "the interview was cancelled"
    )


def progress(contact: Contact) -> Contact:
    """`interviewed` becomes `awaiting_reply` once try 1 is made or skipped."""
    if contact.state is ContactState.INTERVIEWED and contact.next_try >= 1:
        return replace(contact, state=ContactState.AWAITING_REPLY)
    return contact


def reply_before_interview(contact: Contact, event: ReplyReceived, policy: Policy) -> Decision:
    """Logistics before the interview: logged; the drafted thank-you stays."""
    return Decision(record_reply(contact, event), (), "a reply before the interview: logged")


def reply_converses(contact: Contact, event: ReplyReceived, policy: Policy) -> Decision:
    """`--reply--> in_conversation`: every pending item for them is withdrawn."""
    contact, gone = withdraw(record_reply(contact, event), NOT_NOTES, "they replied")
    contact = replace(contact, state=ContactState.IN_CONVERSATION)
    return Decision(contact, gone, "they replied: in conversation, pending items withdrawn")


def reply_in_nurture(contact: Contact, event: ReplyReceived, policy: Policy) -> Decision:
    """Two-way contact while nurturing: the next note waits until the user writes back."""
    contact, gone = withdraw(record_reply(contact, event), FOLLOW_UPS, "they replied")
    return Decision(contact, gone, "they replied: the stay-in-touch timer restarts after you write")


def keep_in_mind(contact: Contact, event: OutcomeRecorded, policy: Policy) -> Decision:
    """A "no": one `keep_in_mind` letter (with the connect invitation), then nurture.

    Recording the outcome is the user acting: nurturing may start without their reply.
    """
    contact, gone = withdraw(contact, NOT_NOTES, "they said no")
    due = hold(event.at, Step.KEEP_IN_MIND, contact, policy)
    contact, letter = queue(contact, Step.KEEP_IN_MIND, due, policy, at=event.at)
    contact = replace(contact, state=ContactState.NURTURE, user_to_act=False)
    return Decision(contact, gone + letter, "rejected: keep-in-mind letter queued, then nurture")


def debriefed(contact: Contact, event: DebriefAnswered, policy: Policy) -> Decision:
    """The user's debrief: their notes join the interview's, a stated date becomes its
    reply-by date (which moves the check-in: schedule.next_due keys it on that date)."""
    interview = contact.interview
    if interview is None:
        return ignore(contact, "no interview to debrief")
    notes = merged_notes(interview.notes, event.notes)
    reply_by = event.reply_by or interview.reply_by
    if notes == interview.notes and reply_by == interview.reply_by:
        return ignore(contact, "the debrief adds nothing new")
    interview = replace(interview, notes=notes, reply_by=reply_by)
    said = f", reply by {reply_by}" if event.reply_by else ""
    return Decision(replace(contact, interview=interview), (), f"debriefed{said}")


def give_up(contact: Contact) -> Decision:
    """No reply after the last try: move on and tell the user."""
    contact = replace(contact, state=ContactState.MOVED_ON)
    note = NotifyUser(
        kind=NoticeKind.MOVED_ON, text=f"No reply from {contact.email} after every try: moved on."
    )
    return Decision(contact, (note,), "no reply after the last try: moved on")
