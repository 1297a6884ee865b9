"""The job reading's rules one at a time, and the rule tables' merge and validation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from followthru.adapters.rulesfile import _shipped_data, shipped_rules
from followthru.core.reading.classify import classification_json, classify
from followthru.core.reading.jobrules import RulesError, compile_rules, merge
from followthru.core.reading.jobs import JobReading, read_job
from followthru.core.reading.message import Address, Headers, Message

MONDAY = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def mail(
    text: str,
    *,
    sender: str = "jamie@globex.example",
    name: str = "Jamie Chen",
    subject: str = "Your application",
    headers: tuple[tuple[str, str], ...] = (),
) -> Message:
    return Message(
        from_=(Address(sender, name),), subject=subject, date=MONDAY, text=text,
        headers=Headers(headers),
    )  # fmt: skip


def read(msg: Message, rules: Any = None) -> JobReading | None:
    return read_job(msg, msg.text, MONDAY.date(), rules or shipped_rules())


def test_vendor_and_wording_agree_is_high_confidence() -> None:
    got = read(mail("We have decided not to move forward with your application.",
                    sender="no-reply@us.greenhouse-mail.io", name="Globex"))  # fmt: skip
    assert got is not None
    assert (got.event, got.ats, got.company, got.confidence) == (
        "rejection",
        "greenhouse",
        "Globex",
        "high",
    )
    assert "greenhouse" in got.reason and "move forward" in got.reason


def test_wording_alone_is_low_confidence() -> None:
    got = read(mail("We have decided not to move forward with your application."))
    assert got is not None and (got.event, got.ats, got.confidence) == ("rejection", None, "low")
    assert got.company == "Globex"  # a person's own company domain


def test_unfortunately_alone_is_no_rejection() -> None:
    got = read(mail("Unfortunately I'm out next week. Could we schedule the interview after?"))
    assert got is not None and got.event == "interview_request"


def test_a_hiring_freeze_is_a_pause_even_with_a_no_word() -> None:
    text = "Unfortunately we are not moving forward with any candidates: there is a hiring freeze."
    got = read(mail(text))
    assert got is not None and got.event == "paused"


def test_an_offer_under_a_negation_is_not_one() -> None:
    got = read(mail("I'm sorry, we are unable to extend an offer for the role."))
    assert got is None or got.event != "offer"


def test_mail_about_nothing_job_related_reads_as_none() -> None:
    assert read(mail("Are you free for lunch on Thursday?", subject="lunch")) is None


def test_a_mailing_list_carries_no_process_step() -> None:
    msg = mail("Pleased to offer you 20% off: the hiring season is here.",
               headers=(("list-id", "<news.example>"),))  # fmt: skip
    assert read(msg) is None


def test_workday_tenant_link_names_the_vendor_for_a_no_reply_sender() -> None:
    text = "Thank you for applying.\nhttps://acme.wd5.myworkdayjobs.com/en-US/External/job/X_R-1"
    got = read(mail(text, sender="noreply@acme.example", name="Acme Talent Acquisition"))
    assert got is not None and (got.ats, got.company) == ("workday", "Acme")


def test_the_company_is_never_the_vendor() -> None:
    got = read(mail("Your application was sent to Initech.", sender="jobs-noreply@linkedin.com",
                    name="LinkedIn", subject="Alex, your application was sent to Initech"))  # fmt: skip
    assert got is not None and got.company == "Initech" and got.ats == "linkedin"


def test_deadline_relative_to_the_message_date() -> None:
    got = read(mail("Please complete the coding challenge within 7 days."))
    assert got is not None and got.event == "assessment" and str(got.deadline) == "2026-03-16"


def test_referral_names_the_other_person() -> None:
    text = "I'm not the right person for this role. Please reach out to Jane Holm <jane@globex.example>."
    got = read(mail(text))
    assert got is not None and got.referral is not None
    assert (got.referral.address, got.referral.name) == ("jane@globex.example", "Jane Holm")


def test_classify_json_carries_the_job_object() -> None:
    msg = mail("Thanks for applying to Globex!", sender="no-reply@hire.lever.co", name="Globex")
    got = classification_json("x.eml", msg, classify(msg, job_rules=shipped_rules()))["job"]
    assert list(got) == [
        "event",
        "ats",
        "company",
        "role",
        "deadline",
        "confidence",
        "reason",
        "referral",
    ]
    assert got["event"] == "application_received" and got["ats"] == "lever"


def test_without_rules_there_is_no_job_reading() -> None:
    assert classify(mail("Thanks for applying to Globex!")).job is None


# ---------------------------------------------------------------- the tables


def test_a_user_entry_replaces_a_shipped_one_by_id() -> None:
    user = {"events": [{"id": "rejection-en", "event": "rejection", "phrases": ["thanks but no thanks"],
                        "reason": "my own wording"}]}  # fmt: skip
    rules = compile_rules(merge(_shipped_data(), user))
    got = read(mail("Thanks but no thanks, candidate."), rules)
    assert got is not None and got.event == "rejection" and "my own wording" in got.reason
    assert read(mail("We have decided not to move forward with your application."), rules) is None


def test_a_user_entry_can_be_disabled_or_added() -> None:
    user = {"vendors": [{"id": "calendly", "disabled": True},
                        {"id": "acme-ats", "name": "AcmeATS", "domains": ["acmeats.example"],
                         "reason": "our in-house ATS"}]}  # fmt: skip
    rules = compile_rules(merge(_shipped_data(), user))
    assert "calendly" not in {v.id for v in rules.vendors}
    got = read(mail("Thank you for applying to Initech.", sender="noreply@acmeats.example"), rules)
    assert got is not None and got.ats == "acme-ats"


@pytest.mark.parametrize(
    ("user", "says"),
    [
        (
            {"events": [{"id": "x", "event": "maybe", "phrases": ["a"], "reason": "r"}]},
            "events[x]: `event`",
        ),
        ({"events": [{"id": "x", "event": "offer", "phrases": ["a"]}]}, "events[x]: `reason`"),
        ({"events": [{"id": "x", "event": "offer", "regex": "(", "reason": "r"}]}, "bad regex"),
        ({"events": [{"event": "offer"}]}, "needs an `id`"),
        ({"vendors": [{"id": "v", "kind": "bank", "domains": ["a.b"], "reason": "r"}]}, "`kind`"),
        ({"precedence": ["offer", "yes"]}, "unknown event"),
    ],
)
def test_a_malformed_table_says_which_entry(user: dict[str, Any], says: str) -> None:
    with pytest.raises(RulesError, match=says.replace("[", r"\[").replace("(", r"\(")):
        compile_rules(merge(_shipped_data(), user))


def test_every_shipped_rule_has_a_reason_and_every_event_a_rule() -> None:
    data = _shipped_data()
    for key in ("vendors", "senders", "events"):
        assert all(entry.get("reason") for entry in data[key]), key
    assert {e["event"] for e in data["events"]} == set(data["precedence"])


def test_an_offered_interview_is_no_offer() -> None:
    got = read(mail("We are pleased to offer you an interview for the role. Are you free Tuesday?"))
    assert got is not None and got.event == "interview_request"


def test_a_job_alert_sender_is_other_job_whatever_it_says() -> None:
    msg = mail("Prepare for your interview! Top picks: Staff Engineer at Initech.",
               sender="jobalerts-noreply@linkedin.com", name="LinkedIn Job Alerts",
               subject="3 picks for you")  # fmt: skip
    got = read(msg)
    assert got is not None and (got.event, got.ats, got.confidence) == (
        "other_job",
        "linkedin",
        "high",
    )
