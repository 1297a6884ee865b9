"""The approval, reply, bounce, referral and crash flows against each provider personality
(tests/rig/providers.py: `plain`, `gmail`, `m365`): whatever the provider does with folders,
sent mail, drafts and keywords, followthru delivers each approved message once, keeps one
copy in Sent, loses no draft and misses no reply.

The user works in the provider's own client (tests/e2e/clients.py): Thunderbird on the plain
rig, the Gmail web client (a new Message-ID and UID on every save) on Gmail, Outlook (a new
UID, X- headers dropped, quoted-printable with an HTML alternative) on Microsoft 365.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.e2e.clients import USER_TEXT, Client
from tests.e2e.snapshots import assert_snapshots_are_replays
from tests.e2e.test_clients import tries
from tests.e2e.test_sending import cli, queue, run_once
from tests.e2e.test_watch import ADD_BOB, mail
from tests.e2e.test_watch_faults import daemon, idling, make_rig, until
from tests.e2e.watchkit import bounce
from tests.rig.providers import Provider, followthru_account
from tests.rig.tls import TlsRig

NOW = "2026-03-02T15:30:00+00:00"  # Monday 16:30 in Berlin, inside the send window
LATER, LATEST = "2026-03-02T15:35:00+00:00", "2026-03-02T15:40:00+00:00"
BOB, CAROL = "bob@acme.example", "carol@beta.example"
CLIENT_OF = {"plain": "thunderbird", "gmail": "gmail", "m365": "outlook"}
PLAIN_INTRO = "Subject: {{ source.first_name or 'A friend' }} suggested I write\n\nHi,\n\nHello.\n\n{{ me.name }}\n"
PLAIN_THANKS = "Subject: Thank you, {{ contact.first_name or 'there' }}\n\nHi,\n\nThank you for today.\n\n{{ me.name }}\n"


@pytest.fixture
def provider_config(
    provider: Provider, tls_rig: TlsRig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A followthru config for the personality: its IMAP (through the provider's proxy), its
    SMTP (XOAUTH2 tokens from a token command on Gmail and Microsoft 365), folders `auto`."""
    creds = tmp_path / "credentials"
    creds.mkdir()
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    (tmp_path / "letters").mkdir()
    (tmp_path / "letters" / "thank_you.txt.j2").write_text(PLAIN_THANKS)
    (tmp_path / "letters" / "referral_intro.txt.j2").write_text(PLAIN_INTRO)
    cfg = {
        "identity": {"name": "Jane Doe", "email": "jane@example.org", "timezone": "Europe/Berlin"},
        "accounts": [followthru_account(provider, creds, tls_rig.cafile)],
        "store": {"path": str(tmp_path / "state.db")},
        "templates_dir": str(tmp_path / "letters"),
        "notify": {"digest_at": None},
        "watch": {"idle_refresh": "1m", "poll_interval": "10s"},
    }
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(cfg))
    yield path
    assert_snapshots_are_replays(path)


async def state(
    config: Path, capsys: pytest.CaptureFixture[str], email: str, now: str
) -> dict[str, object]:
    shown = json.loads(await cli(config, capsys, "show", email, "--json", "--now", now))
    assert isinstance(shown, dict)
    return shown


