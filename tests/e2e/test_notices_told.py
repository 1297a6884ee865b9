"""Every kind of notice the SPEC lists ("the user is told") reaches the INBOX exactly once, on
Dovecot, driven through `run --once` with `--now` steps: the urgent ones (an uncertain send, a
refused approval, a bounce) as a note of their own at once, the others in the next digest;
never twice across passes and restarts, no digest on a day with nothing to say, and none of
followthru's own messages ever read back as an event."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from followthru.cli import main
from followthru.core.digest import MARKER, URGENT_KINDS
from tests.e2e.test_invitations import invite
from tests.e2e.test_watch import event_count, mail
from tests.e2e.watchkit import bounce
from tests.rig import ImapAccount
from tests.rig.dovecot import DovecotAccount
from tests.rig.hooks import PushSink
from tests.rig.smtpd import SmtpServer

TOLD = {"moved_on", "unreachable", "expired", "uncertain", "approval_refused", "bounce", "away",
        "referral_detected", "interview_from_invitation"}  # fmt: skip
PLAIN_THANKS = "Subject: Thank you, {{ contact.first_name or 'there' }}\n\nHi,\n\nThank you.\n\n{{ me.name }}\n"


@pytest.fixture
def imap_server(dovecot_imap: DovecotAccount) -> ImapAccount:
    """This file's scenario runs on Dovecot, the reference server."""
    return dovecot_imap


@pytest.fixture
def sink() -> Iterator[PushSink]:
    with PushSink() as started:
        yield started


@pytest.fixture
def told_config(config: Path, smtpd: SmtpServer, sink: PushSink, tmp_path: Path) -> Path:
    """One try only (the scenario reaches `moved_on` in a week), the digest at 08:00 on
    weekdays, pushed to a loopback sink, SMTP on the test server, a thank-you letter without
    placeholders."""
    (tmp_path / "credentials" / "smtp").write_text(smtpd.password)
    (tmp_path / "letters").mkdir()
    (tmp_path / "letters" / "thank_you.txt.j2").write_text(PLAIN_THANKS)
    data = json.loads(config.read_text())
    data["accounts"][0]["smtp"] = {"host": smtpd.host, "port": smtpd.port, "tls": "none",
                                   "username": smtpd.username, "credential": "smtp"}  # fmt: skip
    data["templates_dir"] = str(tmp_path / "letters")
    data["cadence"] = {"tries": ["email"]}
    data["notify"] = {"digest_at": "08:00", "digest_days": "mon-fri", "urgent": True,
                      "push": [sink.url]}  # fmt: skip
    config.write_text(json.dumps(data))
    return config


