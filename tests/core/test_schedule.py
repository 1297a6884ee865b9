"""Due times, the send window and business days, across daylight-saving edges."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followthru.core.model import (
    Contact,
    ContactId,
    ContactState,
    Interview,
    Pending,
    Policy,
    Role,
    Step,
    TryKind,
)
from followthru.core.schedule import (
    after_absence,
    catch_up,
    checklist_due,
    expires_at,
    hold,
    next_due,
    send_at,
    thank_you_due,
    try_due,
)
from followthru.core.window import (
    add_business_days,
    day_start,
    is_open,
    local_instant,
    next_business_day,
    next_opening,
)

BERLIN = ZoneInfo("Europe/Berlin")
POLICY = Policy.default(BERLIN)
BOB = ContactId("bob")
DAY = timedelta(days=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def contact(**changes: object) -> Contact:
    base = Contact(id=BOB, email="bob@acme.example", roles=frozenset({Role.INTERVIEWER}))
    return replace(base, **changes)  # type: ignore[arg-type]


# --- local times across DST ---------------------------------------------------------------


def test_a_wall_time_in_the_spring_gap_is_the_instant_of_the_jump() -> None:
    # 2026-03-29: Berlin jumps from 02:00 CET to 03:00 CEST at 01:00 UTC.
    assert local_instant(date(2026, 3, 29), time(2, 30), BERLIN) == utc(2026, 3, 29, 1, 0)


def test_an_ambiguous_wall_time_in_the_autumn_is_its_first_occurrence() -> None:
    # 2026-10-25: 02:30 happens twice (CEST, then CET); the first is 00:30 UTC.
    first = local_instant(date(2026, 10, 25), time(2, 30), BERLIN)
    assert first == utc(2026, 10, 25, 0, 30)
    assert first.fold == 0


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        ("America/Santiago", date(2026, 9, 6), utc(2026, 9, 6, 4, 0)),  # midnight skipped
        ("America/Havana", date(2026, 3, 8), utc(2026, 3, 8, 5, 0)),  # midnight skipped
        ("Europe/Berlin", date(2026, 3, 29), utc(2026, 3, 28, 23, 0)),
    ],
)
def test_the_start_of_a_day_exists_even_when_midnight_does_not(
    zone: str, day: date, expected: datetime
) -> None:
    start = day_start(day, Policy.default(ZoneInfo(zone)))
    assert start == expected
    assert start.astimezone(ZoneInfo(zone)).date() == day


def test_the_window_opens_at_nine_local_on_both_sides_of_the_change() -> None:
    friday_evening = utc(2026, 3, 27, 17, 0)  # 18:00 CET
    assert next_opening(friday_evening, POLICY) == utc(2026, 3, 30, 7, 0)  # Mon 09:00 CEST
    friday_autumn = utc(2026, 10, 23, 16, 0)  # 18:00 CEST
    assert next_opening(friday_autumn, POLICY) == utc(2026, 10, 26, 8, 0)  # Mon 09:00 CET


def test_a_window_starting_inside_the_gap_opens_at_the_jump() -> None:
    policy = replace(POLICY, send_days=frozenset(range(7)), send_start=time(2, 30))
    assert next_opening(utc(2026, 3, 28, 23, 30), policy) == utc(2026, 3, 29, 1, 0)


def test_an_end_of_24_00_keeps_the_window_open_until_midnight() -> None:
    policy = replace(POLICY, send_end=None)
    late = datetime(2026, 3, 6, 23, 59, tzinfo=BERLIN)  # a Friday
    assert is_open(late, policy)
    assert not is_open(late, POLICY)
    saturday = datetime(2026, 3, 7, 0, 1, tzinfo=BERLIN)
    assert next_opening(saturday, policy) == datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN)


def test_the_window_is_in_the_users_zone_not_the_hosts() -> None:
    tokyo = Policy.default(ZoneInfo("Asia/Tokyo"))
    t = utc(2026, 3, 2, 1, 0)  # 10:00 Monday in Tokyo, 02:00 in Berlin
    assert is_open(t, tokyo)
    assert not is_open(t, POLICY)


def test_a_window_that_never_opens_is_an_error() -> None:
    with pytest.raises(ValueError, match="never opens"):
        next_opening(utc(2026, 3, 2, 8, 0), replace(POLICY, send_days=frozenset()))


ZONES = ["Europe/Berlin", "America/New_York", "America/Santiago", "Australia/Lord_Howe", "UTC"]


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    t=st.datetimes(
        min_value=datetime(2025, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=datetime(2028, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    days=st.frozensets(st.integers(0, 6), min_size=1),
    start=st.integers(0, 47),
    length=st.integers(1, 48),
)
def test_next_opening_is_the_earliest_open_instant_not_before_t(
    zone: str, t: datetime, days: frozenset[int], start: int, length: int
) -> None:
    begin = time(start // 2, 30 * (start % 2))
    end_minutes = min(start * 30 + length * 30, 24 * 60)
    end = None if end_minutes == 24 * 60 else time(end_minutes // 60, end_minutes % 60)
    policy = replace(Policy.default(ZoneInfo(zone)), send_days=days, send_start=begin, send_end=end)
    opening = next_opening(t, policy)
    assert opening >= t
    assert is_open(opening, policy)
    if opening > t:
        assert not is_open(opening - timedelta(microseconds=1), policy)


# --- business days ---------------------------------------------------------------------------


def test_business_days_skip_the_weekend() -> None:
    assert next_business_day(date(2026, 3, 6)) == date(2026, 3, 9)  # Fri -> Mon
    assert next_business_day(date(2026, 3, 7)) == date(2026, 3, 9)  # Sat -> Mon
    assert next_business_day(date(2026, 3, 4)) == date(2026, 3, 5)
    assert add_business_days(date(2026, 3, 5), 3) == date(2026, 3, 10)


# --- due times -------------------------------------------------------------------------------


def interview(start: datetime, hours: int = 1, reply_by: date | None = None) -> Interview:
    return Interview(start=start, end=start + timedelta(hours=hours), reply_by=reply_by)


def test_the_thank_you_is_due_at_the_end_when_the_window_is_open() -> None:
    iv = interview(utc(2026, 3, 2, 14, 0))
    assert thank_you_due(iv, POLICY) == utc(2026, 3, 2, 15, 0)


def test_a_late_interview_gets_its_thank_you_next_morning() -> None:
    iv = interview(datetime(2026, 3, 3, 18, 0, tzinfo=BERLIN))  # Tuesday evening
    assert thank_you_due(iv, POLICY) == datetime(2026, 3, 4, 9, 0, tzinfo=BERLIN)


def test_a_friday_evening_interview_gets_its_thank_you_on_monday() -> None:
    iv = interview(datetime(2026, 3, 6, 18, 0, tzinfo=BERLIN))
    assert thank_you_due(iv, POLICY) == datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN)


def test_thank_you_after_is_counted_from_the_end() -> None:
    policy = replace(POLICY, thank_you_after=timedelta(hours=2))
    iv = interview(datetime(2026, 3, 3, 10, 0, tzinfo=BERLIN))
    assert thank_you_due(iv, policy) == datetime(2026, 3, 3, 13, 0, tzinfo=BERLIN)


def test_the_checklist_is_due_the_morning_of_the_interview() -> None:
    iv = interview(datetime(2026, 3, 3, 14, 0, tzinfo=BERLIN))
    assert checklist_due(iv, POLICY) == datetime(2026, 3, 3, 9, 0, tzinfo=BERLIN)


def test_an_approved_thank_you_never_goes_out_before_the_interview_ends() -> None:
    iv = interview(datetime(2026, 3, 3, 14, 0, tzinfo=BERLIN))
    bob = contact(interview=iv, state=ContactState.SCHEDULED)
    early = Pending(step=Step.THANK_YOU, due_at=datetime(2026, 3, 2, 9, 0, tzinfo=BERLIN), to=BOB)
    assert send_at(early, bob, POLICY, datetime(2026, 3, 2, 10, 0, tzinfo=BERLIN)) == iv.end


def test_an_overdue_email_goes_out_now_or_at_the_next_opening() -> None:
    item = Pending(step=Step.SOURCE_MET, due_at=utc(2026, 3, 2, 8, 0), to=BOB)
    assert send_at(item, contact(), POLICY, utc(2026, 3, 3, 10, 0)) == utc(2026, 3, 3, 10, 0)
    assert send_at(item, contact(), POLICY, utc(2026, 3, 3, 20, 0)) == utc(2026, 3, 4, 8, 0)


def test_a_follow_up_email_waits_min_gap_after_any_outreach() -> None:
    last = utc(2026, 3, 5, 10, 0)
    bob = contact(last_outreach_at=last)
    item = Pending(step=Step.CHECK_IN, due_at=utc(2026, 3, 6, 10, 0), to=BOB)
    assert send_at(item, bob, POLICY, utc(2026, 3, 6, 10, 0)) == last + POLICY.min_gap


@pytest.mark.parametrize(
    "step",
    [
        Step.KEEP_IN_MIND,
        Step.SOURCE_CONNECTED,
        Step.SOURCE_MET,
        Step.SOURCE_UNREACHABLE,
        Step.REFERRAL_THANK_YOU,
    ],
)
def test_messages_called_for_by_news_are_not_held_by_min_gap(step: Step) -> None:
    bob = contact(last_outreach_at=utc(2026, 3, 5, 10, 0))
    now = utc(2026, 3, 6, 10, 0)
    assert send_at(Pending(step=step, due_at=now, to=BOB), bob, POLICY, now) == now


def test_the_second_try_is_due_a_business_day_after_the_agreed_date() -> None:
    iv = interview(utc(2026, 3, 2, 14, 0), reply_by=date(2026, 3, 5))
    bob = contact(
        interview=iv,
        state=ContactState.AWAITING_REPLY,
        next_try=1,
        last_try_at=utc(2026, 3, 2, 15, 30),
    )
    assert try_due(bob, Step.PHONE_MESSAGE, POLICY) == datetime(2026, 3, 6, 9, 0, tzinfo=BERLIN)


def test_a_reply_by_date_already_past_falls_back_to_check_in_after() -> None:
    iv = interview(utc(2026, 3, 2, 14, 0), reply_by=date(2026, 3, 1))
    bob = contact(
        interview=iv,
        state=ContactState.AWAITING_REPLY,
        next_try=1,
        last_try_at=utc(2026, 3, 2, 15, 30),
    )
    assert try_due(bob, Step.PHONE_MESSAGE, POLICY) == utc(2026, 3, 9, 15, 30)


def test_the_third_try_is_due_min_gap_after_the_second() -> None:
    bob = contact(
        state=ContactState.AWAITING_REPLY, next_try=2, last_try_at=utc(2026, 3, 9, 15, 30)
    )
    due = next_due(bob, POLICY)
    assert due is not None
    assert (due.step, due.at) == (Step.CHECK_IN, utc(2026, 3, 16, 15, 30))


def test_an_email_only_cadence_holds_the_second_try_by_min_gap() -> None:
    policy = replace(POLICY, tries=(TryKind.EMAIL, TryKind.EMAIL, TryKind.EMAIL))
    iv = interview(utc(2026, 3, 2, 14, 0), reply_by=date(2026, 3, 3))
    sent = utc(2026, 3, 2, 15, 30)
    bob = contact(
        interview=iv,
        state=ContactState.AWAITING_REPLY,
        next_try=1,
        last_try_at=sent,
        last_outreach_at=sent,
    )
    assert try_due(bob, Step.CHECK_IN, policy) == sent + policy.min_gap


def test_giving_up_comes_give_up_after_the_last_try() -> None:
    bob = contact(
        state=ContactState.AWAITING_REPLY, next_try=3, last_try_at=utc(2026, 3, 16, 15, 30)
    )
    due = next_due(bob, POLICY)
    assert due is not None
    assert (due.step, due.at) == (None, utc(2026, 3, 23, 15, 30))


def test_a_pending_try_holds_everything_else() -> None:
    item = Pending(step=Step.PHONE_MESSAGE, due_at=utc(2026, 3, 9, 15, 30), to=BOB)
    bob = contact(
        state=ContactState.AWAITING_REPLY, next_try=1, last_try_at=utc(2026, 3, 2), pending=(item,)
    )
    assert next_due(bob, POLICY) is None


# --- out of office -------------------------------------------------------------------------------


def test_an_absence_moves_a_due_time_to_the_first_business_day_after_the_return() -> None:
    bob = contact(away_until=date(2026, 3, 13))  # a Friday
    due = after_absence(utc(2026, 3, 10, 9, 0), bob, POLICY)
    assert due == day_start(date(2026, 3, 16), POLICY)
    assert hold(utc(2026, 3, 10, 9, 0), Step.CHECK_IN, bob, POLICY) == datetime(
        2026, 3, 16, 9, 0, tzinfo=BERLIN
    )


def test_an_absence_never_brings_a_due_time_within_min_gap() -> None:
    last = utc(2026, 3, 13, 12, 0)
    bob = contact(away_until=date(2026, 3, 13), last_outreach_at=last)
    assert after_absence(utc(2026, 3, 10, 9, 0), bob, POLICY) == last + POLICY.min_gap


def test_an_absence_in_the_past_moves_nothing() -> None:
    bob = contact(away_until=date(2026, 2, 13), last_outreach_at=utc(2026, 3, 9))
    assert after_absence(utc(2026, 3, 10, 9, 0), bob, POLICY) == utc(2026, 3, 10, 9, 0)


def test_a_thank_you_held_by_an_absence_stays_held_once_the_return_date_has_passed() -> None:
    # Found by the plan's reference test: asked after the return date, send_at used to
    # answer "now" for a thank-you the absence had moved to min_gap after the last outreach,
    # so the sender would have sent it days before the time the plan showed.
    last = utc(2026, 3, 2, 10, 0)
    dan = contact(away_until=date(2026, 3, 3), last_outreach_at=last)
    item = Pending(step=Step.THANK_YOU, due_at=utc(2026, 3, 2, 8, 0), to=BOB)
    held = last + POLICY.min_gap
    for asked in (utc(2026, 3, 2, 10, 0), utc(2026, 3, 4, 8, 0), utc(2026, 3, 9, 9, 30)):
        assert send_at(item, dan, POLICY, asked) == held
    assert send_at(item, dan, POLICY, held + DAY) == held + DAY


STEPS = st.sampled_from(list(Step))
INSTANTS = st.datetimes(
    min_value=datetime(2026, 2, 20),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2026, 4, 10),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@settings(max_examples=500, deadline=None)
@given(
    step=STEPS,
    due=INSTANTS,
    asked=st.lists(INSTANTS, min_size=2, max_size=2),
    last=st.none() | INSTANTS,
    away=st.none() | st.dates(date(2026, 2, 20), date(2026, 4, 10)),
    ended=st.none() | INSTANTS,
)
def test_send_at_asked_later_is_never_earlier_and_never_before_now(
    step: Step,
    due: datetime,
    asked: list[datetime],
    last: datetime | None,
    away: date | None,
    ended: datetime | None,
) -> None:
    iv = None if ended is None else interview(ended - timedelta(hours=1))
    bob = contact(interview=iv, away_until=away, last_outreach_at=last)
    item = Pending(step=step, due_at=due, to=BOB)
    early, late = sorted(asked)
    first, then = send_at(item, bob, POLICY, early), send_at(item, bob, POLICY, late)
    assert early <= first <= then and late <= then
    assert is_open(then, POLICY)
    if first >= late:  # nothing new since: the same answer
        assert then == first


# --- expiry and catch-up ---------------------------------------------------------------------------


def test_drafts_expire_after_draft_expires_after_and_the_intro_after_reach_out_within() -> None:
    due = utc(2026, 3, 2, 9, 0)
    assert expires_at(Pending(step=Step.CHECK_IN, due_at=due, to=BOB), POLICY) == due + 5 * DAY
    assert (
        expires_at(Pending(step=Step.REFERRAL_INTRO, due_at=due, to=BOB), POLICY) == due + 3 * DAY
    )
    assert (
        expires_at(Pending(step=Step.CHECK_IN, due_at=due, to=BOB, approved=True), POLICY) is None
    )


@pytest.mark.parametrize("days_late", [0, 12, 20, 400])
def test_an_item_queued_late_gets_its_whole_window_from_when_it_was_queued(days_late: int) -> None:
    """SPEC "Catch-up": a daemon that was down queues the overdue try late; the user still
    has `draft_expires_after` from then (before, it expired in the pass that queued it)."""
    due = utc(2026, 3, 2, 9, 0)
    queued = due + days_late * DAY
    item = Pending(step=Step.CHECK_IN, due_at=due, to=BOB, queued_at=queued)
    assert expires_at(item, POLICY) == queued + 5 * DAY
    intro = Pending(step=Step.REFERRAL_INTRO, due_at=due, to=BOB, queued_at=queued)
    assert expires_at(intro, POLICY) == queued + 3 * DAY
    early = Pending(step=Step.CHECK_IN, due_at=due, to=BOB, queued_at=due - 2 * DAY)
    assert expires_at(early, POLICY) == due + 5 * DAY  # queued ahead: it counts from its due time


def test_catch_up_sends_overdue_items_one_at_a_time_in_due_order() -> None:
    now = utc(2026, 3, 10, 9, 0)
    items = [("c", now - DAY), ("a", now - 3 * DAY), ("future", now + DAY), ("b", now - 2 * DAY)]
    planned = catch_up(items, now, POLICY, spacing=timedelta(minutes=5))
    assert [k for k, _ in planned] == ["a", "b", "c", "future"]
    times = [t for _, t in planned]
    assert times[:3] == [now, now + timedelta(minutes=5), now + timedelta(minutes=10)]
    assert times[3] == now + DAY


def test_catch_up_keeps_the_spacing_after_the_last_send() -> None:
    now = utc(2026, 3, 10, 9, 0)
    items = [("a", now - DAY), ("b", now - DAY)]
    planned = catch_up(
        items, now, POLICY, spacing=timedelta(minutes=5), last_sent=now - timedelta(minutes=2)
    )
    assert [t for _, t in planned] == [now + timedelta(minutes=3), now + timedelta(minutes=8)]
    long_ago = catch_up(items, now, POLICY, spacing=timedelta(minutes=5), last_sent=now - DAY)
    assert [t for _, t in long_ago] == [now, now + timedelta(minutes=5)]


def test_catch_up_only_delays_and_stays_in_the_window() -> None:
    now = datetime(2026, 3, 6, 16, 58, tzinfo=BERLIN)  # Friday, two minutes before closing
    items = [(i, now - DAY) for i in range(3)]
    planned = catch_up(items, now, POLICY, spacing=timedelta(minutes=5))
    assert planned[0][1] == now
    assert planned[1][1] == datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN)
    assert all(is_open(t, POLICY) and t >= now - DAY for _, t in planned)


# --- the policy ---------------------------------------------------------------------------------------


def test_the_default_policy_is_the_spec_default_and_usable() -> None:
    policy = Policy.default(BERLIN)
    assert policy.problems() == []
    assert policy.tries == ("email", "phone", "email")
    assert (policy.min_gap, policy.nurture_every, policy.referral_check_ins) == (
        7 * DAY,
        90 * DAY,
        2,
    )
    assert policy.send_days == frozenset({0, 1, 2, 3, 4})
    assert policy.auto_send == frozenset()


def test_policy_problems_name_the_key() -> None:
    bad = replace(
        POLICY,
        tries=(TryKind.PHONE,),
        send_days=frozenset(),
        send_end=time(8, 0),
        min_gap=-DAY,
        referral_check_ins=-1,
    )
    keys = [p.split(":")[0] for p in bad.problems()]
    assert keys == [
        "tries",
        "send_window.days",
        "send_window.hours",
        "min_gap",
        "referral_check_ins",
    ]


def test_referral_check_ins_are_capped_by_the_tries() -> None:
    assert replace(POLICY, referral_check_ins=5).referral_check_ins_allowed == 2
    assert replace(POLICY, tries=(TryKind.EMAIL,)).referral_check_ins_allowed == 0