async def sent_by_flag(provider: Provider, config: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Bob's thank-you, edited in the provider's client and starred there: followthru sends
    it. Returns the Message-ID that went out."""
    await cli(config, capsys, *ADD_BOB, "--name", "Bob Stone", "--now", NOW)
    await cli(config, capsys, "run", "--once", "--now", NOW)
    client = Client(CLIENT_OF[provider.name], provider.mailbox)
    await asyncio.to_thread(client.edit)
    await asyncio.to_thread(client.flag)
    await cli(config, capsys, "run", "--once", "--now", LATER)
    await asyncio.to_thread(client.expunge_late)
    await cli(config, capsys, "run", "--once", "--now", LATEST)
    [delivered] = provider.smtpd.messages
    message = message_from_bytes(delivered.data, policy=policy.default)
    body = message.get_body(("plain",))
    assert body is not None and USER_TEXT in body.get_content()  # as the user left it
    assert delivered.rcpt_tos == (BOB,)
    return str(message["Message-ID"])


async def test_a_starred_draft_goes_out_once_with_one_copy_in_sent_and_a_reply_counts_once(
    provider: Provider, provider_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = provider_config
    sent_id = await sent_by_flag(provider, config, capsys)

    [item] = await queue(config, capsys)
    assert item["status"] == "sent" and item["message_id"] == sent_id
    assert await asyncio.to_thread(provider.copies, provider.folder("\\Sent"), sent_id) == 1
    drafts = await asyncio.to_thread(Client(CLIENT_OF[provider.name], provider.mailbox).drafts)
    assert drafts == {}  # every version of the draft is gone from Drafts
    assert tries(config) == ("awaiting_reply", 1)  # the server's copy in Sent is not a 2nd try

    reply = mail("Bob <bob@acme.example>", "jane@example.org", "Re: Thank you", "Great to meet you, we will be in touch.",
                 at="2026-03-03T09:00:00+00:00", message_id="<reply-1@acme.example>", in_reply_to=sent_id)  # fmt: skip
    await asyncio.to_thread(provider.receive, reply)
    for now in ("2026-03-03T10:00:00+00:00", "2026-03-03T11:00:00+00:00"):
        await cli(config, capsys, "run", "--once", "--now", now)
    shown = await state(config, capsys, BOB, "2026-03-03T11:00:00+00:00")
    assert shown["contact"]["state"] == "in_conversation"  # type: ignore[index]
    replies = [e for e in shown["events"] if e["type"] == "reply"]  # type: ignore[union-attr]
    assert len(replies) == 1  # Gmail's copy in All Mail is not a second one
    assert len(provider.smtpd.messages) == 1


async def test_a_draft_sent_from_the_providers_client_counts_once_and_is_not_sent_again(
    provider: Provider, provider_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = provider_config
    await cli(config, capsys, *ADD_BOB, "--name", "Bob Stone", "--now", NOW)
    await cli(config, capsys, "run", "--once", "--now", NOW)
    client = Client(CLIENT_OF[provider.name], provider.mailbox)
    await asyncio.to_thread(client.edit)
    await asyncio.to_thread(client.send)  # the client's own SMTP, its copy in Sent
    for now in (LATER, LATEST):
        await cli(config, capsys, "run", "--once", "--now", now)
    [item] = await queue(config, capsys)
    # ours (its Message-ID), or on Gmail the user's own message (a new Message-ID), as in
    # tests/e2e/test_clients.py: either way the try is counted once
    assert item["status"] in ("sent", "withdrawn")
    assert provider.smtpd.messages == []  # followthru sent nothing itself
    assert tries(config) == ("awaiting_reply", 1)
    assert await asyncio.to_thread(client.drafts) == {}


async def test_a_bounce_makes_the_contact_unreachable(
    provider: Provider, provider_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = provider_config
    sent_id = await sent_by_flag(provider, config, capsys)
    dsn = bounce(BOB, sent_id, at=datetime.fromisoformat("2026-03-02T15:45:00+00:00"),
                 message_id="<dsn-1@mail.example.org>")  # fmt: skip
    await asyncio.to_thread(provider.receive, dsn)
    await cli(config, capsys, "run", "--once", "--now", "2026-03-02T16:00:00+00:00")
    shown = await state(config, capsys, BOB, "2026-03-02T16:00:00+00:00")
    assert shown["contact"]["state"] == "unreachable"  # type: ignore[index]
    assert len(provider.smtpd.messages) == 1


async def test_an_approved_referral_intro_goes_out_once_with_the_source_in_cc(
    provider: Provider, provider_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = provider_config
    await cli(config, capsys, *ADD_BOB, "--now", NOW)
    await cli(config, capsys, "add", "referral", "--email", CAROL, "--source", BOB, "--now", NOW)
    await cli(config, capsys, "run", "--once", "--now", NOW)
    [intro] = [row for row in await queue(config, capsys) if row["step"] == "referral_intro"]
    await cli(config, capsys, "approve", str(intro["id"]), "--now", NOW)
    for now in (LATER, LATEST):
        await cli(config, capsys, "run", "--once", "--now", now)
    [delivered] = provider.smtpd.messages
    assert sorted(delivered.rcpt_tos) == [BOB, CAROL]
    assert delivered.parsed()["Cc"] == BOB
    assert (
        await asyncio.to_thread(
            provider.copies, provider.folder("\\Sent"), str(intro["message_id"])
        )
        == 1
    )
    shown = await state(config, capsys, CAROL, LATEST)
    assert shown["contact"]["state"] == "reached_out"  # type: ignore[index]


async def test_a_daemon_killed_mid_send_never_sends_twice(
    provider: Provider, provider_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """kill -9 while the server holds the message's final reply (Gmail and Microsoft 365 have
    filed it in Sent by then): after the restart nothing is sent again and Sent holds at most
    one copy."""
    config = provider_config
    await cli(config, capsys, *ADD_BOB, "--now", NOW)
    await cli(config, capsys, "run", "--once", "--now", NOW)
    [item] = await queue(config, capsys)
    await cli(config, capsys, "approve", str(item["id"]), "--now", NOW)
    provider.smtpd.script.stall_after_data()
    daemon = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "followthru", "run", "--once", "--config", str(config), "--now", LATER,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(200):  # until the server holds the whole message
            if any(m.outcome == "stalled" for m in provider.smtpd.messages):
                break
            await asyncio.sleep(0.05)
        assert [m.outcome for m in provider.smtpd.messages] == ["stalled"]
        daemon.send_signal(signal.SIGKILL)
    finally:
        if daemon.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                daemon.kill()
        await daemon.wait()
    # The pass that finds the interrupted send says so and fails (it may have gone out)...
    code, err = await run_once(config, capsys, LATEST)
    assert (code, "interrupted send(s) may have gone out" in err) == (1, True)
    await cli(config, capsys, "run", "--once", "--now", "2026-03-02T15:45:00+00:00")  # ...once
    [after] = await queue(config, capsys)
    in_sent = await asyncio.to_thread(
        provider.copies, provider.folder("\\Sent"), str(item["message_id"])
    )
    assert len(provider.smtpd.messages) == 1  # the one the server held; nothing sent again
    assert in_sent == (1 if provider.personality.files_sent else 0)
    # The server's own copy in Sent settles it (SPEC invariant 5: Sent is checked first).
    assert after["status"] == ("sent" if provider.personality.files_sent else "uncertain")


M365_ONLY = pytest.mark.parametrize("provider", ["m365"], indirect=True)


@M365_ONLY
async def test_throttling_is_waited_out_not_a_failure_of_the_account(
    provider: Provider, provider_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exchange's "Request is throttled. Suggested Backoff Time" NO: the command is tried
    again after the wait (before, the pass failed: `run --once` exited 1)."""
    config = provider_config
    await cli(config, capsys, *ADD_BOB, "--now", NOW)
    assert provider.proxy is not None
    provider.proxy.throttle(2)
    out = await cli(config, capsys, "run", "--once", "--now", NOW)
    assert provider.proxy.throttled == 2
    assert "drafts: 1 written to Drafts" in out


