"""The contact state machine: the TRANSITIONS table and the pure `decide()`.

Rule 1: every (state, event) pair the machine acts on is a row of `TRANSITIONS`, with
the states it may lead to and a line saying what happens; a pair not in the table is
ignored with a reason, never an exception. The README's table is `transitions_markdown()`.
Rule 2: `decide()` is pure. The new contact depends only on the contact, the event
and the policy (so `replay()` of a contact's log gives the same contact); `now` only
bounds the timer it asks for.
Rule 3: a message is processed once per contact (keyed by Message-ID), whatever came of
it: seen again, it is ignored (SPEC invariant 6).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from followthru.core import handlers as h
from followthru.core import interviewer as iv
from followthru.core import jobflow as jf
from followthru.core import pacing
from followthru.core import referral as rf
from followthru.core.effects import Decision, Effect, SetTimer
from followthru.core.events import (
    AddressLearned,
    AutoReplyReceived,
    BounceReceived,
    ContactAdded,
    DebriefAnswered,
    DraftApproved,
    DraftRejected,
    DraftWritten,
    Event,
    EventKey,
    InterviewCancelled,
    InterviewHeld,
    InterviewRegistered,
    MoveMade,
    MoveOwed,
    OutboundSeen,
    OutcomeRecorded,
    ProcessPaused,
    ReferralRegistered,
    ReferralSuggested,
    ReplyReceived,
    TaskDone,
    TimerFired,
    event_key,
)
from followthru.core.model import Contact, ContactState, Policy, replace
from followthru.core.schedule import wakeup

S = ContactState
K = EventKey
E = TypeVar("E", bound=Event)
Handler = Callable[[Contact, Event, Policy], Decision]


@dataclass(frozen=True, slots=True)
class Rule:
    """One row: how `handle` treats the event, the states it may lead to, and why.

    In `to`, None stands for "the same state".
    """

    handle: Handler
    to: tuple[ContactState | None, ...]
    does: str

    def targets(self, state: ContactState) -> frozenset[ContactState]:
        """The states this rule may lead to from `state`."""
        return frozenset(state if t is None else t for t in self.to)


_INTERVIEWER = (
    S.SCHEDULED,
    S.INTERVIEWED,
    S.AWAITING_REPLY,
    S.IN_CONVERSATION,
    S.NURTURE,
    S.MOVED_ON,
)
_REFERRAL = (S.REFERRED, S.REACHED_OUT, S.CONNECTED, S.MET)
_LIVE = (*_INTERVIEWER, *_REFERRAL, S.UNREACHABLE)
_FRESH = (S.NEW, S.SOURCE)
_RESTART = (*_INTERVIEWER[1:], *_REFERRAL, S.UNREACHABLE, S.CLOSED)
_ENDED = (S.INTERVIEWED, S.AWAITING_REPLY, S.MOVED_ON)


class _Table:
    """Collects the rows; `on` gives every listed state the same rule."""

    def __init__(self) -> None:
        self.rules: dict[tuple[ContactState, EventKey], Rule] = {}

    def on(
        self,
        states: Iterable[ContactState],
        key: EventKey,
        kind: type[E],
        fn: Callable[[Contact, E, Policy], Decision],
        does: str,
        to: tuple[ContactState | None, ...] = (None,),
    ) -> None:
        rule = Rule(_typed(kind, fn), to, does)
        self.rules.update({(state, key): rule for state in states})


def _interviewer_rows(t: _Table) -> None:
    reg, reply = K.INTERVIEW_REGISTERED, K.REPLY
    t.on(
        _FRESH,
        reg,
        InterviewRegistered,
        iv.start_interview,
        "thank-you drafted ahead + closing checklist; already ended: straight to interviewed",
        (S.SCHEDULED, S.INTERVIEWED),
    )
    t.on(
        [S.SCHEDULED],
        reg,
        InterviewRegistered,
        iv.move_interview,
        "rescheduled: its drafts move with it (the same interview again: ignored)",
    )
    t.on(
        _RESTART,
        reg,
        InterviewRegistered,
        iv.start_interview,
        "a new interview: pending tries withdrawn, the interviewer cadence starts over",
        (S.SCHEDULED, S.INTERVIEWED),
    )
    t.on(
        [S.SCHEDULED],
        K.INTERVIEW_HELD,
        InterviewHeld,
        iv.interview_held,
        "interviewed (awaiting_reply if the thank-you was already sent or skipped)",
        (S.INTERVIEWED, S.AWAITING_REPLY),
    )
    t.on(
        [S.SCHEDULED],
        K.INTERVIEW_CANCELLED,
        InterviewCancelled,
        iv.interview_cancelled,
        "thank-you, checklist (everything pending) withdrawn",
        (S.CLOSED,),
    )
    t.on(
        [S.SCHEDULED],
        reply,
        ReplyReceived,
        iv.reply_before_interview,
        "logged (logistics before the interview); nothing withdrawn",
    )
    t.on(
        _ENDED,
        reply,
        ReplyReceived,
        iv.reply_converses,
        "every pending item withdrawn; tries reset",
        (S.IN_CONVERSATION,),
    )
    t.on(
        [S.NURTURE],
        reply,
        ReplyReceived,
        iv.reply_in_nurture,
        "pending stay_in_touch withdrawn; its timer restarts once the user writes",
    )
    t.on(
        [S.SCHEDULED, *_ENDED, S.IN_CONVERSATION],
        K.OUTCOME_REJECTED,
        OutcomeRecorded,
        iv.keep_in_mind,
        "pending items withdrawn; keep_in_mind queued, then nurture",
        (S.NURTURE,),
    )


def _referral_rows(t: _Table) -> None:
    t.on(
        _FRESH,
        K.REFERRAL_REGISTERED,
        ReferralRegistered,
        rf.start_referral,
        "referral_intro queued to the referral, the source in Cc",
        (S.REFERRED,),
    )
    t.on(
        [S.REFERRED],
        K.REFERRAL_REGISTERED,
        ReferralRegistered,
        rf.redraft_intro,
        "the intro is drafted again if it lapsed",
    )
    t.on(
        [S.REFERRED, S.REACHED_OUT],
        K.REPLY,
        ReplyReceived,
        rf.connect,
        "source_connected queued (a reply-all from the source: ignored)",
        (S.CONNECTED,),
    )
    t.on(
        [S.REFERRED, S.REACHED_OUT, S.CONNECTED, S.UNREACHABLE],
        K.OUTCOME_MET,
        OutcomeRecorded,
        rf.met,
        "referral_thank_you and source_met queued (once each)",
        (S.MET,),
    )
    t.on(
        [*_REFERRAL, S.UNREACHABLE],
        K.OUTCOME_REJECTED,
        OutcomeRecorded,
        h.close,
        "nothing can follow: pending items withdrawn",
        (S.CLOSED,),
    )


def _message_rows(t: _Table) -> None:
    t.on(
        [*_LIVE, S.SOURCE, S.CLOSED],
        K.OUTBOUND_SEEN,
        OutboundSeen,
        h.outbound,
        "outreach recorded (min gap); completes our item, or the pending try the user wrote "
        "themselves; interviewed -> awaiting_reply after try 1; referred -> reached_out "
        "(+ source_attempted when the source is not in Cc)",
        (None, S.AWAITING_REPLY, S.REACHED_OUT),
    )
    t.on(
        [S.IN_CONVERSATION, S.CONNECTED, S.MET, S.SOURCE, S.CLOSED],
        K.REPLY,
        ReplyReceived,
        h.reply_logged,
        "recorded; tries reset",
    )
    t.on(
        [S.UNREACHABLE],
        K.REPLY,
        ReplyReceived,
        h.reply_after_silence,
        "reachable after all: in_conversation (a referral: connected)",
        (S.IN_CONVERSATION, S.CONNECTED),
    )
    t.on(
        [*_LIVE, S.SOURCE],
        K.AUTO_REPLY,
        AutoReplyReceived,
        h.note_absence,
        "no try used; a return date moves due times past it (never within min_gap)",
    )
    gone = "pending items withdrawn, user told; a referral never reached: source_unreachable"
    told = "user told (a source has no flow)"
    t.on(_LIVE, K.BOUNCE, BounceReceived, h.bounced, gone, (S.UNREACHABLE,))
    t.on(_LIVE, K.LEFT_COMPANY, AutoReplyReceived, h.left_company, gone, (S.UNREACHABLE,))
    t.on([S.SOURCE], K.BOUNCE, BounceReceived, h.source_bounced, told)
    t.on([S.SOURCE], K.LEFT_COMPANY, AutoReplyReceived, h.source_left, told)


def _queue_rows(t: _Table) -> None:
    for key in (K.OUTCOME_OFFER, K.OUTCOME_WITHDRAWN):
        t.on(_LIVE, key, OutcomeRecorded, h.close, "pending items withdrawn", (S.CLOSED,))
    t.on(
        [S.NEW, *_LIVE, S.SOURCE, S.CLOSED],
        K.ADDRESS_LEARNED,
        AddressLearned,
        h.learn_address,
        "another address of theirs (a colleague you wrote to instead): their mail counts",
    )
    t.on(
        [S.NEW, *_LIVE, S.SOURCE, S.CLOSED],
        K.REFERRAL_SUGGESTED,
        ReferralSuggested,
        h.become_source,
        "becomes a source too (a new contact: only a source)",
        (None, S.SOURCE),
    )
    t.on(
        _LIVE,
        K.TIMER,
        TimerFired,
        h.timer,
        "the earliest of: unapproved items expire (skipped); the next try, stay_in_touch or "
        "check-in is queued; the interview ends; after the last try + give_up_after: "
        "moved_on or unreachable (+ source_unreachable)",
        (None, S.INTERVIEWED, S.AWAITING_REPLY, S.MOVED_ON, S.UNREACHABLE),
    )
    t.on(_LIVE, K.APPROVED, DraftApproved, h.approve, "the draft may go out at its due time")
    t.on(_LIVE, K.DRAFT_WRITTEN, DraftWritten, pacing.draft_written,
         "a draft held back by the per-pass cap reached Drafts: its approval window starts now")  # fmt: skip
    t.on(
        _LIVE,
        K.REJECTED_DRAFT,
        DraftRejected,
        h.skip,
        "skipped: the cadence goes on from now, never re-sent",
        (None, S.AWAITING_REPLY),
    )
    t.on(
        [*_LIVE, S.CLOSED],
        K.DEBRIEF_ANSWERED,
        DebriefAnswered,
        iv.debriefed,
        "the user's debrief: notes added to the interview, a stated date is its reply-by date",
    )
    t.on(
        _LIVE,
        K.TASK_DONE,
        TaskDone,
        h.task_done,
        "task done (a phone message is a try)",
        (None, S.AWAITING_REPLY),
    )


def _job_rows(t: _Table) -> None:
    t.on(
        _LIVE,
        K.MOVE_OWED,
        MoveOwed,
        jf.owe_move,
        "their organisation awaits the user's answer: pending follow-ups withdrawn, none queued",
    )
    t.on(
        _LIVE,
        K.MOVE_MADE,
        MoveMade,
        jf.move_made,
        "the user wrote to their organisation: follow-ups again, the clock restarted",
    )
    t.on(
        _LIVE,
        K.PAUSED,
        ProcessPaused,
        jf.paused,
        "the process is paused: follow-ups move past the date (not a rejection)",
    )


def _build() -> dict[tuple[ContactState, EventKey], Rule]:
    table = _Table()
    for rows in (_interviewer_rows, _referral_rows, _message_rows, _queue_rows, _job_rows):
        rows(table)
    return table.rules


def _typed(kind: type[E], fn: Callable[[Contact, E, Policy], Decision]) -> Handler:
    def handle(contact: Contact, event: Event, policy: Policy) -> Decision:
        if not isinstance(event, kind):
            msg = f"{fn.__name__} expects {kind.__name__}, got {type(event).__name__}"
            raise TypeError(msg)
        return fn(contact, event, policy)

    return handle


TRANSITIONS: dict[tuple[ContactState, EventKey], Rule] = _build()
"""(state, event key) -> Rule. Pairs not in the table are ignored."""


def decide(contact: Contact, event: Event, now: datetime, policy: Policy) -> Decision:
    """What `event` does to `contact`: the new contact, the effects, and why."""
    if event.message_id is not None and event.message_id in contact.seen:
        return Decision(contact, (), "this message was already processed", ignored=True)
    key = event_key(event)
    rule = TRANSITIONS.get((contact.state, key))
    if rule is None:
        return Decision(_seen(contact, event), (), _not_expected(contact.state, key), ignored=True)
    decision = rule.handle(contact, event, policy)
    new = _seen(decision.contact, event)
    if decision.ignored:
        return Decision(_seen(contact, event), (), decision.reason, ignored=True)
    return Decision(new, decision.effects + _timer(new, now, policy), decision.reason)


def _seen(contact: Contact, event: Event) -> Contact:
    """Remember the message, acted on or not: processing a mailbox twice changes nothing."""
    if event.message_id is None:
        return contact
    return replace(contact, seen=contact.seen | {event.message_id})


def _not_expected(state: ContactState, key: EventKey) -> str:
    if key is K.SOFT_BOUNCE:
        return "a temporary bounce: the address still works"
    if key is K.CONTACT_ADDED:
        return "the contact is already known"
    return f"{key} is not expected in state {state}"


def _timer(contact: Contact, now: datetime, policy: Policy) -> tuple[Effect, ...]:
    wake, due = wakeup(contact, policy)
    if wake is None:
        return ()
    why = due.why if due is not None and due.at == wake else "a queued item expires"
    return (SetTimer(at=max(wake, now), why=why),)


def new_contact(event: ContactAdded) -> Contact:
    """The contact a log starts with."""
    return Contact(
        id=event.contact,
        email=event.email,
        name=event.name,
        company=event.company,
        company_domain=event.company_domain,
        also=event.also,
    )


def replay(events: Sequence[Event], policy: Policy) -> Contact:
    """Fold a contact's event log (starting with `ContactAdded`) into the contact.

    Raises:
        ValueError: the log does not start with `ContactAdded`.
    """
    if not events or not isinstance(events[0], ContactAdded):
        msg = "a contact's log starts with ContactAdded"
        raise ValueError(msg)
    contact = new_contact(events[0])
    for event in events[1:]:
        contact = decide(contact, event, event.at, policy).contact
    return contact


def transitions_markdown() -> str:
    """The transition table as Markdown, rows merged where states share a rule."""
    rows: dict[tuple[EventKey, str, str], list[ContactState]] = {}
    for (state, key), rule in TRANSITIONS.items():
        to = ", ".join("(same)" if t is None else t.value for t in rule.to)
        rows.setdefault((key, to, rule.does), []).append(state)
    order, keys = list(ContactState), list(EventKey)
    lines = ["| state | event | next state | what happens |", "|---|---|---|---|"]
    for (key, to, does), states in sorted(
        rows.items(), key=lambda row: (min(map(order.index, row[1])), keys.index(row[0][0]))
    ):
        names = ", ".join(s.value for s in sorted(states, key=order.index))
        lines.append(f"| {names} | {key.value} | {to} | {does} |")
    return "\n".join(lines) + "\n"
