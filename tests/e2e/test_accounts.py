"""Several accounts: nothing is sent before every account's mail has been read.

The first account's round sends (its Drafts hold the queue). A reply can reach any account
(an interviewer answering the user's other address), so:
- `run --once` syncs the other accounts first and the first account last, right before it
  sends: a reply in the second account withdraws the approved draft;
- `run` sends only while every other account is caught up (connected, its round complete);
  while one cannot be read, approved emails wait, and go out once it is read.

The first account is Dovecot or pymap (`imap_server`); the second is its own pymap process,
reached directly or through a FaultProxy that can make it unreachable.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from followthru import app
from followthru.cli import main
from followthru.config import Config, load_config
from tests.e2e.snapshots import assert_snapshots_are_replays
from tests.e2e.test_watch import ADD_BOB, mail
from tests.e2e.test_watch_faults import until
from tests.rig import ImapAccount, free_port
from tests.rig.proxy import FaultProxy
from tests.rig.pymapd import PymapServer
from tests.rig.smtpd import SmtpServer

REGISTERED = "2026-03-02T12:00:00+00:00"
APPROVED = "2026-03-02T12:05:00+00:00"
NOW = "2026-03-02T15:30:00+00:00"  # Monday 16:30 in Berlin: inside the send window
PLAIN_THANKS = "Subject: Thank you\n\nHi,\n\nThank you for today.\n\n{{ me.name }}\n"
BOB_REPLIES = mail("Bob <bob@acme.example>", "jane@work.example", "Re: today", "Thanks, talk soon!",
                   at="2026-03-02T15:10:00+00:00", message_id="<bob-1@acme.example>")  # fmt: skip


@pytest.fixture
def second_imap(tmp_path: Path) -> Iterator[ImapAccount]:
    """The user's second mailbox: a pymap process of its own."""
    server = PymapServer(log_path=tmp_path / "pymap-second.log")
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def second_proxy(second_imap: ImapAccount) -> Iterator[FaultProxy]:
    with FaultProxy(second_imap.host, second_imap.port) as running:
        yield running


def two_accounts(
    tmp_path: Path,
    first: ImapAccount,
    second: ImapAccount,
    smtpd: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    *,
    second_at: tuple[str, int] | None = None,
) -> Path:
    """config.yaml with `personal` (first, with SMTP and the queue) and `work` (second, or a
    proxy in front of it at `second_at`)."""
    creds = tmp_path / "credentials"
    creds.mkdir()
    for name, value in (("imap", first.password), ("imap2", second.password),
                        ("smtp", smtpd.password)):  # fmt: skip
        (creds / name).write_text(value)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    (tmp_path / "letters").mkdir()
    (tmp_path / "letters" / "thank_you.txt.j2").write_text(PLAIN_THANKS)
    host, port = second_at or (second.host, second.port)
    cfg = {
        "identity": {"name": "Jane Doe", "email": "jane@example.org", "timezone": "Europe/Berlin",
                     "also": ["jane@work.example"]},
        "accounts": [
            {"name": "personal",
             "imap": {"host": first.host, "port": first.port, "tls": "none",
                      "username": first.username, "credential": "imap", "timeout": "10s"},
             "smtp": {"host": smtpd.host, "port": smtpd.port, "tls": "none",
                      "username": smtpd.username, "credential": "smtp"}},
            {"name": "work",
             "imap": {"host": host, "port": port, "tls": "none",
                      "username": second.username, "credential": "imap2", "timeout": "2s"},
             "smtp": {"host": smtpd.host, "port": smtpd.port, "tls": "none",
                      "username": smtpd.username, "credential": "smtp"}},
        ],
        "store": {"path": str(tmp_path / "state.db")},
        "notify": {"digest_at": None},
        "templates_dir": str(tmp_path / "letters"),
        "watch": {"idle_refresh": "1m", "poll_interval": "10s"},
    }  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(cfg))
    return path