PROXIED = pytest.mark.parametrize("provider", ["gmail", "m365"], indirect=True)


@PROXIED
async def test_idle_and_sessions_ended_by_the_provider_lose_no_reply(
    provider: Provider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Gmail drops IDLE after about ten minutes, Office 365 ends sessions with `* BYE`: the
    daemon (run, not --once) logs in again, catches up and sees each reply exactly once."""
    assert provider.proxy is not None
    rig = make_rig(provider.mailbox, provider.proxy, tmp_path, monkeypatch)
    first, during, after = rig.contacts[:3]
    async with daemon(rig) as task:
        await idling(rig, task)
        await asyncio.to_thread(rig.reply, first, 1)
        await until("a reply during IDLE", rig.has(*rig.sent[-1]), task)
        for n, contact in ((2, during), (3, after)):
            await idling(rig, task)
            logins = rig.trace.logins()
            provider.proxy.inject_bye(provider.personality.bye)
            await asyncio.to_thread(rig.reply, contact, n)
            await until("a new login", lambda: rig.trace.logins() > logins, task)  # noqa: B023
            await until("the reply sent while it was gone", rig.has(*rig.sent[-1]), task)
    assert rig.ledger.duplicates() == {}
    events = rig.ledger.message_events()
    assert {key: events[key] for key in rig.sent} == dict.fromkeys(rig.sent, 1)
