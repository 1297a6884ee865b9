"""The contact state machine, table-driven over TRANSITIONS (h11 tests/test_state.py style).

Every (state, event) pair is tried: a pair in the table may only lead to the states its
row names; a pair not in the table is ignored with a reason. Then each SPEC rule of
"Contacts and their state machines" gets a plain scenario.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followthru.core.effects import (
    Decision,
    NotifyUser,
    QueueStep,
    Reschedule,
    SetTimer,
    WithdrawPending,
)
from followthru.core.events import (
    AddressLearned,
    AutoReplyReceived,
    BounceReceived,
    ContactAdded,
    DebriefAnswered,
    Discarded,
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
from followthru.core.machine import TRANSITIONS, decide, new_contact, replay, transitions_markdown
from followthru.core.model import (
    Contact,
    ContactId,
    ContactState,
    Interview,
    Outcome,
    Policy,
    Role,
    Step,
    StepKind,
)
from followthru.core.schedule import next_wakeup

BERLIN = ZoneInfo("Europe/Berlin")
POLICY = Policy.default(BERLIN)
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Berlin
BOB, CAROL, SRC = ContactId("bob"), ContactId("carol"), ContactId("src")
DAY = timedelta(days=1)
S = ContactState

_ids = itertools.count()


def mid() -> str:
    return f"<m{next(_ids)}@test>"


def added(cid: ContactId, at: datetime = T0) -> ContactAdded:
    return ContactAdded(at=at, contact=cid, email=f"{cid}@acme.example", company="Acme")


def interview(start: datetime, reply_by: date | None = None) -> Interview:
    return Interview(start=start, end=start + timedelta(hours=1), reply_by=reply_by)


def run(contact: Contact, *events: Event, policy: Policy = POLICY) -> Contact:
    for event in events:
        contact = decide(contact, event, event.at, policy).contact
    return contact


def sent(
    cid: ContactId, step: Step | None, at: datetime, cc: frozenset[ContactId] = frozenset()
) -> OutboundSeen:
    owner = cid if step is not None else None
    return OutboundSeen(at=at, message_id=mid(), to=frozenset({cid}), cc=cc, step=step, owner=owner)


def reply(at: datetime, sender: ContactId | None = None) -> ReplyReceived:
    return ReplyReceived(at=at, message_id=mid(), sender=sender)


def steps(decision: Decision) -> list[Step]:
    return [e.step for e in decision.effects if isinstance(e, QueueStep)]


def withdrawn(decision: Decision) -> list[Step]:
    return [e.step for e in decision.effects if isinstance(e, WithdrawPending)]


def drive(contact: Contact, until: datetime, policy: Policy = POLICY) -> Contact:
    """Nobody answers: pending emails go out when due, tasks are done, timers fire."""
    for _ in range(100):
        if contact.pending:
            item = contact.pending[0]
            at = max(item.due_at, contact.last_try_at or item.due_at)
            if at > until:
                return contact
            event: Event = (
                TaskDone(at=at, step=item.step)
                if item.kind is StepKind.TASK
                else sent(contact.id, item.step, at)
            )
            contact = run(contact, event, policy=policy)
            continue
        wake = next_wakeup(contact, policy)
        if wake is None or wake > until:
            return contact
        contact = run(contact, TimerFired(at=wake), policy=policy)
    raise AssertionError("drive did not settle")


# --- one contact in every state ---------------------------------------------------------


def scheduled() -> Contact:
    return run(new_contact(added(BOB)), InterviewRegistered(at=T0, interview=interview(T0 + DAY)))


def interviewed() -> Contact:
    return run(
        scheduled(),
        TaskDone(at=T0 + DAY, step=Step.CLOSING_CHECKLIST),
        InterviewHeld(at=T0 + DAY + timedelta(hours=1)),
    )


def awaiting() -> Contact:
    return run(interviewed(), sent(BOB, Step.THANK_YOU, T0 + DAY + timedelta(hours=2)))


def in_conversation() -> Contact:
    return run(awaiting(), reply(T0 + 2 * DAY))


def nurture() -> Contact:
    return run(in_conversation(), OutcomeRecorded(at=T0 + 3 * DAY, outcome=Outcome.REJECTED))


def moved_on() -> Contact:
    return drive(awaiting(), T0 + 60 * DAY)


def referred() -> Contact:
    return run(new_contact(added(CAROL)), ReferralRegistered(at=T0, source=SRC))


def reached_out() -> Contact:
    return run(referred(), sent(CAROL, Step.REFERRAL_INTRO, T0 + DAY, cc=frozenset({SRC})))


def connected() -> Contact:
    return run(reached_out(), reply(T0 + 2 * DAY, CAROL))


def met() -> Contact:
    return run(connected(), OutcomeRecorded(at=T0 + 3 * DAY, outcome=Outcome.MET))


def unreachable() -> Contact:
    return run(reached_out(), BounceReceived(at=T0 + 2 * DAY, message_id=mid(), permanent=True))


def closed() -> Contact:
    return run(awaiting(), OutcomeRecorded(at=T0 + 3 * DAY, outcome=Outcome.OFFER))


def source() -> Contact:
    return run(new_contact(added(SRC)), ReferralSuggested(at=T0, referral=CAROL))


SAMPLES = {
    S.NEW: lambda: new_contact(added(BOB)),
    S.SOURCE: source,
    S.SCHEDULED: scheduled,
    S.INTERVIEWED: interviewed,
    S.AWAITING_REPLY: awaiting,
    S.IN_CONVERSATION: in_conversation,
    S.NURTURE: nurture,
    S.MOVED_ON: moved_on,
    S.REFERRED: referred,
    S.REACHED_OUT: reached_out,
    S.CONNECTED: connected,
    S.MET: met,
    S.UNREACHABLE: unreachable,
    S.CLOSED: closed,
}


def sample_events(contact: Contact, at: datetime) -> list[Event]:
    """A few events of every kind, aimed at `contact`."""
    me = contact.id
    pending = [p.step for p in contact.pending] or [Step.CHECK_IN]
    return [
        added(me, at),
        AddressLearned(at=at, address="colleague@acme.example"),
        InterviewRegistered(at=at, interview=interview(at + DAY)),
        InterviewRegistered(at=at, interview=interview(at - DAY)),
        InterviewHeld(at=at),
        InterviewCancelled(at=at),
        ReferralRegistered(at=at, source=SRC),
        ReferralSuggested(at=at, referral=ContactId("dave")),
        sent(me, None, at),
        sent(me, None, at, cc=frozenset({SRC})),
        OutboundSeen(at=at, message_id=mid(), to=frozenset({SRC}), cc=frozenset({me})),
        *(sent(me, step, at) for step in pending),
        reply(at, me),
        reply(at, SRC),
        AutoReplyReceived(at=at, message_id=mid(), return_date=(at + 10 * DAY).date()),
        AutoReplyReceived(at=at, message_id=mid()),
        AutoReplyReceived(at=at, message_id=mid(), left_company=True),
        BounceReceived(at=at, message_id=mid(), permanent=True),
        BounceReceived(at=at, message_id=mid(), permanent=False),
        *(OutcomeRecorded(at=at, outcome=o) for o in Outcome),
        TimerFired(at=at),
        TimerFired(at=at + 200 * DAY),
        *(DraftApproved(at=at, step=step) for step in pending),
        *(DraftRejected(at=at, step=step, why=Discarded.DELETED) for step in pending),
        *(TaskDone(at=at, step=step) for step in pending),
        *(DraftWritten(at=at, step=step) for step in pending),
        MoveOwed(at=at, message_id=mid(), deadline=(at + 3 * DAY).date()),
        MoveMade(at=at, message_id=mid()),
        ProcessPaused(at=at, message_id=mid(), until=(at + 30 * DAY).date()),
        DebriefAnswered(
            at=at,
            message_id=mid(),
            notes=("ships often", "concern: Go"),
            reply_by=(at + 4 * DAY).date(),
        ),
    ]


CASES = [
    (state, event)
    for state, build in SAMPLES.items()
    for event in sample_events(build(), T0 + 90 * DAY)
]


def test_every_state_has_a_sample() -> None:
    assert set(SAMPLES) == set(ContactState)
    assert {state: build().state for state, build in SAMPLES.items()} == {s: s for s in S}


def test_every_event_key_is_tried() -> None:
    assert {event_key(event) for _, event in CASES} == set(EventKey)


@pytest.mark.parametrize(
    ("state", "event"), CASES, ids=lambda v: getattr(v, "value", type(v).__name__)
)
def test_decide_follows_the_table(state: ContactState, event: Event) -> None:
    contact = SAMPLES[state]()
    decision = decide(contact, event, event.at, POLICY)
    rule = TRANSITIONS.get((state, event_key(event)))
    assert decision.reason
    if decision.ignored:
        assert replace(decision.contact, seen=contact.seen) == contact
        assert decision.effects == ()
    elif rule is None:
        pytest.fail(f"{state} x {event_key(event)} acted although it is not in the table")
    else:
        assert decision.contact.state in rule.targets(state)
    if rule is None:
        assert decision.ignored


@pytest.mark.parametrize(("state", "key"), sorted(TRANSITIONS, key=str))
def test_every_row_has_a_sample_event_in_its_state(state: ContactState, key: EventKey) -> None:
    contact = SAMPLES[state]()
    acted = [
        decide(contact, e, e.at, POLICY)
        for e in sample_events(contact, T0 + 90 * DAY)
        if event_key(e) is key
    ]
    assert acted, f"no sample event for {key}"


IGNORED = [
    (S.CLOSED, TimerFired(at=T0)),
    (S.NEW, reply(T0, BOB)),
    (S.NURTURE, OutcomeRecorded(at=T0 + 9 * DAY, outcome=Outcome.REJECTED)),
    (S.AWAITING_REPLY, BounceReceived(at=T0, message_id=mid(), permanent=False)),
    (S.AWAITING_REPLY, InterviewHeld(at=T0 + 5 * DAY)),
    (S.AWAITING_REPLY, AutoReplyReceived(at=T0 + 5 * DAY, message_id=mid())),
    (S.AWAITING_REPLY, DraftApproved(at=T0 + 5 * DAY, step=Step.CHECK_IN)),
    (S.SOURCE, TimerFired(at=T0 + 100 * DAY)),
    (S.CONNECTED, reply(T0 + 3 * DAY, SRC)),
    (S.SCHEDULED, added(BOB)),
]


@pytest.mark.parametrize(("state", "event"), IGNORED, ids=str)
def test_out_of_order_or_irrelevant_events_are_ignored_with_a_reason(
    state: ContactState, event: Event
) -> None:
    contact = SAMPLES[state]()
    decision = decide(contact, event, event.at, POLICY)
    assert decision.ignored
    assert replace(decision.contact, seen=contact.seen) == contact
    assert decision.reason


def test_the_same_message_twice_is_applied_once() -> None:
    contact = awaiting()
    event = reply(T0 + 3 * DAY, BOB)
    once = decide(contact, event, event.at, POLICY)
    again = decide(once.contact, event, event.at, POLICY)
    assert not once.ignored
    assert again.ignored
    assert again.reason == "this message was already processed"


# --- interviewer ----------------------------------------------------------------------------


def test_scheduled_drafts_the_thank_you_at_once_and_a_checklist_for_the_morning() -> None:
    start = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)  # 14:00 in Berlin
    decision = decide(
        new_contact(added(BOB)), InterviewRegistered(at=T0, interview=interview(start)), T0, POLICY
    )
    assert decision.contact.state is S.SCHEDULED
    queued = {e.step: e for e in decision.effects if isinstance(e, QueueStep)}
    assert queued[Step.THANK_YOU].due_at == start + timedelta(hours=1)
    assert queued[Step.THANK_YOU].kind is StepKind.EMAIL
    assert queued[Step.CLOSING_CHECKLIST].kind is StepKind.TASK
    assert queued[Step.CLOSING_CHECKLIST].due_at == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
    assert not any(e.approved for e in queued.values())
    assert Role.INTERVIEWER in decision.contact.roles


def test_an_early_interview_gets_its_checklist_before_it_starts() -> None:
    start = datetime(2026, 3, 4, 7, 0, tzinfo=UTC)  # 08:00 in Berlin, before the window
    contact = run(new_contact(added(BOB)), InterviewRegistered(at=T0, interview=interview(start)))
    assert contact.pending_step(Step.CLOSING_CHECKLIST).due_at == start  # type: ignore[union-attr]


def test_an_interview_registered_after_it_ended_goes_straight_to_interviewed() -> None:
    event = InterviewRegistered(at=T0, interview=interview(T0 - 3 * DAY))
    decision = decide(new_contact(added(BOB)), event, T0, POLICY)
    assert decision.contact.state is S.INTERVIEWED
    assert steps(decision) == [Step.THANK_YOU]


def test_interview_held_then_thank_you_sent_awaits_the_reply() -> None:
    contact = interviewed()
    assert contact.state is S.INTERVIEWED
    after = run(contact, sent(BOB, Step.THANK_YOU, T0 + 2 * DAY))
    assert after.state is S.AWAITING_REPLY
    assert (after.next_try, after.tries_used, after.outreach_count) == (1, 1, 1)


def test_the_timer_at_the_interview_end_is_the_same_as_interview_held() -> None:
    contact = scheduled()
    by_timer = run(contact, TimerFired(at=T0 + DAY + timedelta(hours=1)))
    by_event = run(contact, InterviewHeld(at=T0 + DAY + timedelta(hours=1)))
    assert by_timer == by_event


def test_a_thank_you_the_user_wrote_themselves_counts_and_our_draft_is_withdrawn() -> None:
    decision = decide(interviewed(), sent(BOB, None, T0 + 2 * DAY), T0 + 2 * DAY, POLICY)
    assert decision.contact.state is S.AWAITING_REPLY
    assert withdrawn(decision) == [Step.THANK_YOU]
    assert decision.contact.tries_used == 1


def test_a_message_before_the_interview_is_not_the_thank_you() -> None:
    contact = run(scheduled(), sent(BOB, None, T0 + timedelta(hours=2)))
    assert contact.state is S.SCHEDULED
    assert contact.pending_step(Step.THANK_YOU) is not None
    assert contact.last_outreach_at == T0 + timedelta(hours=2)


def test_a_reply_before_the_interview_keeps_the_drafted_thank_you() -> None:
    decision = decide(scheduled(), reply(T0 + timedelta(hours=3), BOB), T0, POLICY)
    assert decision.contact.state is S.SCHEDULED
    assert withdrawn(decision) == []


def test_a_reply_moves_to_in_conversation_and_withdraws_every_pending_draft() -> None:
    contact = run(awaiting(), TimerFired(at=T0 + 9 * DAY))
    assert contact.pending_step(Step.PHONE_MESSAGE) is not None
    decision = decide(contact, reply(T0 + 9 * DAY, BOB), T0 + 9 * DAY, POLICY)
    assert decision.contact.state is S.IN_CONVERSATION
    assert withdrawn(decision) == [Step.PHONE_MESSAGE]
    assert decision.contact.tries_used == 0


def test_three_tries_then_moved_on_and_the_user_is_told() -> None:
    contact = awaiting()
    seen: list[Step] = []
    for _ in range(10):
        wake = next_wakeup(contact, POLICY)
        assert wake is not None
        decision = decide(contact, TimerFired(at=wake), wake, POLICY)
        contact = decision.contact
        if contact.state is S.MOVED_ON:
            assert any(isinstance(e, NotifyUser) for e in decision.effects)
            break
        (step,) = steps(decision)
        seen.append(step)
        done = TaskDone(at=wake, step=step) if step is Step.PHONE_MESSAGE else sent(BOB, step, wake)
        contact = run(contact, done)
    assert seen == [Step.PHONE_MESSAGE, Step.CHECK_IN]
    assert contact.state is S.MOVED_ON
    assert contact.tries_used == 3
    assert next_wakeup(contact, POLICY) is None


def test_a_rejected_draft_is_skipped_and_the_next_try_counts_from_then() -> None:
    contact = interviewed()
    at = T0 + 3 * DAY
    decision = decide(contact, DraftRejected(at=at, step=Step.THANK_YOU), at, POLICY)
    assert decision.contact.state is S.AWAITING_REPLY
    assert (decision.contact.next_try, decision.contact.tries_used) == (1, 0)
    assert decision.contact.last_try_at == at
    assert [e.at for e in decision.effects if isinstance(e, SetTimer)] == [at + 7 * DAY]


def test_an_unapproved_draft_expires_and_the_user_is_told() -> None:
    contact = interviewed()
    item = contact.pending_step(Step.THANK_YOU)
    assert item is not None
    at = item.due_at + POLICY.draft_expires_after
    decision = decide(contact, TimerFired(at=at), at, POLICY)
    assert withdrawn(decision) == [Step.THANK_YOU]
    assert any(isinstance(e, NotifyUser) for e in decision.effects)
    assert decision.contact.state is S.AWAITING_REPLY
    assert decision.contact.tries_used == 0


def test_an_approved_draft_never_expires() -> None:
    contact = run(interviewed(), DraftApproved(at=T0 + DAY, step=Step.THANK_YOU))
    assert contact.pending[0].approved
    later = decide(contact, TimerFired(at=T0 + 30 * DAY), T0 + 30 * DAY, POLICY)
    assert later.ignored


def test_rejection_queues_keep_in_mind_once_then_nurture() -> None:
    decision = decide(
        in_conversation(), OutcomeRecorded(at=T0 + 3 * DAY, outcome=Outcome.REJECTED), T0, POLICY
    )
    assert decision.contact.state is S.NURTURE
    assert steps(decision) == [Step.KEEP_IN_MIND]
    again = decide(
        decision.contact, OutcomeRecorded(at=T0 + 4 * DAY, outcome=Outcome.REJECTED), T0, POLICY
    )
    assert again.ignored


def test_nurture_sends_stay_in_touch_every_nurture_every_after_two_way_contact() -> None:
    contact = run(nurture(), sent(BOB, Step.KEEP_IN_MIND, T0 + 4 * DAY))
    assert next_wakeup(contact, POLICY) == T0 + 94 * DAY
    decision = decide(contact, TimerFired(at=T0 + 94 * DAY), T0 + 94 * DAY, POLICY)
    assert steps(decision) == [Step.STAY_IN_TOUCH]
    # their reply withdraws it; nothing more until the user writes back
    answered = decide(decision.contact, reply(T0 + 95 * DAY, BOB), T0, POLICY)
    assert withdrawn(answered) == [Step.STAY_IN_TOUCH]
    assert next_wakeup(answered.contact, POLICY) is None
    resumed = run(answered.contact, sent(BOB, None, T0 + 100 * DAY))
    assert next_wakeup(resumed, POLICY) == T0 + 190 * DAY


def test_nurture_every_zero_means_never() -> None:
    policy = replace(POLICY, nurture_every=timedelta(0))
    contact = run(nurture(), sent(BOB, Step.KEEP_IN_MIND, T0 + 4 * DAY), policy=policy)
    assert next_wakeup(contact, policy) is None


@pytest.mark.parametrize("outcome", [Outcome.OFFER, Outcome.WITHDRAWN])
def test_offer_or_withdrawn_closes_and_withdraws_everything(outcome: Outcome) -> None:
    decision = decide(scheduled(), OutcomeRecorded(at=T0, outcome=outcome), T0, POLICY)
    assert decision.contact.state is S.CLOSED
    assert sorted(withdrawn(decision)) == sorted([Step.THANK_YOU, Step.CLOSING_CHECKLIST])
    assert decision.contact.pending == ()


def test_an_auto_reply_with_a_return_date_moves_the_next_due_time() -> None:
    contact = run(awaiting(), TimerFired(at=T0 + 9 * DAY))  # phone message pending
    back = date(2026, 3, 20)  # a Friday: first business day after is Monday 23rd
    event = AutoReplyReceived(at=T0 + 9 * DAY, message_id=mid(), return_date=back)
    decision = decide(contact, event, event.at, POLICY)
    (move,) = [e for e in decision.effects if isinstance(e, Reschedule)]
    assert move.step is Step.PHONE_MESSAGE
    assert move.due_at == datetime(2026, 3, 23, 9, 0, tzinfo=BERLIN)
    assert decision.contact.tries_used == 1  # no try used
    assert decision.contact.state is S.AWAITING_REPLY


def test_a_return_date_never_brings_a_follow_up_within_min_gap() -> None:
    contact = run(awaiting(), TimerFired(at=T0 + 9 * DAY), sent(BOB, None, T0 + 9 * DAY))
    contact = run(contact, TimerFired(at=T0 + 30 * DAY))  # check-in pending
    event = AutoReplyReceived(at=T0 + 30 * DAY, message_id=mid(), return_date=date(2026, 3, 1))
    past = decide(contact, event, event.at, POLICY)  # a return date already past moves nothing
    assert not any(isinstance(e, Reschedule) for e in past.effects)
    recent = run(
        contact,
        OutboundSeen(at=T0 + 31 * DAY, message_id=mid(), to=frozenset(), cc=frozenset({BOB})),
    )
    item = recent.pending_step(Step.CHECK_IN)
    assert item is not None
    assert item.due_at >= T0 + 38 * DAY


def test_a_permanent_bounce_makes_unreachable_a_temporary_one_changes_nothing() -> None:
    contact = awaiting()
    soft = decide(contact, BounceReceived(at=T0, message_id=mid(), permanent=False), T0, POLICY)
    assert soft.ignored
    hard = decide(contact, BounceReceived(at=T0, message_id=mid(), permanent=True), T0, POLICY)
    assert hard.contact.state is S.UNREACHABLE
    assert any(isinstance(e, NotifyUser) for e in hard.effects)
    assert next_wakeup(hard.contact, POLICY) is None


def test_a_new_interview_starts_the_cadence_over() -> None:
    contact = moved_on()
    event = InterviewRegistered(at=T0 + 70 * DAY, interview=interview(T0 + 75 * DAY))
    decision = decide(contact, event, event.at, POLICY)
    assert decision.contact.state is S.SCHEDULED
    assert (decision.contact.next_try, decision.contact.tries_used) == (0, 0)


def test_a_rescheduled_interview_moves_its_drafts() -> None:
    contact = scheduled()
    event = InterviewRegistered(at=T0, interview=interview(T0 + 3 * DAY))
    decision = decide(contact, event, T0, POLICY)
    assert decision.contact.state is S.SCHEDULED
    moves = {e.step: e.due_at for e in decision.effects if isinstance(e, Reschedule)}
    assert moves[Step.THANK_YOU] == T0 + 3 * DAY + timedelta(hours=1)
    assert decide(decision.contact, event, T0, POLICY).ignored


def test_a_cancelled_interview_drafts_nothing() -> None:
    decision = decide(scheduled(), InterviewCancelled(at=T0), T0, POLICY)
    assert decision.contact.state is S.CLOSED
    assert sorted(withdrawn(decision)) == sorted([Step.THANK_YOU, Step.CLOSING_CHECKLIST])


def test_a_referral_turned_interviewer_whose_interview_is_cancelled_keeps_nothing() -> None:
    contact = run(
        referred(),
        sent(CAROL, None, T0 + DAY),  # reached out without the source: source_attempted
        InterviewRegistered(at=T0 + DAY, interview=interview(T0 + 3 * DAY)),
    )
    assert contact.state is S.SCHEDULED
    assert contact.pending_step(Step.SOURCE_ATTEMPTED) is not None
    decision = decide(contact, InterviewCancelled(at=T0 + 2 * DAY), T0, POLICY)
    assert decision.contact.state is S.CLOSED
    assert decision.contact.pending == ()
    assert Step.SOURCE_ATTEMPTED in withdrawn(decision)


# --- referral ---------------------------------------------------------------------------


def test_a_referral_gets_an_intro_with_the_source_in_cc_within_reach_out_time() -> None:
    decision = decide(new_contact(added(CAROL)), ReferralRegistered(at=T0, source=SRC), T0, POLICY)
    assert decision.contact.state is S.REFERRED
    (intro,) = [e for e in decision.effects if isinstance(e, QueueStep)]
    assert (intro.step, intro.to, intro.cc) == (Step.REFERRAL_INTRO, CAROL, (SRC,))
    assert intro.due_at == T0


def test_reaching_out_with_the_source_in_cc_tells_no_one_else() -> None:
    decision = decide(
        referred(), sent(CAROL, Step.REFERRAL_INTRO, T0, cc=frozenset({SRC})), T0, POLICY
    )
    assert decision.contact.state is S.REACHED_OUT
    assert steps(decision) == []


def test_reaching_out_without_the_source_queues_source_attempted() -> None:
    decision = decide(referred(), sent(CAROL, None, T0 + DAY), T0, POLICY)
    assert decision.contact.state is S.REACHED_OUT
    assert withdrawn(decision) == [Step.REFERRAL_INTRO]
    (note,) = [e for e in decision.effects if isinstance(e, QueueStep)]
    assert (note.step, note.to) == (Step.SOURCE_ATTEMPTED, SRC)


def test_referral_check_ins_then_unreachable_with_one_source_note() -> None:
    contact = reached_out()
    notes: list[Step] = []
    for _ in range(10):
        wake = next_wakeup(contact, POLICY)
        if wake is None:
            break
        decision = decide(contact, TimerFired(at=wake), wake, POLICY)
        contact = decision.contact
        notes += steps(decision)
        if contact.pending_step(Step.REFERRAL_CHECK_IN):
            contact = run(contact, sent(CAROL, Step.REFERRAL_CHECK_IN, wake))
    assert notes == [Step.REFERRAL_CHECK_IN, Step.REFERRAL_CHECK_IN, Step.SOURCE_UNREACHABLE]
    assert contact.state is S.UNREACHABLE
    assert contact.tries_used == 3


def test_a_reply_from_the_referral_connects_and_tells_the_source() -> None:
    decision = decide(reached_out(), reply(T0 + 2 * DAY, CAROL), T0, POLICY)
    assert decision.contact.state is S.CONNECTED
    (note,) = [e for e in decision.effects if isinstance(e, QueueStep)]
    assert (note.step, note.to) == (Step.SOURCE_CONNECTED, SRC)


def test_a_reply_all_from_the_source_does_not_move_the_referral() -> None:
    decision = decide(reached_out(), reply(T0 + 2 * DAY, SRC), T0, POLICY)
    assert decision.ignored
    assert decision.contact.state is S.REACHED_OUT


def test_met_queues_the_thank_you_and_the_source_note() -> None:
    decision = decide(
        connected(), OutcomeRecorded(at=T0 + 3 * DAY, outcome=Outcome.MET), T0, POLICY
    )
    assert decision.contact.state is S.MET
    assert steps(decision) == [Step.REFERRAL_THANK_YOU, Step.SOURCE_MET]


@pytest.mark.parametrize(
    "gone",
    [
        BounceReceived(at=T0 + 2 * DAY, message_id="<b@x>", permanent=True),
        AutoReplyReceived(at=T0 + 2 * DAY, message_id="<a@x>", left_company=True),
    ],
    ids=["bounce", "left_company"],
)
def test_an_unreachable_referral_tells_the_source_exactly_once(gone: Event) -> None:
    decision = decide(reached_out(), gone, T0, POLICY)
    assert decision.contact.state is S.UNREACHABLE
    assert steps(decision) == [Step.SOURCE_UNREACHABLE]
    again = decide(
        decision.contact,
        BounceReceived(at=T0 + 3 * DAY, message_id=mid(), permanent=True),
        T0,
        POLICY,
    )
    assert steps(again) == []


def test_a_referral_who_replies_after_all_connects_and_the_stale_note_is_withdrawn() -> None:
    contact = unreachable()
    decision = decide(contact, reply(T0 + 3 * DAY, CAROL), T0, POLICY)
    assert decision.contact.state is S.CONNECTED
    assert withdrawn(decision) == [Step.SOURCE_UNREACHABLE]
    assert steps(decision) == [Step.SOURCE_CONNECTED]


def test_a_contact_who_is_only_a_source_has_state_source() -> None:
    contact = source()
    assert contact.state is S.SOURCE
    assert contact.roles == frozenset({Role.SOURCE})
    assert next_wakeup(contact, POLICY) is None


def test_an_interviewer_can_also_be_a_source() -> None:
    contact = run(awaiting(), ReferralSuggested(at=T0 + 3 * DAY, referral=CAROL))
    assert contact.state is S.AWAITING_REPLY
    assert contact.roles == frozenset({Role.INTERVIEWER, Role.SOURCE})


def test_a_source_note_completes_the_referral_item_and_counts_for_the_sources_gap() -> None:
    carol = run(reached_out(), reply(T0 + 2 * DAY, CAROL))
    note = OutboundSeen(
        at=T0 + 3 * DAY,
        message_id=mid(),
        to=frozenset({SRC}),
        step=Step.SOURCE_CONNECTED,
        owner=CAROL,
    )
    assert run(carol, note).pending == ()
    src = run(source(), note)
    assert src.last_outreach_at == T0 + 3 * DAY
    assert src.state is S.SOURCE


# --- the table and the log ---------------------------------------------------------------


def test_replay_gives_the_contact_of_the_step_by_step_decisions() -> None:
    log: list[Event] = [
        added(BOB),
        InterviewRegistered(at=T0, interview=interview(T0 + DAY)),
        InterviewHeld(at=T0 + DAY + timedelta(hours=1)),
        DraftApproved(at=T0 + DAY + timedelta(hours=1), step=Step.THANK_YOU),
        sent(BOB, Step.THANK_YOU, T0 + DAY + timedelta(hours=2)),
        TimerFired(at=T0 + 9 * DAY),
        reply(T0 + 10 * DAY, BOB),
        OutcomeRecorded(at=T0 + 11 * DAY, outcome=Outcome.REJECTED),
    ]
    contact = new_contact(added(BOB))
    for event in log[1:]:
        contact = decide(contact, event, event.at + timedelta(minutes=7), POLICY).contact
    assert replay(log, POLICY) == contact
    assert contact.state is S.NURTURE


def test_replay_needs_a_contact_added_first() -> None:
    with pytest.raises(ValueError, match="ContactAdded"):
        replay([TimerFired(at=T0)], POLICY)


def test_the_markdown_table_lists_every_rule() -> None:
    text = transitions_markdown()
    lines = text.splitlines()
    assert lines[0] == "| state | event | next state | what happens |"
    for (state, key), rule in TRANSITIONS.items():
        assert any(
            f" {key.value} |" in line and state.value in line.split("|")[1] and rule.does in line
            for line in lines[2:]
        ), (state, key)
    assert text == transitions_markdown()  # stable, so the README copy can be compared


def test_an_address_learned_is_the_contacts_from_then_on_once() -> None:
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    bob = Contact(id=ContactId("1"), email="bob@acme.example", state=ContactState.AWAITING_REPLY)
    policy = Policy.default(ZoneInfo("Europe/Berlin"))
    learned = decide(bob, AddressLearned(at=start, address="Carol@Acme.example"), start, policy)
    assert not learned.ignored and learned.contact.also == {"carol@acme.example"}
    again = decide(
        learned.contact, AddressLearned(at=start, address="carol@acme.example"), start, policy
    )
    assert again.ignored
