"""The queue in the user's mailbox: drafts appear in Drafts, the user's flag approves, deleting
rejects, and a draft the user sent from their own client counts as sent (Dovecot and pymap)."""

from __future__ import annotations

import json
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from followthru.adapters.store import Store
from followthru.config import load_config
from tests.e2e.test_watch import ADD_BOB, INTERVIEW, cli
from tests.rig import ImapAccount

NOW = "2026-03-02T15:30:00+00:00"


def drafts(imap_server: ImapAccount) -> dict[int, tuple[bytes, frozenset[bytes]]]:
    folder = imap_server.special_use["\\Drafts"]
    with imap_server.session() as client:
        client.select_folder(folder, readonly=True)
        uids = client.search("ALL")
        data = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"]) if uids else {}
    return {uid: (d[b"BODY[]"], frozenset(d[b"FLAGS"])) for uid, d in data.items()}


def queue(config_path: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    rows = json.loads(cli(config_path, capsys, "queue", "--all", "--json"))
    assert isinstance(rows, list)
    return rows


def test_the_thank_you_draft_appears_and_the_users_flag_approves_it(
    imap_server: ImapAccount,
    config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli(config, capsys, "add", "interview", "--email", "bob@acme.example", "--name", "Bob Stone", "--company", "Acme",
        "--role", "Platform Engineer", "--at", INTERVIEW, "--now", NOW)  # fmt: skip
    cli(config, capsys, "run", "--once", "--now", NOW)
    [(uid, (raw, flags))] = drafts(imap_server).items()
    assert b"\\Draft" in flags
    letter = message_from_bytes(raw, policy=policy.default)
    assert letter["To"] == "Bob Stone <bob@acme.example>"
    assert letter["From"] == "Jane Doe <jane@example.org>"
    assert "Platform Engineer" in str(letter["Subject"])
    [item] = queue(config, capsys)
    assert item["message_id"] == letter["Message-ID"] and item["subject"] == letter["Subject"]

    cli(config, capsys, "run", "--once", "--now", "2026-03-02T15:40:00+00:00")
    assert len(drafts(imap_server)) == 1  # never appended twice

    with imap_server.session() as client:  # the user stars the draft in their mail client
        client.select_folder(imap_server.special_use["\\Drafts"])
        client.add_flags([uid], [b"\\Flagged"])
    cli(config, capsys, "run", "--once", "--now", "2026-03-02T15:50:00+00:00")
    [item] = queue(config, capsys)
    # The letter still has [[ADD: ...]] placeholders: a flag alone does not send it.
    assert item["status"] == "pending"


def test_deleting_the_draft_rejects_it_and_the_cadence_goes_on(
    imap_server: ImapAccount,
    config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli(config, capsys, *ADD_BOB, "--now", NOW)
    cli(config, capsys, "run", "--once", "--now", NOW)
    [uid] = drafts(imap_server)
    with imap_server.session() as client:
        client.select_folder(imap_server.special_use["\\Drafts"])
        client.delete_messages([uid])
        client.expunge()
    cli(config, capsys, "run", "--once", "--now", "2026-03-02T16:00:00+00:00")
    [item] = queue(config, capsys)
    assert item["status"] == "rejected"
    plan = json.loads(cli(config, capsys, "plan", "--json", "--now", "2026-03-02T16:00:00+00:00"))
    assert plan[0]["step"] == "phone_message"  # the skipped try is not resent; the next one follows


def test_a_draft_the_user_sent_from_their_client_is_recorded_and_removed(
    imap_server: ImapAccount,
    config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli(config, capsys, *ADD_BOB, "--now", NOW)
    cli(config, capsys, "run", "--once", "--now", NOW)
    [(uid, (raw, _flags))] = drafts(imap_server).items()
    # The user's client sends it: the message lands in Sent and the draft leaves Drafts.
    imap_server.append(
        imap_server.special_use["\\Sent"], raw.replace(b"[[ADD:", b"[["), flags=["\\Seen"]
    )
    with imap_server.session() as client:
        client.select_folder(imap_server.special_use["\\Drafts"])
        client.delete_messages([uid])
        client.expunge()
    cli(config, capsys, "run", "--once", "--now", "2026-03-02T17:00:00+00:00")
    [item] = queue(config, capsys)
    assert item["status"] == "sent"
    shown = json.loads(
        cli(
            config,
            capsys,
            "show",
            "bob@acme.example",
            "--json",
            "--now",
            "2026-03-02T17:00:00+00:00",
        )
    )
    assert shown["contact"]["state"] == "awaiting_reply" and shown["contact"]["outreach_count"] == 1
    with Store.open(load_config(config).store_path) as store:
        assert store.conn.execute("SELECT draft_uid FROM outbox").fetchone()[0] is None


def test_edit_replaces_the_draft_and_then_it_may_be_approved(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    cli(config, capsys, *ADD_BOB, "--now", NOW)
    cli(config, capsys, "run", "--once", "--now", NOW)
    [before] = queue(config, capsys)
    editor = tmp_path / "fill-in.py"
    editor.write_text(
        "import re, sys\n"
        "p = sys.argv[1]\n"
        "t = open(p).read()\n"
        "t = re.sub(r'\\[\\[ADD:.*?\\]\\]', 'my own words', t, flags=re.S)\n"
        "open(p, 'w').write(t.replace('Subject: ', 'Subject: Thanks! ', 1))\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    assert "edited" in cli(config, capsys, "edit", str(before["id"]), "--now", NOW)
    cli(config, capsys, "run", "--once", "--now", "2026-03-02T15:35:00+00:00")
    [(_uid, (raw, _flags))] = drafts(imap_server).items()  # the old revision is gone
    letter = message_from_bytes(raw, policy=policy.default)
    assert letter["Message-ID"] == before["message_id"]
    assert str(letter["Subject"]).startswith("Thanks! ")
    assert "[[ADD:" not in raw.decode() and "my own words" in raw.decode()
    assert "approved" in cli(config, capsys, "approve", str(before["id"]), "--now", NOW)
