"""Calendar invitations create, move and cancel interviews, by UID and SEQUENCE."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from followthru.cli import main
from tests.e2e.test_watch import cli
from tests.rig import ImapAccount


def invite(
    method: str, sequence: int, start: str, *, summary: str = "Interview: Backend Engineer"
) -> bytes:
    ics = "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Google Inc//Google Calendar 70.9054//EN", f"METHOD:{method}",
        "BEGIN:VEVENT", f"DTSTART:{start}", f"DTEND:{start[:9]}{int(start[9:11]) + 1:02d}{start[11:]}",
        "UID:abc123@google.com", f"SEQUENCE:{sequence}", f"SUMMARY:{summary}",
        f"STATUS:{'CANCELLED' if method == 'CANCEL' else 'CONFIRMED'}",
        "ORGANIZER;CN=Recruiting:mailto:recruiting@acme.example",
        "ATTENDEE;CN=Bob Stone;ROLE=REQ-PARTICIPANT:mailto:bob@acme.example",
        "ATTENDEE;CN=Jane Doe;ROLE=REQ-PARTICIPANT:mailto:jane@example.org",
        "END:VEVENT", "END:VCALENDAR", "",
    ])  # fmt: skip
    return (
        f"From: Recruiting <recruiting@acme.example>\r\nTo: jane@example.org\r\n"
        f"Subject: Invitation: {summary}\r\nDate: Mon, 23 Feb 2026 10:00:0{sequence} +0000\r\n"
        f"Message-ID: <invite-{method}-{sequence}@google.com>\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: text/calendar; charset="UTF-8"; method={method}\r\n\r\n{ics}'
    ).encode()


def contact(config: Path, capsys: pytest.CaptureFixture[str], email: str) -> dict[str, object]:
    shown = json.loads(
        cli(config, capsys, "show", email, "--json", "--now", "2026-02-24T10:00:00+00:00")
    )
    assert isinstance(shown, dict)
    return shown["contact"]  # type: ignore[no-any-return]


def test_an_invitation_schedules_moves_and_cancels_the_interview(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imap_server.append("INBOX", invite("REQUEST", 0, "20260302T140000Z"))
    cli(config, capsys, "run", "--once", "--now", "2026-02-24T10:00:00+00:00")
    bob = contact(config, capsys, "bob@acme.example")
    assert bob["state"] == "scheduled"
    plan = json.loads(
        cli(config, capsys, "plan", "--json", "--days", "14", "--now", "2026-02-24T10:00:00+00:00")
    )
    assert any(
        e["step"] == "closing_checklist" and e["due_at"].startswith("2026-03-02") for e in plan
    )

    imap_server.append("INBOX", invite("REQUEST", 1, "20260303T140000Z"))  # moved a day later
    imap_server.append("INBOX", invite("CANCEL", 2, "20260303T140000Z"))
    imap_server.append(
        "INBOX", invite("REQUEST", 0, "20260302T140000Z").replace(b"REQUEST-0", b"REQUEST-0-late")
    )
    cli(config, capsys, "run", "--once", "--now", "2026-02-25T10:00:00+00:00")
    # Cancelled; the late, older revision that came after changed nothing.
    assert contact(config, capsys, "bob@acme.example")["state"] == "closed"
    # The organizer (a recruiter) is not an interviewer: only the attendees are.
    assert main(["show", "recruiting@acme.example", "--config", str(config)]) == 1


def test_an_invitation_without_an_interview_keyword_is_not_an_interview(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imap_server.append("INBOX", invite("REQUEST", 0, "20260302T140000Z", summary="Team lunch"))
    out = cli(config, capsys, "run", "--once", "--now", "2026-02-24T10:00:00+00:00")
    assert "0 event(s)" in out
    assert "no contacts yet" in cli(config, capsys, "contacts")


def drafts(account: ImapAccount) -> list[bytes]:
    with account.session() as client:
        client.select_folder(account.special_use["\\Drafts"], readonly=True)
        found = client.fetch(client.search("ALL"), ["BODY.PEEK[]"])
    return sorted(data[b"BODY[]"] for data in found.values())


def test_a_strangers_resent_invitation_leaves_the_interview_and_its_drafts_as_they_were(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Same UID, a higher SEQUENCE, "Interview" and a new time, from someone who is neither
    the organizer nor a contact of the process: nothing moves, the user is told."""
    imap_server.append("INBOX", invite("REQUEST", 0, "20260302T140000Z"))
    cli(config, capsys, "run", "--once", "--now", "2026-02-24T10:00:00+00:00")
    queued = json.loads(cli(config, capsys, "queue", "--all", "--json"))
    before = drafts(imap_server)
    assert {row["step"] for row in queued} == {"thank_you", "closing_checklist"} and before

    forged = invite("REQUEST", 3, "20260303T090000Z").replace(
        b"From: Recruiting <recruiting@acme.example>",
        b"From: Recruiting <recruiting@acme-hr.example>",
    )
    assert b"recruiting@acme-hr.example" in forged
    imap_server.append("INBOX", forged)
    cli(config, capsys, "run", "--once", "--now", "2026-02-25T10:00:00+00:00")

    assert json.loads(cli(config, capsys, "queue", "--all", "--json")) == queued
    assert drafts(imap_server) == before
    assert contact(config, capsys, "bob@acme.example")["state"] == "scheduled"
    plan = json.loads(
        cli(config, capsys, "plan", "--json", "--days", "14", "--now", "2026-02-25T10:00:00+00:00")
    )
    assert any(
        e["step"] == "closing_checklist" and e["due_at"].startswith("2026-03-02") for e in plan
    )
    told = json.loads(cli(config, capsys, "notices", "--json"))
    assert [n["kind"] for n in told if n["kind"] != "interview_from_invitation"] == [
        "interview_move_refused"
    ]
    assert "recruiting@acme-hr.example" in told[0]["text"]
