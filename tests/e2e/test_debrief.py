"""The debrief note on Dovecot: queued when the interview ends, answered from the mail client
by sending it to oneself; two people named become interviewers with thank-you letters in the
user's words, and the date they gave becomes the reply-by date (which moves the check-in)."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from followthru.core.digest import MARKER
from tests.e2e.clients import Client
from tests.e2e.test_watch import cli, event_count, mail
from tests.rig import ImapAccount
from tests.rig.dovecot import DovecotAccount

ANSWER = """\
A note to self from followthru: nothing here is sent to anyone.

WHO YOU MET (name <address>, one per line):
Bob Stone <bob@acme.example>
Carol Jones <carol@acme.example>
Dan Lee
<dan@acme.example>

what matters to them:
- shipping small changes
  often and safely
- mentoring new engineers

Any concern: my Go is
rusty

When they will decide: by Friday

What was agreed: I send two references tomorrow

--
Jane
"""


@pytest.fixture
def imap_server(dovecot_imap: DovecotAccount) -> ImapAccount:
    return dovecot_imap


def queue(config: Path, capsys: pytest.CaptureFixture[str], now: str) -> list[dict[str, object]]:
    rows = json.loads(cli(config, capsys, "queue", "--json", "--now", now))
    assert isinstance(rows, list)
    return rows


def drafts(server: ImapAccount) -> dict[str, tuple[int, str]]:
    """Message-ID -> (UID, text) of every message in Drafts."""
    with server.session() as client:
        client.select_folder(server.special_use["\\Drafts"], readonly=True)
        uids = client.search(["NOT", "DELETED"])
        data = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
    found = {}
    for uid, item in data.items():
        msg = message_from_bytes(item[b"BODY[]"], policy=policy.default)
        assert isinstance(msg, EmailMessage)
        body = msg.get_body(("plain",))
        assert body is not None
        found[str(msg["Message-ID"])] = (uid, " ".join(body.get_content().split()))
    return found


def test_a_debrief_with_two_names_creates_two_interviewers_with_filled_letters(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    box = imap_server
    cli(config, capsys, "add", "interview", "--email", "bob@acme.example", "--name", "Bob Stone",
        "--company", "Acme", "--role", "Backend Engineer", "--at", "2026-03-03T14:00:00+00:00",
        "--now", "2026-03-02T10:00:00+00:00")  # fmt: skip
    cli(config, capsys, "run", "--once", "--now", "2026-03-02T10:00:00+00:00")
    assert sorted(r["step"] for r in queue(config, capsys, "2026-03-02T10:00:00+00:00")) == [
        "closing_checklist", "thank_you"]  # fmt: skip
    cli(config, capsys, "run", "--once", "--now", "2026-03-03T15:30:00+00:00")  # it has ended
    rows = queue(config, capsys, "2026-03-03T15:30:00+00:00")
    [note] = [r for r in rows if r["step"] == "debrief"]
    assert note["kind"] == "task" and note["to"] == ["jane@example.org"]
    present = drafts(box)
    assert "Who you met" in present[str(note["message_id"])][1]
    cli(config, capsys, "run", "--once", "--now", "2026-03-03T15:40:00+00:00")  # asked once
    assert [r["step"] for r in queue(config, capsys, "2026-03-03T15:40:00+00:00")].count(
        "debrief") == 1  # fmt: skip

    # The user fills it in and sends it to themselves (Thunderbird keeps the Message-ID).
    with box.session() as client:
        client.select_folder(box.special_use["\\Drafts"])
        client.delete_messages([present[str(note["message_id"])][0]])
        client.expunge()
    answer = mail("Jane Doe <jane@example.org>", "Jane Doe <jane@example.org>",
                  "Debrief: your interview at Acme", ANSWER.replace("\n", "\r\n"),
                  at="2026-03-03T16:00:00+00:00", message_id=str(note["message_id"]))  # fmt: skip
    box.append(box.special_use["\\Sent"], answer, flags=["\\Seen"])
    cli(config, capsys, "run", "--once", "--now", "2026-03-03T16:30:00+00:00")

    contacts = {c["email"]: c for c in json.loads(cli(config, capsys, "contacts", "--json"))}
    for email, name in (("carol@acme.example", "Carol Jones"), ("dan@acme.example", "Dan Lee")):
        assert contacts[email]["name"] == name
        assert contacts[email]["role"] == "interviewer"
        assert contacts[email]["company"] == "Acme"
        assert contacts[email]["position"] == "Backend Engineer"
    rows = queue(config, capsys, "2026-03-03T16:30:00+00:00")
    thanks = {r["contact"]: r for r in rows if r["step"] == "thank_you"}
    assert set(thanks) == {"bob@acme.example", "carol@acme.example", "dan@acme.example"}
    assert not [r for r in rows if r["step"] == "debrief"]  # done: it was sent to oneself
    present = drafts(box)
    for email, row in thanks.items():  # every letter, Bob's rendered again, in her words
        text = present[str(row["message_id"])][1]
        assert "On shipping small changes often and safely:" in text, email
        assert "On mentoring new engineers:" in text, email
        assert "my Go is rusty" in text, email
        assert "news by Friday 6 March" in text, email

    for who in ("bob", "carol", "dan"):  # the check-in (try 2) keys on the stated date
        shown = json.loads(cli(config, capsys, "show", f"{who}@acme.example", "--json"))
        assert any(
            e["type"] in ("debrief_answered", "interview_registered") for e in shown["events"]
        )
    plan = json.loads(cli(config, capsys, "plan", "--json", "--days", "30",
                          "--now", "2026-03-03T16:30:00+00:00"))  # fmt: skip
    phone = [e for e in plan if e["contact"] == "bob@acme.example" and e["step"] == "phone_message"]
    assert phone and phone[0]["due_at"].startswith("2026-03-09")  # Friday + 1 business day

    before = event_count(config)
    cli(config, capsys, "run", "--once", "--now", "2026-03-03T17:00:00+00:00")  # read once
    assert event_count(config) == before
    assert len(json.loads(cli(config, capsys, "contacts", "--json"))) == 3
    with box.session() as client:  # no note of ours was needed: the answer was all readable
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        heads = client.fetch(uids, ["BODY.PEEK[HEADER]"]) if uids else {}
    assert not [u for u, h in heads.items() if MARKER.encode() in h[b"BODY[HEADER]"]]


def test_a_note_sent_from_gmail_with_a_new_message_id_is_done_not_deleted(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Gmail gives every saved version, and the sent message, a Message-ID of its own: the
    note is recognised in Sent by what survives (From and To the user, its subject, sent after
    it was written), never taken for a deletion."""
    cli(config, capsys, "add", "interview", "--email", "bob@acme.example", "--company", "Acme",
        "--at", "2026-03-03T14:00:00+00:00", "--now", "2026-03-02T10:00:00+00:00")  # fmt: skip
    cli(config, capsys, "run", "--once", "--now", "2026-03-02T10:00:00+00:00")
    cli(config, capsys, "run", "--once", "--now", "2026-03-03T15:30:00+00:00")
    gmail = Client("gmail", imap_server)
    _, newest = gmail.newest()
    assert b"Subject: Debrief" in newest  # the debrief is the newest draft
    gmail.edit()  # two autosaves and the final version, each with a new Message-ID
    gmail.send()  # sent at once, before followthru looked again
    [sent] = gmail.sent_by_client
    cli(config, capsys, "run", "--once", "--now", "2026-03-03T16:00:00+00:00")
    rows = json.loads(cli(config, capsys, "queue", "--all", "--json"))
    [note] = [r for r in rows if r["step"] == "debrief"]
    assert note["status"] == "done"
    assert note["message_id"] not in sent.decode()  # it really came back under another id

    cli(config, capsys, "add", "interview", "--email", "eve@beta.example", "--company", "Beta",
        "--at", "2026-03-04T14:00:00+00:00", "--now", "2026-03-03T16:00:00+00:00")  # fmt: skip
    cli(config, capsys, "run", "--once", "--now", "2026-03-04T15:30:00+00:00")
    gmail = Client("gmail", imap_server)
    gmail.edit()
    gmail.delete()  # deleted, not sent: skipped
    cli(config, capsys, "run", "--once", "--now", "2026-03-04T16:00:00+00:00")
    rows = json.loads(cli(config, capsys, "queue", "--all", "--json"))
    assert [r["status"] for r in rows if r["step"] == "debrief"] == ["done", "rejected"]
