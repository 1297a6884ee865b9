"""The mailbox watcher against real servers: `run --once` and `run`, exactly once, read-only."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from followthru import app
from followthru.adapters.store import Store
from followthru.cli import main
from followthru.config import load_config
from tests.e2e.snapshots import assert_snapshots_are_replays
from tests.rig import ImapAccount

INTERVIEW = "2026-03-02T14:00:00+00:00"
# `followthru add interview` for the interviewer most tests follow; add "--now", ... after it.
ADD_BOB = ("add", "interview", "--email", "bob@acme.example", "--at", INTERVIEW)


def mail(sender: str, to: str, subject: str, body: str, *, at: str, message_id: str | None,
         in_reply_to: str | None = None, cc: str | None = None) -> bytes:  # fmt: skip
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = format_datetime(datetime.fromisoformat(at))
    if cc:
        msg["Cc"] = cc
    if message_id:
        msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = msg["References"] = in_reply_to
    msg.set_content(body)
    return msg.as_bytes()


@pytest.fixture
def config(
    imap_server: ImapAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    creds = tmp_path / "credentials"
    creds.mkdir()
    (creds / "imap").write_text(imap_server.password)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    cfg = {
        "identity": {"name": "Jane Doe", "email": "jane@example.org", "timezone": "Europe/Berlin"},
        "accounts": [{
            "name": "personal",
            "imap": {"host": imap_server.host, "port": imap_server.port, "tls": "none",
                     "username": imap_server.username, "credential": "imap", "timeout": "10s"},
            "smtp": {"host": "127.0.0.1", "port": 2525, "tls": "none"},
        }],
        "store": {"path": str(tmp_path / "state.db")},
        "notify": {"digest_at": None},
        "watch": {"idle_refresh": "1m", "poll_interval": "10s"},
    }  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(cfg))
    yield path
    assert_snapshots_are_replays(path)


def cli(config: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main([*argv, "--config", str(config)])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def state_of(
    config: Path, capsys: pytest.CaptureFixture[str], email: str, now: str
) -> dict[str, object]:
    shown = json.loads(cli(config, capsys, "show", email, "--json", "--now", now))
    assert isinstance(shown, dict)
    return shown


def event_count(config: Path) -> int:
    with Store.open(load_config(config).store_path) as store:
        return len(store.events.rows())


def test_sent_mail_and_a_reply_move_the_contact_exactly_once(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(config, capsys, *ADD_BOB, "--now", "2026-03-02T15:30:00+00:00")
    thanks = mail("Jane Doe <jane@example.org>", "bob@acme.example", "Thank you", "Thanks for today.",
                  at="2026-03-02T17:00:00+00:00", message_id="<thanks-1@example.org>")  # fmt: skip
    imap_server.append(imap_server.special_use["\\Sent"], thanks, flags=["\\Seen"])
    out = cli(config, capsys, "run", "--once", "--now", "2026-03-02T18:00:00+00:00")
    assert "personal: 1 new message(s), 1 about contacts" in out
    assert (
        state_of(config, capsys, "bob@acme.example", "2026-03-02T18:00:00+00:00")["contact"][
            "state"
        ]
        == "awaiting_reply"
    )  # type: ignore[index]

    reply = mail("Bob <bob@acme.example>", "jane@example.org", "Re: Thank you", "Great to meet you too, we will be in touch.",
                 at="2026-03-03T09:00:00+00:00", message_id="<reply-1@acme.example>", in_reply_to="<thanks-1@example.org>")  # fmt: skip
    noise = mail("News <news@lists.example>", "jane@example.org", "Weekly digest", "Unrelated.",
                 at="2026-03-03T08:00:00+00:00", message_id="<digest@lists.example>")  # fmt: skip
    imap_server.append("INBOX", noise)
    imap_server.append("INBOX", reply)
    cli(config, capsys, "run", "--once", "--now", "2026-03-03T10:00:00+00:00")
    shown = state_of(config, capsys, "bob@acme.example", "2026-03-03T10:00:00+00:00")
    assert shown["contact"]["state"] == "in_conversation"  # type: ignore[index]
    assert "<reply-1@acme.example>" in [e["message_id"] for e in shown["events"]]  # type: ignore[union-attr]

    before = event_count(config)
    out = cli(config, capsys, "run", "--once", "--now", "2026-03-03T11:00:00+00:00")
    assert "personal: 0 new message(s)" in out
    assert event_count(config) == before

    with imap_server.session() as client:  # read-only on the user's mail: no \\Seen was set
        client.select_folder("INBOX", readonly=True)
        flags = client.get_flags(client.search("ALL"))
    assert all(b"\\Seen" not in f for f in flags.values())


def test_a_message_without_message_id_is_handled_once_across_restarts(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(config, capsys, *ADD_BOB, "--now", "2026-03-02T15:30:00+00:00")
    ooo = mail("Bob <bob@acme.example>", "jane@example.org", "Out of office", "I am out of the office until 16 March 2026.",
               at="2026-03-04T09:00:00+00:00", message_id=None)  # fmt: skip
    imap_server.append("INBOX", ooo)
    for hour in (10, 11, 12):
        cli(config, capsys, "run", "--once", "--now", f"2026-03-04T{hour}:00:00+00:00")
    events = state_of(config, capsys, "bob@acme.example", "2026-03-04T12:00:00+00:00")["events"]
    keyed = [e for e in events if (e["message_id"] or "").startswith("<sha256-")]  # type: ignore[union-attr]
    assert len(keyed) == 1


def test_a_uidvalidity_change_gives_no_duplicate_events(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(config, capsys, *ADD_BOB, "--now", "2026-03-02T15:30:00+00:00")
    reply = mail("Bob <bob@acme.example>", "jane@example.org", "Next steps", "Could we talk on Friday?",
                 at="2026-03-03T09:00:00+00:00", message_id="<r2@acme.example>")  # fmt: skip
    folder = "Reconnect"
    imap_server.create_folder(folder)
    imap_server.append(folder, reply)
    cfg = load_config(config)
    cfg_text = config.read_text().replace(
        '"timeout": "10s"}', '"timeout": "10s"}, "folders": {"inbox": "Reconnect"}'
    )
    config.write_text(cfg_text)
    assert cfg.accounts
    cli(config, capsys, "run", "--once", "--now", "2026-03-03T10:00:00+00:00")
    before = event_count(config)
    old, new = imap_server.recreate_folder(folder)
    assert old != new
    imap_server.append(folder, reply)
    cli(config, capsys, "run", "--once", "--now", "2026-03-03T11:00:00+00:00")
    assert event_count(config) == before


def test_run_sees_a_reply_within_two_seconds(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(config, capsys, *ADD_BOB, "--now", "2026-03-02T15:30:00+00:00")
    cfg = load_config(config)

    def state() -> str:
        with Store.open(cfg.store_path) as store:
            return str(
                store.conn.execute(
                    "SELECT state FROM contacts WHERE email = 'bob@acme.example'"
                ).fetchone()[0]
            )

    async def scenario() -> float:
        stop = asyncio.Event()
        start = time.monotonic()
        clock: Callable[[], datetime] = lambda: datetime(2026, 3, 3, 9, tzinfo=UTC)  # noqa: E731
        daemon = asyncio.create_task(app.run_forever(cfg, clock, stop))
        await asyncio.sleep(1.0)  # first pass done, idling
        reply = mail("Bob <bob@acme.example>", "jane@example.org", "Re: our interview", "Thanks, happy to continue.",
                     at="2026-03-03T08:30:00+00:00", message_id="<live@acme.example>")  # fmt: skip
        await asyncio.to_thread(imap_server.append, "INBOX", reply)
        appended = time.monotonic()
        while state() != "in_conversation" and time.monotonic() - appended < 10:  # noqa: ASYNC110  (the store is the observable)
            await asyncio.sleep(0.05)
        latency = time.monotonic() - appended
        stop.set()
        await asyncio.wait_for(daemon, timeout=10)
        assert time.monotonic() - start < 30
        return latency

    latency = asyncio.run(scenario())
    print(f"\n{imap_server.kind}: reply to state change in {latency * 1000:.0f} ms")
    assert state() == "in_conversation"
    assert latency < 2.0


def test_mail_older_than_the_backfill_is_never_read_as_new(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(config, capsys, *ADD_BOB, "--now", "2026-03-02T15:30:00+00:00")
    old = mail("Bob <bob@acme.example>", "jane@example.org", "Long ago", "An old note.",
               at="2025-01-02T09:00:00+00:00", message_id="<old@acme.example>")  # fmt: skip
    imap_server.append("INBOX", old, msg_time=datetime(2025, 1, 2, 9, tzinfo=UTC))
    for day in ("03", "04"):
        out = cli(config, capsys, "run", "--once", "--now", f"2026-03-{day}T10:00:00+00:00")
        assert "personal: 0 new message(s)" in out
    assert (
        state_of(config, capsys, "bob@acme.example", "2026-03-04T10:00:00+00:00")["contact"][
            "state"
        ]
        != "in_conversation"
    )  # type: ignore[index]


def test_a_contacts_introduction_creates_a_referral(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(config, capsys, *ADD_BOB, "--now", "2026-03-02T15:30:00+00:00")
    intro = mail("Bob <bob@acme.example>", "jane@example.org", "Meet Priya",
                 "Jane, let me introduce you to Priya, who leads our platform team. Priya, Jane is great.",
                 at="2026-03-04T09:00:00+00:00", message_id="<intro@acme.example>",
                 cc="Priya Natarajan <priya@initech.example>")  # fmt: skip
    imap_server.append("INBOX", intro)
    cli(config, capsys, "run", "--once", "--now", "2026-03-04T10:00:00+00:00")
    priya = state_of(config, capsys, "priya@initech.example", "2026-03-04T10:00:00+00:00")
    assert priya["contact"]["state"] == "referred"  # type: ignore[index]
    assert priya["contact"]["source"] == "bob@acme.example"  # type: ignore[index]
    [intro_item] = priya["queue"]  # type: ignore[misc]
    assert intro_item["step"] == "referral_intro" and intro_item["cc"] == ["bob@acme.example"]


def test_an_introduction_with_hostile_encoded_cc_names_refers_only_the_real_address(
    imap_server: ImapAccount, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The introduction above, with the introduced person's display name an encoded word
    carrying CR/LF and "Bcc: evil@...": it must not make the attacker a referral."""
    cli(config, capsys, *ADD_BOB, "--now", "2026-03-02T15:30:00+00:00")
    intro = (
        b"From: Bob <bob@acme.example>\r\nTo: jane@example.org\r\nSubject: Meet Priya\r\n"
        b"Cc: =?utf-8?q?Priya_Natarajan=0D=0ABcc=3A_evil=40attacker=2Eexample?=\r\n"
        b" <priya@initech.example>\r\n"
        b"Date: Wed, 04 Mar 2026 09:00:00 +0000\r\nMessage-ID: <intro@acme.example>\r\n\r\n"
        b"Jane, let me introduce you to Priya, who leads our platform team."
        b" Priya, Jane is great.\r\n"
    )
    imap_server.append("INBOX", intro)
    cli(config, capsys, "run", "--once", "--now", "2026-03-04T10:00:00+00:00")
    contacts = json.loads(cli(config, capsys, "contacts", "--json"))
    assert sorted(c["email"] for c in contacts) == ["bob@acme.example", "priya@initech.example"]
    queued = json.loads(cli(config, capsys, "queue", "--all", "--json"))
    addressed = {a for item in queued for a in (*item["to"], *item["cc"])}
    assert not any("attacker" in a for a in addressed), addressed
