"""Approved drafts go out exactly once (Dovecot/pymap for IMAP, the scriptable aiosmtpd for SMTP)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sqlite3
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

from followthru import app
from followthru.cli import main
from followthru.config import load_config
from tests.e2e.test_watch import ADD_BOB, INTERVIEW
from tests.rig import ImapAccount
from tests.rig.smtpd import SmtpServer
from tests.rig.tls import TlsRig

NOW = "2026-03-02T15:30:00+00:00"  # Monday 16:30 in Berlin: inside the send window
PLAIN_THANKS = "Subject: Thank you, {{ contact.first_name or 'there' }}\n\nHi,\n\nThank you for today.\n\n{{ me.name }}\n"


@pytest.fixture
def sending_config(config: Path, smtpd: SmtpServer, tmp_path: Path) -> Path:
    """The e2e config with SMTP on the test server and a thank-you letter without placeholders."""
    (tmp_path / "credentials" / "smtp").write_text(smtpd.password)
    (tmp_path / "letters").mkdir()
    (tmp_path / "letters" / "thank_you.txt.j2").write_text(PLAIN_THANKS)
    data = json.loads(config.read_text())
    data["accounts"][0]["smtp"] = {"host": smtpd.host, "port": smtpd.port, "tls": "none",
                                   "username": smtpd.username, "credential": "smtp"}  # fmt: skip
    data["templates_dir"] = str(tmp_path / "letters")
    config.write_text(json.dumps(data))
    return config


async def cli(config: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = await asyncio.to_thread(main, [*argv, "--config", str(config)])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


async def run_once(config: Path, capsys: pytest.CaptureFixture[str], now: str) -> tuple[int, str]:
    """`run --once` at `now`: its exit code and its stderr."""
    code = await asyncio.to_thread(main, ["run", "--once", "--config", str(config), "--now", now])
    return code, capsys.readouterr().err


async def queue(config: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    rows = json.loads(await cli(config, capsys, "queue", "--all", "--json"))
    assert isinstance(rows, list)
    return rows


async def test_an_approved_thank_you_is_delivered_once_and_filed_in_sent(
    imap_server: ImapAccount,
    sending_config: Path,
    smtpd: SmtpServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = sending_config
    await cli(
        config,
        capsys,
        "add",
        "interview",
        "--email",
        "bob@acme.example",
        "--name",
        "Bob Stone",
        "--at",
        INTERVIEW,
        "--now",
        NOW,
    )
    first = await cli(config, capsys, "run", "--once", "--now", NOW)
    assert "drafts: 1 written to Drafts; approved by flag: 0; sent: 0" in first  # a true summary
    [item] = await queue(config, capsys)
    said = await cli(config, capsys, "approve", str(item["id"]), "--now", NOW)
    assert "it goes out now (Europe/Berlin)" in said
    passes = [
        await cli(config, capsys, "run", "--once", "--now", f"2026-03-02T15:{minute}:00+00:00")
        for minute in (31, 32, 33)  # the next passes send it once, then never again
    ]
    assert "sent: 1" in passes[0] and all("sent: 0" in p for p in passes[1:])
    assert len(smtpd.messages) == 1
    sent = message_from_bytes(smtpd.messages[0].data, policy=policy.default)
    assert sent["Message-ID"] == item["message_id"] and sent["Subject"] == "Thank you, Bob"
    assert smtpd.messages[0].rcpt_tos == ("bob@acme.example",)
    [after] = await queue(config, capsys)
    assert after["status"] == "sent"
    shown = json.loads(
        await cli(
            config,
            capsys,
            "show",
            "bob@acme.example",
            "--json",
            "--now",
            "2026-03-02T15:40:00+00:00",
        )
    )
    assert shown["contact"]["state"] == "awaiting_reply"
    with imap_server.session() as client:
        client.select_folder(imap_server.special_use["\\Sent"], readonly=True)
        in_sent = client.search(["HEADER", "Message-ID", str(item["message_id"])])
        client.select_folder(imap_server.special_use["\\Drafts"], readonly=True)
        drafts_left = [
            u
            for u, d in client.fetch(client.search("ALL"), ["FLAGS"]).items()
            if b"\\Deleted" not in d[b"FLAGS"]
        ]
    assert len(in_sent) == 1
    assert drafts_left == []  # our draft was taken out of Drafts


async def test_a_drop_after_the_data_makes_it_uncertain_and_it_is_never_resent(
    imap_server: ImapAccount,
    sending_config: Path,
    smtpd: SmtpServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = sending_config
    await cli(config, capsys, *ADD_BOB, "--now", NOW)
    await cli(config, capsys, "run", "--once", "--now", NOW)
    [item] = await queue(config, capsys)
    await cli(config, capsys, "approve", str(item["id"]), "--now", NOW)
    smtpd.script.drop_after_data()
    codes = [
        await run_once(config, capsys, f"2026-03-02T15:{minute}:00+00:00")
        for minute in (31, 32, 33)
    ]
    [after] = await queue(config, capsys)
    assert after["status"] == "uncertain"
    assert len(smtpd.messages) <= 1  # at most once, whatever the server did with it
    # The pass whose send ended uncertain failed (SPEC exit 1, one line); the next ones did not.
    assert [code for code, _ in codes] == [1, 0, 0]
    assert f"item {item['id']} uncertain" in codes[0][1].strip().splitlines()[-1]


async def test_a_reply_before_the_send_withdraws_the_approved_draft(
    imap_server: ImapAccount,
    sending_config: Path,
    smtpd: SmtpServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = sending_config
    await cli(config, capsys, *ADD_BOB, "--now", "2026-03-02T12:00:00+00:00")
    await cli(config, capsys, "run", "--once", "--now", "2026-03-02T12:00:00+00:00")
    [checklist, thanks] = sorted(await queue(config, capsys), key=lambda r: str(r["step"]))
    await cli(config, capsys, "approve", str(thanks["id"]), "--now", "2026-03-02T12:05:00+00:00")
    reply = (b"From: Bob <bob@acme.example>\r\nTo: jane@example.org\r\nSubject: Re: today\r\n"
             b"Message-ID: <bob-1@acme.example>\r\nDate: Mon, 02 Mar 2026 15:10:00 +0000\r\n\r\nThanks, talk soon!\r\n")  # fmt: skip
    imap_server.append("INBOX", reply)
    await cli(config, capsys, "run", "--once", "--now", NOW)
    assert smtpd.messages == []
    statuses = {row["step"]: row["status"] for row in await queue(config, capsys)}
    assert statuses["thank_you"] == "withdrawn"
    assert checklist["step"] == "closing_checklist"


async def test_a_daemon_killed_mid_send_never_sends_twice(
    imap_server: ImapAccount,
    sending_config: Path,
    smtpd: SmtpServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """kill -9 while the server holds the message's final reply: the data was handed over, so
    after the restart the item is `uncertain` and is never sent again on its own."""
    config = sending_config
    await cli(config, capsys, *ADD_BOB, "--now", NOW)
    await cli(config, capsys, "run", "--once", "--now", NOW)
    [item] = await queue(config, capsys)
    await cli(config, capsys, "approve", str(item["id"]), "--now", NOW)
    smtpd.script.stall_after_data()
    daemon = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "followthru", "run", "--once", "--config", str(config), "--now", "2026-03-02T15:31:00+00:00",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(200):  # until the server holds the whole message
            if any(m.outcome == "stalled" for m in smtpd.messages):
                break
            await asyncio.sleep(0.05)
        assert [m.outcome for m in smtpd.messages] == ["stalled"]
        daemon.send_signal(signal.SIGKILL)
    finally:
        if daemon.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                daemon.kill()
        await daemon.wait()
    codes = [
        (await run_once(config, capsys, f"2026-03-02T15:{minute}:00+00:00"))[0]
        for minute in (35, 40)
    ]
    [after] = await queue(config, capsys)
    assert after["status"] == "uncertain"
    assert len(smtpd.messages) == 1  # the one the server held; nothing was sent again
    assert codes == [1, 0]  # the pass that found it interrupted says so


async def test_a_flagged_draft_is_delivered_once_and_the_cadence_goes_on(
    imap_server: ImapAccount,
    sending_config: Path,
    smtpd: SmtpServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The SPEC's main path: interview -> thank-you in Drafts -> the user flags it -> exactly one
    delivery, a copy in Sent, the draft gone -> a week later the phone task, then a threaded check-in."""
    config = sending_config
    await cli(config, capsys, *ADD_BOB, "--now", NOW)
    await cli(config, capsys, "run", "--once", "--now", NOW)
    [item] = await queue(config, capsys)
    with imap_server.session() as client:
        client.select_folder(imap_server.special_use["\\Drafts"])
        client.add_flags(client.search("ALL"), [b"\\Flagged"])
    for minute in (31, 32):
        await cli(config, capsys, "run", "--once", "--now", f"2026-03-02T15:{minute}:00+00:00")
    assert len(smtpd.messages) == 1
    thanks = message_from_bytes(smtpd.messages[0].data, policy=policy.default)
    assert thanks["Message-ID"] == item["message_id"]

    await cli(config, capsys, "run", "--once", "--now", "2026-03-09T15:45:00+00:00")  # a week later
    [task] = [r for r in await queue(config, capsys) if r["step"] == "phone_message"]
    assert task["status"] == "pending" and task["kind"] == "task"
    await cli(config, capsys, "done", str(task["id"]), "--now", "2026-03-09T15:50:00+00:00")
    await cli(config, capsys, "run", "--once", "--now", "2026-03-16T15:55:00+00:00")
    [check_in] = [r for r in await queue(config, capsys) if r["step"] == "check_in"]
    drafts = {}
    with imap_server.session() as client:
        client.select_folder(imap_server.special_use["\\Drafts"], readonly=True)
        for data in client.fetch(client.search("ALL"), ["BODY.PEEK[]"]).values():
            msg = message_from_bytes(data[b"BODY[]"], policy=policy.default)
            drafts[msg["Message-ID"]] = msg
    threaded = drafts[check_in["message_id"]]
    assert threaded["In-Reply-To"] == item["message_id"]
    assert str(threaded["Subject"]).startswith("Re: Thank you")
    assert len(smtpd.messages) == 1  # still exactly one delivery


