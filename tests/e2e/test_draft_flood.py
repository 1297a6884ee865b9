"""An invitation flood within the attendee cap, spread over many messages, end to end: one pass
writes at most approval.max_drafts_per_pass (20) new drafts, the rest follow on later passes,
and the user is told once."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from tests.e2e.test_watch import cli
from tests.rig import ImapAccount

FLOOD = 60  # invitations, each one interview with one stranger: 120 items (thank-you, checklist)


def invitation(n: int) -> bytes:
    ics = "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//flood//EN", "METHOD:REQUEST", "BEGIN:VEVENT",
        f"DTSTART:202603{10 + n % 15:02d}T{8 + n % 8:02d}0000Z",
        f"DTEND:202603{10 + n % 15:02d}T{9 + n % 8:02d}0000Z",
        f"UID:flood-{n}@spam.example", "SEQUENCE:0", "SUMMARY:Interview", f"ORGANIZER:mailto:hr{n}@spam{n}.example",
        f"ATTENDEE:mailto:person{n}@spam{n}.example", "ATTENDEE:mailto:jane@example.org",
        "END:VEVENT", "END:VCALENDAR", "",
    ])  # fmt: skip
    return (
        f"From: HR <hr{n}@spam{n}.example>\r\nTo: jane@example.org\r\nSubject: Interview\r\n"
        f"Date: Mon, 23 Feb 2026 10:{n % 60:02d}:00 +0000\r\nMessage-ID: <flood-{n}@spam.example>\r\n"
        f'MIME-Version: 1.0\r\nContent-Type: text/calendar; charset="UTF-8"; method=REQUEST\r\n\r\n{ics}'
    ).encode()


def drafts(account: ImapAccount) -> set[str]:
    """The Message-IDs in Drafts."""
    with account.session() as client:
        client.select_folder(account.special_use["\\Drafts"], readonly=True)
        found = client.fetch(client.search("ALL"), ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    return {
        data[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode().split(":", 1)[1].strip()
        for data in found.values()
    }


def test_an_invitation_flood_writes_twenty_drafts_a_pass_and_tells_the_user_once(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imap_server.append_many("INBOX", [invitation(n) for n in range(FLOOD)])
    first = cli(config, capsys, "run", "--once", "--now", "2026-02-24T10:00:00+00:00")
    assert "drafts: 20 written to Drafts" in first
    queued = json.loads(cli(config, capsys, "queue", "--json"))
    assert len(queued) == 2 * FLOOD  # nothing lost: every item queued, pending, rendered
    assert {row["status"] for row in queued} == {"pending"} and all(r["message_id"] for r in queued)
    by_due = sorted(queued, key=lambda r: (datetime.fromisoformat(r["due_at"]), r["id"]))
    assert drafts(imap_server) == {r["message_id"] for r in by_due[:20]}  # the oldest due first

    for minute in (5, 10):
        cli(config, capsys, "run", "--once", "--now", f"2026-02-24T10:{minute:02d}:00+00:00")
    assert drafts(imap_server) == {r["message_id"] for r in by_due[:60]}
    told = json.loads(cli(config, capsys, "notices", "--json", "--all"))
    assert [n["kind"] for n in told].count("drafts_held") == 1
