"""core.jobflow through the machine: the user's move and a pause, on an interviewer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from followthru.core.events import (
    ContactAdded,
    InterviewRegistered,
    MoveMade,
    MoveOwed,
    OutboundSeen,
    ProcessPaused,
)
from followthru.core.machine import decide, new_contact
from followthru.core.model import Contact, ContactId, ContactState, Interview, Policy, Step
from followthru.core.schedule import next_due

TZ = ZoneInfo("Europe/Berlin")
POLICY = Policy.default(TZ)
T0 = datetime(2026, 3, 2, 10, tzinfo=TZ)
BOB = ContactId("1")


def awaiting() -> Contact:
    """Bob, interviewed on 2 March, the thank-you sent: awaiting_reply."""
    c = new_contact(ContactAdded(at=T0, contact=BOB, email="bob@acme.example"))
    iv = Interview(start=T0, end=T0 + timedelta(hours=1))
    later = T0 + timedelta(hours=2)  # registered once over: interviewed
    c = decide(c, InterviewRegistered(at=later, interview=iv), later, POLICY).contact
    c = decide(c, OutboundSeen(at=T0 + timedelta(hours=2), message_id="<t>", to=frozenset({BOB}),
                               step=Step.THANK_YOU, owner=BOB), T0, POLICY).contact  # fmt: skip
    assert c.state is ContactState.AWAITING_REPLY
    return c


def test_while_the_user_owes_a_move_nothing_is_due_and_writing_restarts_the_clock() -> None:
    c = awaiting()
    assert next_due(c, POLICY) is not None
    owed = decide(c, MoveOwed(at=T0 + timedelta(days=2), message_id="<r>"), T0, POLICY).contact
    assert owed.owes_move and next_due(owed, POLICY) is None
    wrote = T0 + timedelta(days=20)
    freed = decide(owed, MoveMade(at=wrote, message_id="<a>"), wrote, POLICY).contact
    due = next_due(freed, POLICY)
    assert not freed.owes_move and due is not None and due.at >= wrote + POLICY.check_in_after


def test_writing_to_them_directly_also_makes_the_move() -> None:
    owed = decide(
        awaiting(), MoveOwed(at=T0 + timedelta(days=2), message_id="<r>"), T0, POLICY
    ).contact
    mail = OutboundSeen(at=T0 + timedelta(days=3), message_id="<o>", to=frozenset({BOB}))
    assert not decide(owed, mail, T0, POLICY).contact.owes_move


def test_a_pause_moves_the_next_try_past_its_date() -> None:
    until = date(2026, 5, 4)
    paused = decide(
        awaiting(), ProcessPaused(at=T0, message_id="<p>", until=until), T0, POLICY
    ).contact
    due = next_due(paused, POLICY)
    assert due is not None and due.at.date() > until
    assert paused.state is ContactState.AWAITING_REPLY  # not a "no"
