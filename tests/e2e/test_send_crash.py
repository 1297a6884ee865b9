"""kill -9 of `run --once` mid-send, on either side of the hand-over point (SPEC invariant 5).

A daemon killed while the server stalls at RCPT never handed the message data over: on
restart it is sent, exactly once, and is never `uncertain`. One killed while the server holds
the body's final reply may have delivered it: `uncertain`, never sent again on its own (see
test_sending.py's test_a_daemon_killed_mid_send_never_sends_twice, the stall after the data).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from pathlib import Path

import pytest

from tests.e2e.test_sending import approved_thanks, queue, run_once, sending_config
from tests.rig import ImapAccount
from tests.rig.smtpd import SmtpServer

__all__ = ["sending_config"]  # the fixture, shared with test_sending.py
STALLED = "2026-03-02T15:31:00+00:00"


async def kill_while_stalled(config: Path, smtpd: SmtpServer, command: str) -> None:
    """Start `run --once`, SIGKILL it (its own pid) once the server holds `command` unanswered."""
    daemon = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "followthru", "run", "--once", "--config", str(config), "--now", STALLED,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        async with asyncio.timeout(30):
            while not any(c.startswith(command) and "stalled" in r for c, r in smtpd.transcript):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        assert daemon.returncode is None  # still stuck there: the kill comes mid-send
        daemon.send_signal(signal.SIGKILL)
    finally:
        if daemon.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                daemon.kill()
        await daemon.wait()  # (its code: asyncio may report 255 when another watcher reaped it)


async def test_a_kill_before_the_data_sends_it_exactly_once_after_the_restart(
    imap_server: ImapAccount,
    sending_config: Path,
    smtpd: SmtpServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = sending_config
    item = await approved_thanks(config, capsys)
    smtpd.script.stall("RCPT")
    await kill_while_stalled(config, smtpd, "RCPT")
    assert smtpd.messages == []  # the server never had the message
    codes = [
        (await run_once(config, capsys, f"2026-03-02T15:{minute}:00+00:00"))[0]
        for minute in (35, 40)
    ]
    assert codes == [0, 0]
    [after] = await queue(config, capsys)
    assert after["id"] == item["id"] and after["status"] == "sent"
    assert [(m.outcome, m.rcpt_tos) for m in smtpd.messages] == [
        ("accepted", ("bob@acme.example",))
    ]


async def test_a_kill_after_the_data_is_uncertain_and_never_sent_again(
    imap_server: ImapAccount,
    sending_config: Path,
    smtpd: SmtpServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = sending_config
    item = await approved_thanks(config, capsys)
    smtpd.script.stall_after_data()
    await kill_while_stalled(config, smtpd, "DATA")
    codes = [
        (await run_once(config, capsys, f"2026-03-02T15:{minute}:00+00:00"))[0]
        for minute in (35, 40)
    ]
    assert codes == [1, 0]  # the pass that found it interrupted says so
    [after] = await queue(config, capsys)
    assert after["id"] == item["id"] and after["status"] == "uncertain"
    assert [m.outcome for m in smtpd.messages] == ["stalled"]  # held once, never sent again
