"""One sync pass, end to end on real servers: what a pass reads, keeps and applies.

A pass reads every new message's headers, asks the store once per FETCH which keys were seen
before, keeps the messages that may mean something as their raw header block, and parses
them again when it applies them. These tests hold what that must not change: a message seen
before is not read again, the same message twice in one pass is applied once, and the user's
own mail (read again from its raw headers) still moves contacts and reveals referrals.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from followthru.config import load_config
from tests.e2e.test_watch import ADD_BOB, cli, mail, state_of
from tests.rig import ImapAccount

INTERVIEWED = "2026-03-02T15:30:00+00:00"
JANE = "Jane Doe <jane@example.org>"


def events(config: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(load_config(config).store_path) as conn:
        return list(conn.execute("SELECT type, message_id FROM events ORDER BY id"))


def seen_rows(config: Path) -> int:
    with sqlite3.connect(load_config(config).store_path) as conn:
        return int(conn.execute("SELECT count(*) FROM seen").fetchone()[0])


def test_one_message_twice_in_a_pass_is_applied_once_and_never_read_again(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(config, capsys, *ADD_BOB, "--now", INTERVIEWED)
    sent = imap_server.special_use["\\Sent"]
    thanks = mail(JANE, "bob@acme.example", "Thank you", "Thanks for today.",
                  at="2026-03-02T17:00:00+00:00", message_id="<thanks-1@example.org>")  # fmt: skip
    reply = mail("Bob <bob@acme.example>", "jane@example.org", "Re: Thank you", "Good to meet you.",
                 at="2026-03-03T09:00:00+00:00", message_id="<reply-1@acme.example>",
                 in_reply_to="<thanks-1@example.org>")  # fmt: skip
    noise = mail("News <news@lists.example>", "jane@example.org", "Digest", "Unrelated.",
                 at="2026-03-03T08:00:00+00:00", message_id="<digest@lists.example>")  # fmt: skip
    imap_server.append(sent, thanks, flags=["\\Seen"])
    for raw in (reply, noise, reply):  # the same reply twice, in one FETCH
        imap_server.append("INBOX", raw)
    out = cli(config, capsys, "run", "--once", "--now", "2026-03-03T10:00:00+00:00")
    assert "personal: 4 new message(s), 3 about contacts" in out
    assert events(config).count(("ReplyReceived", "<reply-1@acme.example>")) == 1
    assert events(config).count(("OutboundSeen", "<thanks-1@example.org>")) == 1
    assert seen_rows(config) == 4
    before = events(config)

    later = mail("Bob <bob@acme.example>", "jane@example.org", "One more thing", "Could you send your portfolio?",
                 at="2026-03-03T11:00:00+00:00", message_id="<reply-2@acme.example>")  # fmt: skip
    imap_server.append("INBOX", reply)  # a third copy, under a new UID: seen before
    imap_server.append("INBOX", later)
    out = cli(config, capsys, "run", "--once", "--now", "2026-03-03T12:00:00+00:00")
    assert "personal: 2 new message(s), 1 about contacts" in out
    assert events(config)[: len(before)] == before
    assert [e for e in events(config)[len(before) :] if e[1] != "<reply-2@acme.example>"] == []
    assert seen_rows(config) == 6


def test_the_users_mail_to_a_stranger_copying_a_contact_reveals_a_referral(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(config, capsys, *ADD_BOB, "--now", INTERVIEWED)
    intro = mail(JANE, "Carol Chen <carol@globex.example>", "Bob suggested I write",
                 "Carol, Bob thought we should talk.", at="2026-03-04T09:00:00+00:00",
                 message_id="<to-carol@example.org>", cc="Bob <bob@acme.example>")  # fmt: skip
    imap_server.append(imap_server.special_use["\\Sent"], intro, flags=["\\Seen"])
    out = cli(config, capsys, "run", "--once", "--now", "2026-03-04T10:00:00+00:00")
    assert "personal: 1 new message(s), 1 about contacts" in out
    carol = state_of(config, capsys, "carol@globex.example", "2026-03-04T10:00:00+00:00")
    assert carol["contact"]["source"] == "bob@acme.example"  # type: ignore[index]
    assert carol["contact"]["name"] == "Carol Chen"  # type: ignore[index]
    assert events(config).count(("OutboundSeen", "<to-carol@example.org>")) == 2  # Bob and Carol


def test_mail_without_a_message_id_keeps_its_key(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The key of a message without Message-ID is a hash of its headers: the same across
    passes, so a store written before stays valid."""
    cli(config, capsys, *ADD_BOB, "--now", INTERVIEWED)
    note = mail("=?utf-8?Q?Bob_M=C3=BCller?= <bob@acme.example>", "jane@example.org",
                "=?utf-8?Q?Gr=C3=BC=C3=9Fe?=", "Are you free on Friday?",
                at="2026-03-04T09:00:00+00:00", message_id=None, cc="Ann <ann@acme.example>")  # fmt: skip
    imap_server.append("INBOX", note)
    cli(config, capsys, "run", "--once", "--now", "2026-03-04T10:00:00+00:00")
    imap_server.append("INBOX", note)
    out = cli(config, capsys, "run", "--once", "--now", "2026-03-04T11:00:00+00:00")
    assert "personal: 1 new message(s), 0 about contacts" in out
    keyed = [mid for _, mid in events(config) if mid and mid.startswith("<sha256-")]
    assert len(keyed) == 1


def test_bodies_read_together_are_each_classified_and_a_broken_one_quarantined(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(config, capsys, *ADD_BOB, "--now", INTERVIEWED)
    ann = (
        "add",
        "interview",
        "--email",
        "ann@initech.example",
        "--at",
        "2026-03-02T10:00:00+00:00",
    )
    cli(config, capsys, *ann, "--now", INTERVIEWED)
    from_bob = mail("Bob <bob@acme.example>", "jane@example.org", "Next steps", "Could we talk on Friday?",
                    at="2026-03-03T09:00:00+00:00", message_id="<bob-1@acme.example>")  # fmt: skip
    from_ann = mail("Ann <ann@initech.example>", "jane@example.org", "Thanks", "Great talking to you.",
                    at="2026-03-03T09:30:00+00:00", message_id="<ann-1@initech.example>")  # fmt: skip
    broken = (b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 4 + b"\r\n"
              b"From: Bob <bob@acme.example>\r\nMessage-ID: <broken@acme.example>\r\n\r\nx\r\n")  # fmt: skip
    uids = [imap_server.append("INBOX", raw) for raw in (from_bob, broken, from_ann)]
    out = cli(config, capsys, "run", "--once", "--now", "2026-03-03T10:00:00+00:00")
    assert "personal: 3 new message(s), 3 about contacts, 2 event(s)" in out
    assert events(config)[-2:] == [
        ("ReplyReceived", "<bob-1@acme.example>"),
        ("ReplyReceived", "<ann-1@initech.example>"),
    ]
    with sqlite3.connect(load_config(config).store_path) as conn:
        quarantined = list(conn.execute("SELECT folder, uid, error FROM quarantine"))
    assert quarantined == [
        ("INBOX", uids[1], "binary data, no header block: not an RFC 5322 message")
    ]
