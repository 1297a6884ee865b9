"""Job-search mail end to end (SPEC "Reading job-search mail"), on Dovecot and pymap: the
daemon's `run --once` reads what an applicant tracking system sends, from senders it has never
seen, and the pipeline follows without a command typed."""

from __future__ import annotations

import json
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from followthru.cli import main
from tests.e2e.test_watch import ADD_BOB, cli, mail
from tests.rig import ImapAccount

ME = "jane@example.org"
ATS = "no-reply@us.greenhouse-mail.io"


def ats(subject: str, body: str, *, at: str, message_id: str, ics: str | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = f"Acme <{ATS}>", ME, subject
    msg["Date"], msg["Message-ID"] = format_datetime(datetime.fromisoformat(at)), message_id
    msg.set_content(body)
    if ics is not None:
        msg.add_attachment(ics.encode(), maintype="text", subtype="calendar",
                           params={"method": "REQUEST"}, filename="invite.ics")  # fmt: skip
    return msg.as_bytes()


ITINERARY = "\r\n".join([
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Greenhouse//Scheduler//EN", "METHOD:REQUEST",
    "BEGIN:VEVENT", "UID:gh-itinerary-77@greenhouse.io", "SEQUENCE:0",
    "DTSTAMP:20260302T090000Z", "DTSTART:20260310T090000Z", "DTEND:20260310T110000Z",
    "SUMMARY:Onsite - Backend Engineer", f"ORGANIZER;CN=Acme Recruiting:mailto:{ATS}",
    f"ATTENDEE;CN=Jane Doe:mailto:{ME}",
    "ATTENDEE;CN=Bob Stone:mailto:bob@acme.example",
    "ATTENDEE;CN=Ana Ruiz:mailto:ana@acme.example",
    "END:VEVENT", "END:VCALENDAR", "",
])  # fmt: skip


def run(config: Path, capsys: pytest.CaptureFixture[str], now: str) -> str:
    return cli(config, capsys, "run", "--once", "--now", now)


def queue(config: Path, capsys: pytest.CaptureFixture[str], now: str) -> list[dict[str, object]]:
    items = json.loads(cli(config, capsys, "queue", "--json", "--all", "--now", now))
    assert isinstance(items, list)
    return items


def state(config: Path, capsys: pytest.CaptureFixture[str], email: str) -> str:
    shown = json.loads(cli(config, capsys, "show", email, "--json"))
    return str(shown["contact"]["state"])


def test_an_application_then_an_ats_confirmation_schedules_two_interviews(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imap_server.append("INBOX", ats(
        "Thank you for applying to Acme",
        "Hi Jane,\n\nThank you for applying to the Backend Engineer role at Acme. We have "
        "received your application.\n\nAcme Talent Team\n",
        at="2026-03-01T09:00:00+00:00", message_id="<ack-1@us.greenhouse-mail.io>",
    ))  # fmt: skip
    run(config, capsys, "2026-03-01T10:00:00+00:00")
    listed = cli(config, capsys, "contacts")
    assert "no contacts yet" in listed and "Acme, Backend Engineer" in listed
    assert "application_received" in listed

    imap_server.append("INBOX", ats(
        "Interview Confirmation: Jane Doe for Backend Engineer at Acme",
        "Hi Jane,\n\nYour interview has been scheduled. The invitation is attached.\n",
        at="2026-03-02T09:00:00+00:00", message_id="<confirm-1@us.greenhouse-mail.io>",
        ics=ITINERARY,
    ))  # fmt: skip
    run(config, capsys, "2026-03-02T10:00:00+00:00")
    for email in ("bob@acme.example", "ana@acme.example"):
        assert state(config, capsys, email) == "scheduled"
    thanks = [
        i for i in queue(config, capsys, "2026-03-02T10:00:00+00:00") if i["step"] == "thank_you"
    ]
    assert sorted(str(i["to"]) for i in thanks) == ["['ana@acme.example']", "['bob@acme.example']"]
    drafts = imap_server.special_use["\\Drafts"]
    with imap_server.session() as imap:
        imap.select_folder(drafts, readonly=True)
        assert len(imap.search(["TO", "acme.example"])) == 2  # both thank-yous are in Drafts
    assert main(["show", ATS, "--config", str(config)]) == 1  # the ATS is nobody's contact


def test_the_users_move_holds_the_check_in_until_they_write(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(config, capsys, *ADD_BOB, "--company", "Acme", "--now", "2026-03-02T15:30:00+00:00")
    sent = imap_server.special_use["\\Sent"]
    imap_server.append(sent, mail(f"Jane Doe <{ME}>", "bob@acme.example", "Thank you",
                                  "Thanks for today.", at="2026-03-02T17:00:00+00:00",
                                  message_id="<thanks@example.org>"), flags=["\\Seen"])  # fmt: skip
    run(config, capsys, "2026-03-02T18:00:00+00:00")
    assert state(config, capsys, "bob@acme.example") == "awaiting_reply"
    imap_server.append("INBOX", ats(
        "Next steps with Acme",
        "Hi Jane,\n\nThanks for your time on the Backend Engineer position at Acme. Please use "
        "the link below to select a time for the next round:\n"
        "https://app.greenhouse.io/scheduling/select/4f1c\n\nAcme Recruiting\n",
        at="2026-03-04T09:00:00+00:00", message_id="<request-1@us.greenhouse-mail.io>",
    ))  # fmt: skip
    run(config, capsys, "2026-03-04T10:00:00+00:00")
    notices = json.loads(cli(config, capsys, "notices", "--json"))
    assert [n["kind"] for n in notices].count("your_move") == 1
    run(config, capsys, "2026-03-16T10:00:00+00:00")  # the phone task was due on the 9th
    steps = [i["step"] for i in queue(config, capsys, "2026-03-16T10:00:00+00:00")]
    assert "phone_message" not in steps and "check_in" not in steps

    imap_server.append(sent, mail(f"Jane Doe <{ME}>", "recruiting@acme.example",
                                  "Re: Next steps with Acme", "Tuesday at 10 works for me.",
                                  at="2026-03-16T11:00:00+00:00", message_id="<answer@example.org>",
                                  in_reply_to="<request-1@us.greenhouse-mail.io>"),
                       flags=["\\Seen"])  # fmt: skip
    run(config, capsys, "2026-03-16T12:00:00+00:00")
    assert "phone_message" not in [
        i["step"] for i in queue(config, capsys, "2026-03-16T12:00:00+00:00")
    ]
    run(
        config, capsys, "2026-03-24T10:00:00+00:00"
    )  # a week after the user wrote: the clock ran again
    assert "phone_message" in [
        i["step"] for i in queue(config, capsys, "2026-03-24T10:00:00+00:00")
    ]


def test_an_ats_rejection_queues_keep_in_mind_to_the_interviewer_and_nothing_to_the_ats(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(config, capsys, *ADD_BOB, "--company", "Acme", "--now", "2026-03-02T15:30:00+00:00")
    run(config, capsys, "2026-03-02T18:00:00+00:00")
    imap_server.append("INBOX", ats(
        "Your application to Acme",
        "Hi Jane,\n\nThank you for your interest in the Backend Engineer role at Acme.\n\nAfter "
        "careful consideration, we have decided to move forward with other candidates.\n\n"
        "Acme Talent Team\n",
        at="2026-03-05T09:00:00+00:00", message_id="<no-1@us.greenhouse-mail.io>",
    ))  # fmt: skip
    run(config, capsys, "2026-03-05T10:00:00+00:00")
    assert state(config, capsys, "bob@acme.example") == "nurture"
    items = queue(config, capsys, "2026-03-05T10:00:00+00:00")
    assert [i["to"] for i in items if i["step"] == "keep_in_mind"] == [["bob@acme.example"]]
    assert all(ATS not in i["to"] for i in items)  # type: ignore[operator]
    run(config, capsys, "2026-03-05T11:00:00+00:00")
    assert len([i for i in queue(config, capsys, "2026-03-05T11:00:00+00:00")
                if i["step"] == "keep_in_mind"]) == 1  # fmt: skip


def test_a_low_confidence_unfortunately_is_a_notice_and_changes_nothing(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(config, capsys, *ADD_BOB, "--company", "Acme", "--now", "2026-03-02T15:30:00+00:00")
    run(config, capsys, "2026-03-02T18:00:00+00:00")
    before = json.loads(cli(config, capsys, "show", "bob@acme.example", "--json"))
    imap_server.append("INBOX", mail(
        "Carla Ruiz <carla@staffing.example>", ME, "About the Backend Engineer position",
        "Hi Jane,\n\nUnfortunately the hiring manager at Acme has decided not to move forward "
        "with your application.\n\nCarla\n",
        at="2026-03-05T09:00:00+00:00", message_id="<vague@staffing.example>",
    ))  # fmt: skip
    run(config, capsys, "2026-03-05T10:00:00+00:00")
    after = json.loads(cli(config, capsys, "show", "bob@acme.example", "--json"))
    assert (after["contact"]["state"], after["queue"]) == (
        before["contact"]["state"],
        before["queue"],
    )
    notices = json.loads(cli(config, capsys, "notices", "--json"))
    assert [n["kind"] for n in notices] == ["job_unconfirmed"]


def test_a_flag_in_the_mail_client_confirms_a_low_reading(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(config, capsys, *ADD_BOB, "--company", "Acme", "--now", "2026-03-02T15:30:00+00:00")
    run(config, capsys, "2026-03-02T18:00:00+00:00")
    uid = imap_server.append("INBOX", mail(
        "Carla Ruiz <carla@staffing.example>", ME, "About the Backend Engineer position at Acme",
        "Hi Jane,\n\nUnfortunately the hiring manager at Acme has decided not to move forward "
        "with your application.\n\nCarla\n",
        at="2026-03-05T09:00:00+00:00", message_id="<vague@staffing.example>",
    ))  # fmt: skip
    run(config, capsys, "2026-03-05T10:00:00+00:00")
    assert state(config, capsys, "bob@acme.example") != "nurture"
    with imap_server.session() as imap:  # the user stars it on their phone
        imap.select_folder("INBOX")
        imap.add_flags([uid], [b"\\Flagged"])
    run(config, capsys, "2026-03-05T10:05:00+00:00")
    assert state(config, capsys, "bob@acme.example") == "nurture"
    items = queue(config, capsys, "2026-03-05T10:05:00+00:00")
    assert [i["to"] for i in items if i["step"] == "keep_in_mind"] == [["bob@acme.example"]]
