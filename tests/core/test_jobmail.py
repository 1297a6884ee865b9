"""core.jobmail: which process a job message is about, and what it does to it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from followthru.core.effects import NoticeKind
from followthru.core.events import MoveMade, MoveOwed, OutcomeRecorded, ProcessPaused
from followthru.core.jobmail import (
    act,
    belongs,
    company_key,
    company_keys,
    confirms_interview,
    domain_key,
    people_of,
)
from followthru.core.model import Contact, ContactId, Outcome
from followthru.core.reading.jobs import JobReading

AT = datetime(2026, 3, 9, 9, tzinfo=UTC)
PEOPLE = (ContactId("1"), ContactId("2"))
PAUSE = timedelta(days=30)


def reading(event: str, confidence: str = "high", deadline: date | None = None) -> JobReading:
    return JobReading(event, "greenhouse", "Acme", "Engineer", deadline, confidence, "a rule")


@pytest.mark.parametrize(
    ("a", "b"),
    [("Acme", "ACME Corp."), ("Acme", "acme, inc"), ("Société Générale", "Societe Generale SA"),
     ("The Widget Company", "Widget")],
)  # fmt: skip
def test_company_names_compare_without_case_accents_or_legal_suffixes(a: str, b: str) -> None:
    assert company_key(a) == company_key(b) != ""


def test_a_contact_belongs_by_company_or_by_domain() -> None:
    by_name = Contact(id=ContactId("1"), email="bob@x.example", company="Acme GmbH")
    by_domain = Contact(id=ContactId("2"), email="ana@acme.example", company_domain="acme.example")
    other = Contact(id=ContactId("3"), email="eve@acmex.example", company_domain="acmex.example")
    assert belongs(by_name, "acme") and belongs(by_domain, "acme")
    assert not belongs(other, "acme") and not belongs(by_name, "")
    assert domain_key("acme-robotics.example") == "acmerobotics"


def test_a_rejection_is_an_outcome_for_each_person_with_the_personal_paths_key() -> None:
    action = act(reading("rejection"), "<m>", AT, PEOPLE, paused_check_in_after=PAUSE)
    assert [c for c, _ in action.deliveries] == list(PEOPLE)
    assert {e for _, e in action.deliveries} == {
        OutcomeRecorded(at=AT, outcome=Outcome.REJECTED, message_id="<m>#rejection")
    }
    assert action.notice is not None and action.notice.kind is NoticeKind.JOB_NEWS


@pytest.mark.parametrize(
    "event", ["rejection", "offer", "paused", "interview_request", "assessment"]
)
def test_a_low_reading_changes_nothing_and_asks(event: str) -> None:
    action = act(reading(event, "low"), "<m>", AT, PEOPLE, paused_check_in_after=PAUSE)
    assert action.deliveries == () and action.news is None
    assert action.notice is not None and action.notice.kind is NoticeKind.JOB_UNCONFIRMED


def test_the_users_move_holds_everyone_with_the_deadline() -> None:
    due = date(2026, 3, 12)
    action = act(
        reading("assessment", deadline=due), "<m>", AT, PEOPLE, paused_check_in_after=PAUSE
    )
    assert {e for _, e in action.deliveries} == {
        MoveOwed(at=AT, message_id="<m>#move", deadline=due)
    }
    assert action.notice is not None and "2026-03-12" in action.notice.text


def test_a_pause_without_a_date_lasts_paused_check_in_after() -> None:
    action = act(reading("paused"), "<m>", AT, PEOPLE, paused_check_in_after=PAUSE)
    assert {e for _, e in action.deliveries} == {
        ProcessPaused(at=AT, message_id="<m>#paused", until=date(2026, 4, 8))
    }
    stated = act(reading("paused", deadline=date(2026, 6, 1)), "<m>", AT, PEOPLE,
                 paused_check_in_after=PAUSE)  # fmt: skip
    assert {e.until for _, e in stated.deliveries if isinstance(e, ProcessPaused)} == {
        date(2026, 6, 1)
    }


def test_a_confirmed_time_frees_the_users_move_and_says_so_only_without_interviews() -> None:
    assert confirms_interview(reading("interview_scheduled"))
    assert not confirms_interview(reading("interview_scheduled", "low"))
    some = act(reading("interview_scheduled"), "<m>", AT, PEOPLE, paused_check_in_after=PAUSE,
               interviews=2)  # fmt: skip
    assert {e for _, e in some.deliveries} == {MoveMade(at=AT, message_id="<m>#scheduled")}
    assert some.notice is None
    none = act(reading("interview_scheduled"), "<m>", AT, (), paused_check_in_after=PAUSE)
    assert none.notice is not None and "add interview" in none.notice.text


def test_an_acknowledgement_is_recorded_and_alerts_do_nothing() -> None:
    ack = act(reading("application_received"), "<m>", AT, PEOPLE, paused_check_in_after=PAUSE)
    assert ack.deliveries == () and ack.notice is None
    assert ack.news is not None and ack.news.company == "Acme"
    alert = act(reading("other_job"), "<m>", AT, PEOPLE, paused_check_in_after=PAUSE)
    assert alert == type(alert)(reason=alert.reason)


def test_company_keys_are_what_belongs_answers_to() -> None:
    people = [
        Contact(id=ContactId("1"), email="bob@acme.example", company="Acme GmbH"),
        Contact(id=ContactId("2"), email="ana@acme.example", company_domain="acme.example"),
        Contact(id=ContactId("3"), email="eve@globex.example", company_domain="globex.example"),
        Contact(id=ContactId("4"), email="joe@gmail.example", company="Globex Corp."),
    ]
    for person in people:
        keys = company_keys(person.company, person.company_domain)
        for key in ("acme", "globex", "initech", ""):
            assert (key in keys) == belongs(person, key)
    assert people_of(people, {"globex"}) == ("3", "4")


def test_a_contacts_question_is_the_users_move_whatever_the_wordings_confidence() -> None:
    low = reading("interview_request", "low")
    asked = act(low, "<m>", AT, PEOPLE, paused_check_in_after=PAUSE, from_contact=True)
    assert {e for _, e in asked.deliveries} == {MoveOwed(at=AT, message_id="<m>#move")}
    assert asked.notice is not None and asked.notice.kind is NoticeKind.YOUR_MOVE
    no = act(reading("rejection", "low"), "<m>", AT, PEOPLE, paused_check_in_after=PAUSE,
             from_contact=True)  # fmt: skip
    assert no.deliveries == ()  # a "no" in a contact's words is the personal path's to read