async def cli(config: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = await asyncio.to_thread(main, [*argv, "--config", str(config)])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def ours(server: ImapAccount) -> list[tuple[int, str, EmailMessage]]:
    """(uid, kind, message) of followthru's own messages in the INBOX."""
    with server.session() as client:
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        data = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
    found = []
    for uid, item in sorted(data.items()):
        msg = message_from_bytes(item[b"BODY[]"], policy=policy.default)
        assert isinstance(msg, EmailMessage)
        if msg[MARKER]:
            found.append((uid, str(msg[MARKER]), msg))
    return found


def text_of(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    return " ".join(body.get_content().split())


def keep_digests(server: ImapAccount) -> None:
    """The user flags each digest: then the next one leaves it where it is (all stay to read)."""
    with server.session() as client:
        client.select_folder("INBOX")
        digests = [uid for uid, kind, _ in ours(server) if kind == "digest"]
        if digests:
            client.add_flags(digests, [b"\\Flagged"])


def seed_monday(box: ImapAccount) -> None:
    """Monday afternoon's mail: Bob thanked from the client, Hank introduces Frank, Dave's
    address bounces, Erin is away, Fred has left."""
    sent, inbox = box.special_use["\\Sent"], "INBOX"
    at = "2026-03-02T15:40:00+00:00"
    box.append(sent, mail("Jane Doe <jane@example.org>", "bob@bobcorp.example", "Thank you",
                          "Thanks for today.", at=at, message_id="<thanks-bob@example.org>"),
               flags=["\\Seen"])  # fmt: skip
    box.append(inbox, mail("Hank <hank@hankcorp.example>", "jane@example.org", "Frank",
                           "Hi Jane,\n\nLet me introduce you to Frank, who leads the team.\n\nHank",
                           at=at, message_id="<intro@hankcorp.example>",
                           cc="Frank <frank@frankcorp.example>"))  # fmt: skip
    when = datetime(2026, 3, 2, 15, 45, tzinfo=UTC)
    box.append(inbox, bounce("dave@davecorp.example", "<x@example.org>", at=when,
                             message_id="<dsn-dave@mail.example.org>"))  # fmt: skip
    box.append(inbox, mail("erin@erincorp.example", "jane@example.org", "Out of office",
                           "I am out of the office until 16 March 2026.", at=at,
                           message_id="<ooo-erin@erincorp.example>"))  # fmt: skip
    box.append(inbox, mail("fred@fredcorp.example", "jane@example.org", "Automatic reply",
                           "Fred is no longer with the company.", at=at,
                           message_id="<gone-fred@fredcorp.example>"))  # fmt: skip


async def test_each_kind_of_notice_reaches_the_inbox_exactly_once(
    imap_server: ImapAccount,
    told_config: Path,
    smtpd: SmtpServer,
    sink: PushSink,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config, box = told_config, imap_server

    async def run(at: str) -> str:
        out = await cli(config, capsys, "run", "--once", "--now", at)
        keep_digests(box)
        return out

    await run("2026-03-02T07:30:00+00:00")  # Monday 08:30 in Berlin, nothing to say: no digest
    assert ours(box) == []

    now = "2026-03-02T15:30:00+00:00"
    for who in ("bob", "carol", "dave", "erin", "fred", "hank"):
        await cli(config, capsys, "add", "interview", "--email", f"{who}@{who}corp.example",
                  "--at", "2026-03-02T14:00:00+00:00", "--now", now)  # fmt: skip
    box.append("INBOX", invite("REQUEST", 0, "20260306T140000Z"))  # bob@acme.example, Friday
    await run(now)  # drafts written; an interview created from the invitation
    rows = json.loads(await cli(config, capsys, "queue", "--json", "--now", now))
    [carol] = [r for r in rows if r["contact"] == "carol@carolcorp.example"]
    await cli(config, capsys, "approve", str(carol["id"]), "--now", now)
    smtpd.script.drop_after_data()
    failed = await asyncio.to_thread(main, ["run", "--once", "--config", str(config), "--now",
                                            "2026-03-02T15:31:00+00:00"])  # fmt: skip
    assert failed == 1 and "uncertain" in capsys.readouterr().err  # a failure of the pass
    keep_digests(box)  # carol's thank-you: uncertain, a note at once
    assert [kind for _, kind, _ in ours(box)] == ["urgent"]
    assert [p["message"] for p in sink.received] == [
        "a send is uncertain (carol@carolcorp.example, thank_you)"]  # fmt: skip

    seed_monday(box)
    await run("2026-03-02T16:00:00+00:00")  # a referral, a bounce (urgent), away, unreachable

    rows = json.loads(
        await cli(config, capsys, "queue", "--json", "--now", "2026-03-02T16:00:00+00:00")
    )
    [intro] = [r for r in rows if r["step"] == "referral_intro"]
    with box.session() as client:  # the user flags the intro, its [[ADD: ...]] still in it
        client.select_folder(box.special_use["\\Drafts"])
        [uid] = client.search(["HEADER", "Message-ID", str(intro["message_id"])])
        client.add_flags([uid], [b"\\Flagged"])
    await run("2026-03-02T16:10:00+00:00")  # refused: a note at once

    day = datetime(2026, 3, 3, 7, 30, tzinfo=UTC)
    while day < datetime(2026, 3, 14, tzinfo=UTC):  # every morning for almost two weeks
        for minute in (0, 5):  # and a restart: nothing twice
            await run((day + timedelta(minutes=minute)).isoformat())
        day += timedelta(days=1)

    told = json.loads(await cli(config, capsys, "notices", "--all", "--json"))
    assert {n["kind"] for n in told} >= TOLD
    delivered = [(kind, text_of(msg)) for _, kind, msg in ours(box)]
    for notice in told:
        text = " ".join(notice["text"].split())
        where = [kind for kind, body in delivered if text in body]
        expected = "urgent" if notice["kind"] in URGENT_KINDS else "digest"
        assert where == [expected], (notice, where)

    pushed = [p["message"] for p in sink.received]  # one per note and digest, no text of theirs
    assert len(pushed) == len(ours(box))
    assert sum("uncertain" in p for p in pushed) == 1
    assert not [p for p in pushed for n in told if n["text"][:40] in p]
    assert all(p.startswith("your digest is in your inbox") for p in pushed[3:])

    before, mine = event_count(config), len(ours(box))
    await run("2026-03-13T09:00:00+00:00")  # once more: nothing read back, nothing new
    assert event_count(config) == before
    assert len(ours(box)) == mine