def cli(config: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main([*argv, "--config", str(config)])
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


def approved_thank_you(config: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    """Bob interviewed; one pass wrote the drafts; the user approved the thank-you."""
    cli(config, capsys, *ADD_BOB, "--now", REGISTERED)
    cli(config, capsys, "run", "--once", "--now", REGISTERED)
    [thanks] = [row for row in queue(config, capsys) if row["step"] == "thank_you"]
    cli(config, capsys, "approve", str(thanks["id"]), "--now", APPROVED)
    return thanks


def queue(config: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    rows = json.loads(cli(config, capsys, "queue", "--all", "--json"))
    assert isinstance(rows, list)
    return rows


def status_of(config: Path, capsys: pytest.CaptureFixture[str], step: str) -> object:
    return next(row["status"] for row in queue(config, capsys) if row["step"] == step)


@pytest.fixture
async def approved(
    imap_server: ImapAccount,
    second_imap: ImapAccount,
    smtpd: SmtpServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """Two accounts read directly, and Bob's thank-you approved: the config's path."""
    config = two_accounts(tmp_path, imap_server, second_imap, smtpd, monkeypatch)
    # main() runs its own event loop: in a thread, so that this loop serves the SMTP server.
    await asyncio.to_thread(approved_thank_you, config, capsys)
    return config


async def test_run_once_reads_every_account_before_it_sends(
    approved: Path, second_imap: ImapAccount, smtpd: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = approved
    second_imap.append("INBOX", BOB_REPLIES)  # Bob answered the user's work address
    out = await asyncio.to_thread(cli, config, capsys, "run", "--once", "--now", NOW)
    assert smtpd.messages == []
    assert status_of(config, capsys, "thank_you") == "withdrawn"
    # The report keeps the config's order whatever the order of the passes.
    assert [line.split(":")[0] for line in out.splitlines()[:2]] == ["personal", "work"]
    assert "work: 1 new message(s), 1 about contacts, 1 event(s)" in out
    assert_snapshots_are_replays(config)


async def test_run_once_reads_what_it_can_and_sends_nothing_while_an_account_cannot_be_read(
    approved: Path, second_imap: ImapAccount, smtpd: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = approved
    data = json.loads(config.read_text())
    data["accounts"][1]["imap"]["port"] = free_port()  # nothing listens there
    config.write_text(json.dumps(data))
    argv = ["run", "--once", "--config", str(config), "--now", NOW]
    code = await asyncio.to_thread(main, argv)
    out, err = capsys.readouterr()
    assert code == 1
    assert out.startswith("personal: 0 new message(s)")  # the first account was read
    last = err.splitlines()[-1]  # after the log's warning, the command's own last word
    assert last.startswith("followthru: account work not read (IMAP 127.0.0.1:")
    assert last.endswith("Connection refused)): nothing was sent")
    assert smtpd.messages == []
    assert status_of(config, capsys, "thank_you") == "approved"
    data["accounts"][1]["imap"]["port"] = second_imap.port  # the work server is back
    config.write_text(json.dumps(data))
    assert await asyncio.to_thread(main, argv) == 0
    assert "work: 0 new message(s)" in capsys.readouterr().out
    assert len(smtpd.messages) == 1
    assert status_of(config, capsys, "thank_you") == "sent"


# --- run: sending waits while another account cannot be read ---------------------------


@asynccontextmanager
async def daemon(config: Config) -> AsyncIterator[asyncio.Task[int]]:
    """run_forever in this loop with a pinned clock; stopped and awaited on leaving."""
    stop = asyncio.Event()
    now = datetime.fromisoformat(NOW).astimezone(UTC)
    task = asyncio.create_task(app.run_forever(config, lambda: now, stop))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)


async def test_run_holds_sending_while_another_account_cannot_be_read(
    imap_server: ImapAccount,
    second_imap: ImapAccount,
    second_proxy: FaultProxy,
    smtpd: SmtpServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    second_at = (second_proxy.host, second_proxy.port)
    path = two_accounts(tmp_path, imap_server, second_imap, smtpd, monkeypatch, second_at=second_at)
    await asyncio.to_thread(approved_thank_you, path, capsys)  # main() runs its own loop
    loaded = load_config(path)
    # Rounds every 2 s (below the config's 10 s minimum) and quick reconnects, so the held
    # send is retried within seconds of the second account coming back.
    seconds = timedelta(seconds=2)
    config = replace(
        loaded, watch=replace(loaded.watch, idle_refresh=seconds, poll_interval=seconds)
    )
    monkeypatch.setattr(app, "BACKOFF_START", 0.25)
    monkeypatch.setattr(app, "BACKOFF_CAP", 1.0)
    logging.getLogger().addHandler(caplog.handler)  # main() set the root's handlers anew
    caplog.set_level(logging.INFO, logger="followthru")
    second_proxy.black_hole()  # the work account's server accepts and never answers
    rounds: list[str] = []
    real_run = app.Round.run

    async def counted(one: app.Round, now: datetime) -> object:
        report = await real_run(one, now)
        rounds.append(one.account.name)
        return report

    monkeypatch.setattr(app.Round, "run", counted)
    async with daemon(config) as task:
        await until("two rounds of the first account", lambda: rounds.count("personal") >= 2, task)
        assert smtpd.messages == []
        assert "sending held: account=work is not caught up" in caplog.text
        second_proxy.pass_through()
        await until("the thank-you sent", lambda: len(smtpd.messages) == 1, task)
        await until("a later round", lambda: rounds.count("personal") >= 4, task)
    assert len(smtpd.messages) == 1
    assert "sending resumed: every account is caught up" in caplog.text
    assert status_of(path, capsys, "thank_you") == "sent"
    assert_snapshots_are_replays(path)
