"""The dry run: what happens, to whom and when, if nobody answers."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followthru.core.events import (
    ContactAdded,
    Event,
    InterviewRegistered,
    OutcomeRecorded,
    ReferralRegistered,
    ReferralSuggested,
    ReplyReceived,
)
from followthru.core.machine import replay
from followthru.core.model import (
    Contact,
    ContactId,
    ContactState,
    Interview,
    Outcome,
    Policy,
    Step,
    StepKind,
)
from followthru.core.plan import PlannedStep, plan

BERLIN = ZoneInfo("Europe/Berlin")
POLICY = Policy.default(BERLIN)  # mon-fri 09:00-17:00
BOB, CAROL, SRC = ContactId("bob"), ContactId("carol"), ContactId("src")
NOW = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)


def added(cid: ContactId, at: datetime = NOW) -> ContactAdded:
    return ContactAdded(at=at, contact=cid, email=f"{cid}@acme.example")


def bob(reply_by: date | None = None) -> Contact:
    start = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    iv = Interview(start=start, end=start + timedelta(hours=1), company="Acme", reply_by=reply_by)
    return replay([added(BOB), InterviewRegistered(at=NOW, interview=iv)], POLICY)


def days(entries: list[PlannedStep]) -> list[tuple[str, date]]:
    return [
        (e.step.value if e.step else str(e.becomes), e.due_at.astimezone(BERLIN).date())
        for e in entries
    ]


def test_acceptance_three_tries_then_moved_on() -> None:
    entries = plan([bob()], POLICY, NOW, NOW + timedelta(days=60))
    assert days(entries) == [
        ("thank_you", date(2026, 3, 2)),
        ("phone_message", date(2026, 3, 9)),
        ("check_in", date(2026, 3, 16)),
        ("moved_on", date(2026, 3, 23)),
    ]
    assert [e.kind for e in entries] == [StepKind.EMAIL, StepKind.TASK, StepKind.EMAIL, None]
    assert {e.contact for e in entries} == {BOB}
    assert entries[0].becomes is ContactState.AWAITING_REPLY
    assert entries[-1].becomes is ContactState.MOVED_ON


def test_acceptance_with_an_agreed_reply_by_date() -> None:
    entries = plan([bob(reply_by=date(2026, 3, 5))], POLICY, NOW, NOW + timedelta(days=60))
    assert days(entries) == [
        ("thank_you", date(2026, 3, 2)),
        ("phone_message", date(2026, 3, 6)),
        ("check_in", date(2026, 3, 13)),
        ("moved_on", date(2026, 3, 20)),
    ]


def test_every_email_in_the_plan_lies_in_the_send_window() -> None:
    for entry in plan([bob()], POLICY, NOW, NOW + timedelta(days=60)):
        local = entry.due_at.astimezone(BERLIN)
        assert local.weekday() < 5
        assert 9 <= local.hour < 17


def test_the_plan_stops_at_until_and_changes_nothing() -> None:
    contact = bob()
    entries = plan([contact], POLICY, NOW, NOW + timedelta(days=10))
    assert [e.step for e in entries] == [Step.THANK_YOU, Step.PHONE_MESSAGE]
    assert all(NOW <= e.due_at <= NOW + timedelta(days=10) for e in entries)
    assert contact == bob()


def test_a_contact_in_conversation_has_nothing_planned() -> None:
    contact = replay(
        [
            added(BOB),
            InterviewRegistered(
                at=NOW, interview=Interview(start=NOW - timedelta(hours=2), end=NOW)
            ),
            ReplyReceived(at=NOW, message_id="<r@x>", sender=BOB),
        ],
        POLICY,
    )
    assert contact.state is ContactState.IN_CONVERSATION
    assert plan([contact], POLICY, NOW, NOW + timedelta(days=365)) == []


def test_a_future_interview_plans_the_checklist_then_the_thank_you() -> None:
    start = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)
    contact = replay(
        [
            added(BOB),
            InterviewRegistered(
                at=NOW, interview=Interview(start=start, end=start + timedelta(hours=1))
            ),
        ],
        POLICY,
    )
    entries = plan([contact], POLICY, NOW, NOW + timedelta(days=5))
    assert [(e.step, e.becomes) for e in entries] == [
        (Step.CLOSING_CHECKLIST, None),
        (None, ContactState.INTERVIEWED),
        (Step.THANK_YOU, ContactState.AWAITING_REPLY),
    ]
    assert entries[2].due_at == start + timedelta(hours=1)


def test_nurture_plans_a_stay_in_touch_every_nurture_every() -> None:
    log: list[Event] = [
        added(BOB),
        InterviewRegistered(at=NOW, interview=Interview(start=NOW - timedelta(hours=2), end=NOW)),
        ReplyReceived(at=NOW, message_id="<r@x>", sender=BOB),
        OutcomeRecorded(at=NOW, outcome=Outcome.REJECTED),
    ]
    entries = plan([replay(log, POLICY)], POLICY, NOW, NOW + timedelta(days=200))
    assert [e.step for e in entries] == [Step.KEEP_IN_MIND, Step.STAY_IN_TOUCH, Step.STAY_IN_TOUCH]
    gaps = [b.due_at - a.due_at for a, b in itertools.pairwise(entries)]
    assert all(timedelta(days=90) <= g < timedelta(days=93) for g in gaps)


def test_a_referral_plan_reaches_out_with_the_source_checks_in_and_tells_the_source() -> None:
    carol = replay([added(CAROL), ReferralRegistered(at=NOW, source=SRC)], POLICY)
    src = replay([added(SRC), ReferralSuggested(at=NOW, referral=CAROL)], POLICY)
    entries = plan([carol, src], POLICY, NOW, NOW + timedelta(days=60))
    assert [(e.contact, e.step) for e in entries] == [
        (CAROL, Step.REFERRAL_INTRO),
        (CAROL, Step.REFERRAL_CHECK_IN),
        (CAROL, Step.REFERRAL_CHECK_IN),
        (CAROL, None),
        (SRC, Step.SOURCE_UNREACHABLE),
    ]
    assert entries[3].becomes is ContactState.UNREACHABLE
    gaps = [b.due_at - a.due_at for a, b in itertools.pairwise(entries[:3])]
    assert all(g >= POLICY.min_gap for g in gaps)


def test_min_gap_holds_across_flows_of_one_person_in_the_plan() -> None:
    """Bob interviews and is Carol's source: the intro Cc's him, so his check-in waits."""
    carol = replay(
        [added(CAROL), ReferralRegistered(at=NOW + timedelta(days=12), source=BOB)], POLICY
    )
    b = replay([*_bob_log(), ReferralSuggested(at=NOW, referral=CAROL)], POLICY)
    entries = plan([b, carol], POLICY, NOW, NOW + timedelta(days=40))
    intro = next(e for e in entries if e.step is Step.REFERRAL_INTRO)
    check_in = next(e for e in entries if e.step is Step.CHECK_IN)
    assert check_in.due_at >= intro.due_at + POLICY.min_gap


def _bob_log() -> list[Event]:
    start = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    iv = Interview(start=start, end=start + timedelta(hours=1))
    return [added(BOB), InterviewRegistered(at=NOW, interview=iv)]


@pytest.mark.parametrize("offset_days", [0, 3, 20])
def test_planning_later_never_plans_in_the_past(offset_days: int) -> None:
    contact = bob()
    now = NOW + timedelta(days=offset_days)
    entries = plan([contact], POLICY, now, now + timedelta(days=30))
    assert entries
    assert all(e.due_at >= now for e in entries)