async def test_a_snoozed_email_goes_out_once_at_its_new_time_and_never_expires_by_surprise(
    imap_server: ImapAccount,
    sending_config: Path,
    smtpd: SmtpServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An unapproved draft still expires after draft_expires_after (5 days), so a snooze past
    that is refused, naming the expiry and the way out; once approved it may wait any time."""
    config = sending_config
    await cli(config, capsys, *ADD_BOB, "--now", NOW)
    await cli(config, capsys, "run", "--once", "--now", NOW)
    [item] = await queue(config, capsys)
    number = str(item["id"])
    code = await asyncio.to_thread(
        main, ["snooze", number, "--until", "2026-03-10", "--config", str(config), "--now", NOW]
    )
    err = capsys.readouterr().err
    assert code == 1
    # Queued at 16:30, half an hour after it was due: its five days count from then.
    assert (
        f"item {number} (thank_you) expires at 2026-03-07T16:30+01:00 (cadence.draft_expires_after)"
        in err
    )
    assert "approve it, then snooze it" in err
    await cli(config, capsys, "snooze", number, "--until", "2026-03-04", "--now", NOW)  # before
    await cli(config, capsys, "approve", number, "--now", NOW)
    out = await cli(config, capsys, "snooze", number, "--until", "2026-03-10", "--now", NOW)
    assert out == f"snoozed #{number} (thank_you) until 2026-03-10T09:00:00+01:00\n"
    for moment in ("2026-03-04T10:00:00+00:00", "2026-03-09T15:00:00+00:00"):
        await cli(config, capsys, "run", "--once", "--now", moment)
    assert smtpd.messages == []  # neither the first snooze's day nor the day before
    [waiting] = await queue(config, capsys)
    assert waiting["status"] == "approved"
    for moment in ("2026-03-10T08:01:00+00:00", "2026-03-10T08:30:00+00:00"):
        await cli(config, capsys, "run", "--once", "--now", moment)
    assert len(smtpd.messages) == 1
    assert (
        message_from_bytes(smtpd.messages[0].data, policy=policy.default)["Message-ID"]
        == item["message_id"]
    )


async def test_a_send_survives_a_lost_wal(
    imap_server: ImapAccount,
    sending_config: Path,
    smtpd: SmtpServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """kill -9 of the daemon after the `sent` commit, then state.db-wal and -shm lost (a copy
    of state.db alone, a restore): the next pass finds the email sent and sends nothing (with
    no Sent copy to tell it either: save_sent is off). Before: re-sent, 5 times out of 5."""
    config = sending_config
    data = json.loads(config.read_text())
    data["accounts"][0]["save_sent"] = False
    config.write_text(json.dumps(data))
    await cli(config, capsys, *ADD_BOB, "--now", NOW)
    await cli(config, capsys, "run", "--once", "--now", NOW)
    [item] = await queue(config, capsys)
    await cli(config, capsys, "approve", str(item["id"]), "--now", NOW)
    daemon = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "followthru", "run", "--config", str(config), "--now", "2026-03-02T15:31:00+00:00",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    store = Path(data["store"]["path"])
    try:
        async with asyncio.timeout(30):
            await smtpd.wait_for_messages(1)
        for _ in range(100):  # until the daemon committed what became of the send
            rows = await asyncio.to_thread(_statuses, store)
            if rows == ["sent"]:
                break
            await asyncio.sleep(0.05)
        daemon.send_signal(signal.SIGKILL)
    finally:
        if daemon.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                daemon.kill()
        await daemon.wait()
    for lost in ("state.db-wal", "state.db-shm"):
        (store.parent / lost).unlink(missing_ok=True)
    for minute in (40, 45):
        await cli(config, capsys, "run", "--once", "--now", f"2026-03-02T15:{minute}:00+00:00")
    [after] = await queue(config, capsys)
    assert after["status"] == "sent"
    assert len(smtpd.messages) == 1


def _statuses(store: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(store)) as conn:
        return [row[0] for row in conn.execute("SELECT status FROM outbox")]


# --- a refused SMTP login is final -----------------------------------------------------------


async def approved_thanks(config: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    await cli(config, capsys, *ADD_BOB, "--now", NOW)
    await cli(config, capsys, "run", "--once", "--now", NOW)
    [item] = await queue(config, capsys)
    await cli(config, capsys, "approve", str(item["id"]), "--now", NOW)
    return item


async def test_run_once_with_a_wrong_smtp_password_exits_1_with_one_line(
    imap_server: ImapAccount,
    sending_config: Path,
    smtpd: SmtpServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = sending_config
    await approved_thanks(config, capsys)
    (tmp_path / "credentials" / "smtp").write_text(smtpd.password + "-wrong")
    code = await asyncio.to_thread(
        main, ["run", "--once", "--now", "2026-03-02T15:31:00+00:00", "--config", str(config)]
    )
    err = capsys.readouterr().err
    assert code == 1
    [line] = [x for x in err.splitlines() if x.startswith("followthru: ")]
    assert "authentication failed" in line and smtpd.password not in err
    assert smtpd.auth_attempts == [("PLAIN", False)] and smtpd.messages == []
    [item] = await queue(config, capsys)
    assert item["status"] == "approved"


async def test_run_with_a_wrong_smtp_password_says_so_once_and_never_logs_in_again(
    imap_server: ImapAccount,
    sending_config: Path,
    smtpd: SmtpServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The daemon polls every 0.3 s here: a refused login must be said once and not tried
    again (lock-out risk) until the configuration is loaded anew (a restart, here); the
    approved email stays approved and goes out once the password is right."""
    config = sending_config
    await approved_thanks(config, capsys)
    credential = tmp_path / "credentials" / "smtp"
    credential.write_text(smtpd.password + "-wrong")
    loaded = load_config(config)
    fast = timedelta(seconds=0.3)
    loaded = replace(loaded, watch=replace(loaded.watch, poll_interval=fast, idle_refresh=fast))
    later = datetime.fromisoformat("2026-03-02T15:31:00+00:00")

    async def daemon_for(seconds: float) -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(app.run_forever(loaded, lambda: later, stop))
        await asyncio.sleep(seconds)
        assert not task.done(), "the daemon must outlive a refused SMTP login"
        stop.set()
        await asyncio.wait_for(task, timeout=15)

    logging.getLogger().addHandler(caplog.handler)  # main() set the root's handlers anew
    await daemon_for(3.0)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "sending stopped" in errors[0].getMessage()
    assert smtpd.auth_attempts == [("PLAIN", False)] and smtpd.messages == []
    [item] = await queue(config, capsys)
    assert item["status"] == "approved"

    credential.write_text(smtpd.password)  # fixed, then a restart
    await daemon_for(2.0)
    assert smtpd.auth_attempts == [("PLAIN", False), ("PLAIN", True)]
    assert len(smtpd.messages) == 1


async def test_run_once_with_a_refused_smtp_certificate_exits_1_with_one_line(
    imap_server: ImapAccount,
    sending_config: Path,
    smtpd_factory: Any,
    tls_rig: TlsRig,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = sending_config
    await approved_thanks(config, capsys)
    expired = await smtpd_factory(tls="implicit", cert=tls_rig.expired)
    data = json.loads(config.read_text())
    data["accounts"][0]["smtp"] |= {"host": "localhost", "port": expired.port, "tls": "implicit",
                                    "cafile": str(tls_rig.cafile)}  # fmt: skip
    config.write_text(json.dumps(data))
    code = await asyncio.to_thread(
        main, ["run", "--once", "--now", "2026-03-02T15:31:00+00:00", "--config", str(config)]
    )
    err = capsys.readouterr().err
    assert code == 1
    [line] = [x for x in err.splitlines() if x.startswith("followthru: ")]
    assert "certificate invalid" in line
    assert expired.messages == []
    [item] = await queue(config, capsys)
    assert item["status"] == "approved"


async def test_ctrl_c_during_a_stalled_send_stops_at_once_and_leaves_it_uncertain(
    imap_server: ImapAccount,
    sending_config: Path,
    smtpd: SmtpServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The server holds the reply after the data; the user presses Ctrl-C: `run --once` ends
    within a second or two, says so in one line, and the item is `uncertain` (never re-sent)."""
    config = sending_config
    item = await approved_thanks(config, capsys)
    smtpd.script.stall_after_data()
    daemon = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "followthru", "run", "--once", "--config", str(config), "--now", "2026-03-02T15:31:00+00:00",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with asyncio.timeout(30):
            while not any(m.outcome == "stalled" for m in smtpd.messages):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        pressed = asyncio.get_running_loop().time()
        daemon.send_signal(signal.SIGINT)
        async with asyncio.timeout(5):
            _, err = await daemon.communicate()
        took = asyncio.get_running_loop().time() - pressed
    finally:
        if daemon.returncode is None:
            daemon.kill()
            await daemon.wait()
    assert daemon.returncode == 130 and took < 2.0
    lines = err.decode().strip().splitlines()
    assert lines[-1].startswith("followthru: interrupted")
    [after] = await queue(config, capsys)
    assert after["id"] == item["id"] and after["status"] == "uncertain"
