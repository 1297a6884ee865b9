"""The watcher (`app.run_forever`) through network faults, and `run --once` through SIGKILL.

Faults: the daemon runs in the test's event loop with a pinned clock and a `stop` event; its
IMAP connection goes through a FaultProxy (tests/rig/proxy.py) in front of Dovecot or pymap,
with `timeout: 2s` and IDLE refresh = poll interval = 2 s (set on the loaded Config, below
the config file's 10 s minimum). One daemon meets several faults in turn; a reply arrives
before it starts, during IDLE, during each fault and after them all, each from another
registered contact; the store (a real SQLite file, read with sqlite3) must show exactly one
event per message and every contact who replied in_conversation. Two tests pin bugs these
faults found and that are fixed: a session dying after login is retried with backoff, and
mail that lands during a pass does not wait for the poll interval.

Crash: `followthru run --once` as a real subprocess over a few thousand messages, SIGKILLed
(by its own pid) at a known point of the pass: its stderr is a 4 KiB pipe that the test
stops reading once the pass is where it wants it, so the child blocks right there on its
next log line. Then it runs to completion: exactly once, nothing missed, integrity_check
ok, the user's flags unchanged.

Backoff: tenacity's `wait_random_exponential(multiplier=BACKOFF_START, max=BACKOFF_CAP)`
waits up to 2, 4, 8 ... s. The fault cases set BACKOFF_START=0.25, BACKOFF_CAP=1 so that
the reconnect after a fault ends does not wait seconds; the backoff case keeps the defaults.
Timing figures are printed (`pytest -s`); the bounds asserted are the config's own (IDLE
deadline + read timeout) plus generous slack.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pytest

from followthru import app
from followthru.adapters.imapdata import IdleResult
from followthru.adapters.mailbox import ImapMailbox
from followthru.config import Account, Config, load_config
from tests.e2e import watchkit as kit
from tests.rig import ImapAccount
from tests.rig.dovecot import DovecotAccount
from tests.rig.proxy import FaultProxy

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
INTERVIEW = NOW - timedelta(days=3)
POLL = 2.0  # s: idle_refresh and poll_interval here (an IDLE's deadline is the smaller one)
TIMEOUT = 2.0  # s: the IMAP read timeout, `timeout: 2s`


# --- the rig: a daemon behind a proxy, and what it does ----------------------------------


@dataclass
class Trace:
    """What the daemon did, timed with time.monotonic()."""

    starts: list[float] = field(default_factory=list)  # each connection attempt's start
    attempts: list[tuple[float, float, bool]] = field(default_factory=list)  # start, end, ok
    idles: list[float] = field(default_factory=list)  # each IDLE's start

    def logins(self) -> int:
        return sum(1 for _s, _e, ok in self.attempts if ok)

    def failures(self) -> int:
        return sum(1 for _s, _e, ok in self.attempts if not ok)

    def started_after(self, moment: float) -> float | None:
        return next((s for s in self.starts if s >= moment), None)

    def connected_after(self, moment: float) -> float | None:
        return next((e for _s, e, ok in self.attempts if ok and e >= moment), None)


@dataclass
class Rig:
    server: ImapAccount
    proxy: FaultProxy
    config: Config
    ledger: kit.Ledger
    trace: Trace
    contacts: list[str]
    sent: list[tuple[str, str]] = field(default_factory=list)  # (contact, Message-ID)

    def reply(self, contact: str, n: int) -> str:
        """A reply from `contact`, APPENDed to INBOX straight on the server (not proxied)."""
        local, domain = contact.split("@")
        mid = f"<r{n}.{local}@{domain}>"
        raw = kit.message(contact, kit.USER, f"Re: our interview ({n})",
                          "Thanks, happy to continue the conversation next week.",
                          at=NOW - timedelta(hours=6 - n), message_id=mid)  # fmt: skip
        self.server.append("INBOX", raw)
        self.sent.append((contact, mid))
        return mid

    def has(self, contact: str, mid: str) -> Callable[[], bool]:
        return lambda: (contact, mid) in self.ledger.message_events()

    def check_exactly_once(self) -> None:
        events = self.ledger.message_events()
        assert self.ledger.duplicates() == {}
        assert {key: events[key] for key in self.sent} == dict.fromkeys(self.sent, 1)
        replied = {email for email, _mid in self.sent}
        states = {email: self.ledger.state(email) for email in self.contacts}
        assert states == {e: "in_conversation" if e in replied else "interviewed" for e in states}


@pytest.fixture
def proxy(imap_server: ImapAccount) -> Iterator[FaultProxy]:
    with FaultProxy(imap_server.host, imap_server.port) as running:
        yield running


@pytest.fixture
def rig(
    imap_server: ImapAccount, proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Rig:
    return make_rig(imap_server, proxy, tmp_path, monkeypatch)


def make_rig(server: ImapAccount, proxy: FaultProxy, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch, *, tls: str = "none") -> Rig:  # fmt: skip
    """A daemon's config pointing at `proxy` (in front of `server`, speaking `tls`), seven
    registered contacts, fast watch intervals and backoff, and a Trace of what it does."""
    path = kit.write_config(tmp_path, server, host=proxy.host, port=proxy.port, timeout="2s",
                            tls=tls, cafile=server.cafile if tls != "none" else None,
                            monkeypatch=monkeypatch)  # fmt: skip
    contacts = [f"person{i}@firm{i}.example" for i in range(7)]
    for email in contacts:
        kit.register(path, email, interview=INTERVIEW, now=INTERVIEW + timedelta(hours=2))
    loaded = load_config(path)
    # Below the config's minimum (poll_interval >= 10s), so that a silent connection shows
    # within seconds: an IDLE ends at min(idle_refresh, poll_interval), then DONE times out.
    seconds = timedelta(seconds=POLL)
    config = replace(
        loaded, watch=replace(loaded.watch, idle_refresh=seconds, poll_interval=seconds)
    )
    monkeypatch.setattr(app, "BACKOFF_START", 0.25)
    monkeypatch.setattr(app, "BACKOFF_CAP", 1.0)
    trace = Trace()
    real_connect, real_idle = app.connect, ImapMailbox.idle_wait

    async def traced_connect(account: Account) -> ImapMailbox:
        start = time.monotonic()
        trace.starts.append(start)
        try:
            box = await real_connect(account)
        except BaseException:
            trace.attempts.append((start, time.monotonic(), False))
            raise
        trace.attempts.append((start, time.monotonic(), True))
        return box

    async def traced_idle(box: ImapMailbox, timeout: float, **kw: Any) -> IdleResult:  # noqa: ASYNC109
        trace.idles.append(time.monotonic())
        return await real_idle(box, timeout, **kw)

    monkeypatch.setattr(app, "connect", traced_connect)
    monkeypatch.setattr(ImapMailbox, "idle_wait", traced_idle)
    return Rig(server, proxy, config, kit.Ledger(loaded.store_path), trace, contacts)


@asynccontextmanager
async def daemon(rig: Rig) -> AsyncIterator[asyncio.Task[int]]:
    """run_forever in this loop with a pinned clock; stopped and awaited on leaving."""
    stop = asyncio.Event()
    clock: Callable[[], datetime] = lambda: NOW  # noqa: E731
    task = asyncio.create_task(app.run_forever(rig.config, clock, stop))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)


async def until(what: str, check: Callable[[], bool], task: asyncio.Task[int],
                timeout: float = 15.0) -> float:  # fmt: skip  # noqa: ASYNC109
    """Poll `check` every 20 ms until it holds; the seconds waited. Fails on timeout, or at
    once if the daemon ended (re-raising what ended it)."""
    started = time.monotonic()
    while not check():
        if task.done():
            task.result()
            pytest.fail(f"the daemon stopped while waiting for {what}")
        if time.monotonic() - started > timeout:
            pytest.fail(f"{what}: not within {timeout:.0f} s")
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def idling(rig: Rig, task: asyncio.Task[int]) -> None:
    """Until the daemon has been in a fresh IDLE for 0.2 s (IDLE sent and acknowledged)."""
    since = time.monotonic()
    await until("an IDLE", lambda: any(t >= since for t in rig.trace.idles), task)
    await asyncio.sleep(0.2)


# --- faults ----------------------------------------------------------------------------

DROPS = ("cut", "reset", "bye", "bye-left-open")  # the connection ends at once
SILENCES = ("black-hole", "down-for-a-while")  # nothing ends; nothing answers
# Over TLS: the drops as the TLS layer sees them, and a server that stops completing handshakes.
TLS_FAULTS = ("reset", "cut", "corrupt-record", "bye-left-open", "handshake-cut")


def inflict(proxy: FaultProxy, fault: str) -> None:
    if fault == "cut":  # EOF: a server restart
        proxy.cut()
    elif fault == "reset":  # RST: a dropped NAT entry
        proxy.cut(reset=True)
    elif fault == "bye":  # `* BYE`, then the server closes
        proxy.inject_bye()
    elif fault == "bye-left-open":  # `* BYE`, and the connection stays open
        proxy.inject_bye(close=False)
    elif fault == "black-hole":  # the connection stays up and nothing answers any more
        proxy.black_hole()
    elif fault == "down-for-a-while":  # cut, and reconnecting meets silence until it ends
        proxy.black_hole()
        proxy.cut()
    elif fault == "corrupt-record":  # a TLS record that cannot be decrypted
        proxy.corrupt_record()
    elif fault == "handshake-cut":  # cut, and reconnecting meets TCP closed before TLS is up
        proxy.refuse_handshakes()
        proxy.cut()


async def survive(rig: Rig, task: asyncio.Task[int], fault: str, contact: str, n: int) -> float:
    """From IDLE: the fault, a reply from `contact` while it lasts, its end; until the reply
    is in the store. Prints what it took; returns how long after the fault ended the daemon
    was connected again."""
    await idling(rig, task)
    logins, failures, struck = rig.trace.logins(), rig.trace.failures(), time.monotonic()
    inflict(rig.proxy, fault)
    await asyncio.to_thread(rig.reply, contact, n)
    ended = struck
    if fault == "black-hole":  # over once the daemon has noticed and tries again
        await until(
            f"{fault}: a reconnect attempt",
            lambda: rig.trace.started_after(struck) is not None,
            task,
        )
        rig.proxy.pass_through()
        ended = time.monotonic()
    elif fault == "down-for-a-while":  # over once an attempt has timed out (backoff begun)
        await until(f"{fault}: a failed attempt", lambda: rig.trace.failures() > failures, task)
        rig.proxy.pass_through()
        ended = time.monotonic()
    elif fault == "handshake-cut":  # over once two handshakes failed (a retry after the first)
        await until(f"{fault}: failed handshakes", lambda: rig.trace.failures() > failures + 1,
                    task)  # fmt: skip
        rig.proxy.refuse_handshakes(False)
        ended = time.monotonic()
    await until(f"{fault}: a new login", lambda: rig.trace.logins() > logins, task)
    seen = await until(f"{fault}: the reply sent during it", rig.has(*rig.sent[-1]), task)
    noticed = (rig.trace.started_after(struck) or struck) - struck
    back = (rig.trace.connected_after(ended) or ended) - ended
    print(f"{rig.server.kind}/{fault}: noticed after {noticed:.2f} s; reconnected {back:.2f} s"
          f" after it ended; the reply sent during it seen {seen:.2f} s after that;"
          f" failed attempts {rig.trace.failures() - failures}")  # fmt: skip
    # A dead connection is noticed by the IDLE deadline plus the DONE timeout at the latest.
    assert noticed < POLL + TIMEOUT + 3.0
    return back


@pytest.mark.parametrize(
    "faults",
    [
        pytest.param(DROPS, id="drops"),
        pytest.param(SILENCES, id="silences", marks=pytest.mark.slow),
    ],
)
async def test_mail_around_faults_is_seen_exactly_once(rig: Rig, faults: tuple[str, ...]) -> None:
    """A reply before the daemon starts, one during IDLE, one during each fault (in turn, one
    daemon), one after them all: each makes exactly one event, each contact is in_conversation."""
    before, in_idle, *during = rig.contacts[: 3 + len(faults)]
    after = during.pop()
    rig.reply(before, 1)
    async with daemon(rig) as task:
        await until("the first pass", rig.has(*rig.sent[-1]), task)
        await idling(rig, task)
        await asyncio.to_thread(rig.reply, in_idle, 2)
        latency = await until("a reply during IDLE", rig.has(*rig.sent[-1]), task)
        print(f"\n{rig.server.kind}: IDLE latency {latency * 1000:.0f} ms")
        assert latency < POLL, "seen through IDLE, not by the poll"
        for n, (fault, contact) in enumerate(zip(faults, during, strict=True), start=3):
            await survive(rig, task, fault, contact, n)
        await idling(rig, task)
        await asyncio.to_thread(rig.reply, after, 9)
        await until("a reply after the faults", rig.has(*rig.sent[-1]), task)
    assert rig.trace.logins() == 1 + len(faults)
    rig.check_exactly_once()


@pytest.mark.dovecot
@pytest.mark.parametrize("tls", ["implicit", "starttls"])
async def test_tls_faults_are_connection_failures_not_config_errors(
    dovecot_imap: DovecotAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture, tls: str,
) -> None:  # fmt: skip
    """Over TLS (Dovecot's implicit-TLS port, or STARTTLS on its plain one), a reset, an EOF,
    a record that cannot be decrypted, plaintext in the TLS stream and a server that closes
    before the handshake are all connection failures: no crash, the account never stopped,
    and the reply sent during each fault read within the backoff after it ends."""
    port = dovecot_imap.tls_port if tls == "implicit" else dovecot_imap.port
    assert port is not None
    with FaultProxy(dovecot_imap.host, port) as proxy:
        rig = make_rig(dovecot_imap, proxy, tmp_path, monkeypatch, tls=tls)
        rig.reply(rig.contacts[0], 1)
        async with daemon(rig) as task:
            await until("the first pass", rig.has(*rig.sent[-1]), task)
            for n, fault in enumerate(TLS_FAULTS, start=2):
                back = await survive(rig, task, fault, rig.contacts[n - 1], n)
                # Within the backoff (BACKOFF_CAP = 1 s here) plus a login, with slack.
                assert back < 1.0 + 2.0, f"{fault}: connected again only after {back:.1f} s"
    assert "stopped:" not in caplog.text
    assert rig.trace.logins() == 1 + len(TLS_FAULTS)
    rig.check_exactly_once()


async def test_a_session_that_dies_after_login_is_retried_with_backoff(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that accepts LOGIN and then drops the session (Dovecot's imap process dying of
    `vsz_limit` at the first SELECT of a big Maildir, research/imap-performance.md note 3;
    a crash on one corrupt message) must meet the same backoff as one that refuses the
    connection: otherwise the daemon logs in again and again, as fast as the network allows."""
    monkeypatch.setattr(app, "BACKOFF_START", 2.0)  # the shipped values
    monkeypatch.setattr(app, "BACKOFF_CAP", 300.0)
    traced = app.connect

    async def dies_after_login(account: Account) -> ImapMailbox:
        box = await traced(account)
        rig.proxy.cut()  # the session is over before its first command
        return box

    monkeypatch.setattr(app, "connect", dies_after_login)
    window = 3.0
    async with daemon(rig) as task:
        await asyncio.sleep(window)
        logins = rig.trace.logins()
        assert not task.done(), "the daemon must outlive a flapping server"
    print(f"\n{rig.server.kind}: {logins} logins in {window:.0f} s of sessions dying after login")
    # With wait_random_exponential(2, 300) the waits are U(0,2), U(0,4), U(0,8) ... s: in 3 s,
    # more than 5 logins takes 5 waits summing under 3 s (p < 1e-4). Without backoff: one login
    # per round trip (~50 on Dovecot, ~18 on pymap here).
    assert logins <= 5, f"{logins} logins in {window:.0f} s: no backoff between sessions"


async def test_mail_arriving_during_a_pass_is_seen_without_waiting_for_the_poll(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reply that lands after the pass has searched INBOX but before the next IDLE starts
    (while the pass writes drafts, sends, applies) is already counted in EXAMINE's EXISTS:
    IDLE never announces it. It must not wait for the poll interval."""
    slow = timedelta(seconds=30)
    rig.config = replace(
        rig.config, watch=replace(rig.config.watch, idle_refresh=slow, poll_interval=slow)
    )
    real_run = app.Round.run
    armed: list[float] = []  # when the waking reply was sent
    late: list[tuple[str, str]] = []  # the reply that arrives at the end of that round

    async def run_then_mail_arrives(one: app.Round, now: datetime) -> Any:
        started = time.monotonic()
        report = await real_run(one, now)
        if armed and started >= armed[0] and not late:
            # The end of a pass: INBOX was searched, the next IDLE has not started.
            await asyncio.to_thread(rig.reply, rig.contacts[1], 2)
            late.append(rig.sent[-1])
        return report

    monkeypatch.setattr(app.Round, "run", run_then_mail_arrives)
    rig.reply(rig.contacts[0], 1)
    async with daemon(rig) as task:
        await until("the first pass", rig.has(*rig.sent[-1]), task)
        await idling(rig, task)
        armed.append(time.monotonic())
        await asyncio.to_thread(rig.reply, rig.contacts[2], 3)  # wakes the daemon
        await until("the round after the wake-up", lambda: bool(late), task)
        waited = await until("the reply that arrived during that round", rig.has(*late[0]), task,
                             timeout=2)  # fmt: skip
    print(f"\n{rig.server.kind}: a reply that arrived during a pass was seen after {waited:.2f} s")
    rig.check_exactly_once()


# --- crash: SIGKILL in the middle of `run --once` ----------------------------------------

CRASH_TOTAL, CRASH_CONTACTS, LATER = 3000, 24, 400


def start_blocking(config: Path, *argv: str) -> tuple[subprocess.Popen[bytes], IO[bytes]]:
    """`followthru ARGV` with its stderr on a 4 KiB pipe: once the test stops reading, the
    child blocks on its next few log lines, wherever it is."""
    read_end, write_end = os.pipe()
    fcntl.fcntl(read_end, fcntl.F_SETPIPE_SZ, 4096)
    try:
        process = subprocess.Popen(
            kit.followthru_command(config, *argv),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=write_end,
        )  # fmt: skip
    finally:
        os.close(write_end)
    return process, os.fdopen(read_end, "rb")


def kill_at(config: Path, marker: bytes, *argv: str) -> str:
    """Run `followthru ARGV`, read its log until a line holds `marker`, stop reading, and
    SIGKILL it (its own pid) once it is stuck there; returns the line."""
    process, log = start_blocking(config, *argv)
    with log:
        try:
            line = b""
            for line in iter(log.readline, b""):
                if marker in line:
                    break
            assert marker in line, f"the pass ended before {marker!r}"
            deadline = time.monotonic() + 5
            while not _blocked_on_pipe(process.pid) and time.monotonic() < deadline:
                time.sleep(0.02)  # still working until its log fills the pipe
            assert process.poll() is None, "the pass finished before it could be killed"
        finally:
            process.kill()  # SIGKILL, this pid only
            process.wait(timeout=10)
    assert process.returncode == -9
    return line.decode(errors="replace")


def _blocked_on_pipe(pid: int) -> bool:
    """Is a thread of `pid` asleep in a pipe write ("pipe_write", "anon_pipe_write" on
    Linux 6.x)? The IMAP calls log from the connection's own thread, the pass from the main
    one. Where the kernel hides wchan ("0"), a short grace is taken instead."""
    try:
        wchans = [p.read_text() for p in Path(f"/proc/{pid}/task").glob("*/wchan")]
    except OSError:
        return False
    if wchans and all(w in ("", "0") for w in wchans):
        time.sleep(0.5)
        return True
    return any("pipe_write" in w for w in wchans)


@pytest.mark.dovecot
@pytest.mark.slow
def test_run_once_killed_mid_pass_resumes_exactly_once(
    dovecot_imap: DovecotAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = kit.write_config(tmp_path, dovecot_imap, timeout="30s", monkeypatch=monkeypatch)
    ledger = kit.Ledger(tmp_path / "state.db")
    corpus = kit.build_corpus(CRASH_TOTAL, CRASH_CONTACTS, NOW)
    kit.seed(dovecot_imap, config, corpus)
    registered = ledger.event_total()
    once = ("run", "--once", "--now", NOW.isoformat())

    # 1. Killed while fetching INBOX's headers (-v: the protocol trace is the log).
    kill_at(config, b"FETCH (UID", *once, "-v")
    assert ledger.watermarks() == {} and ledger.event_total() == registered
    # 2. Killed while applying the pass: inside its one transaction, after the first message.
    kill_at(config, b"followthru.service.sync: message ", *once)
    assert ledger.watermarks() == {} and ledger.event_total() == registered
    assert ledger.integrity() == "ok"
    # 3. Then to completion: everything, once.
    done = kit.run_cli(config, *once)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"personal: {CRASH_TOTAL} new message(s)" in done.stdout
    assert ledger.duplicates() == {}
    assert corpus.events <= set(ledger.message_events())
    assert {e: s for e, s in ledger.states().items() if e in corpus.states} == corpus.states
    marks, events = ledger.watermarks(), ledger.event_total()

    # 4. More mail, replies from the contacts who had been silent among it; killed mid-fetch
    #    again: the committed watermarks hold, and the next run reads only what is new.
    later = kit.build_corpus(LATER, 0, NOW + timedelta(hours=1), seed=11).messages
    for n, email in enumerate(corpus.silent):
        mid, thanks = f"<late-{n}@{email.split('@')[1]}>", corpus.thanked[email]
        raw = kit.reply(email, thanks, at=NOW + timedelta(minutes=30), message_id=mid)
        later.append(kit.Seeded("INBOX", raw, NOW + timedelta(minutes=30), mid))
        corpus.events.add((email, mid))
        corpus.states[email] = "in_conversation"
    for m in later:
        dovecot_imap.deliver(m.folder, m.raw, m.flags, msg_time=m.at)
    kill_at(
        config,
        b"FETCH (UID",
        "run",
        "--once",
        "--now",
        (NOW + timedelta(hours=2)).isoformat(),
        "-v",
    )
    assert ledger.watermarks() == marks and ledger.event_total() == events
    done = kit.run_cli(config, "run", "--once", "--now", (NOW + timedelta(hours=2)).isoformat())
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"personal: {len(later)} new message(s)" in done.stdout
    assert ledger.duplicates() == {}
    assert corpus.events <= set(ledger.message_events())
    assert {e: s for e, s in ledger.states().items() if e in corpus.states} == corpus.states
    assert ledger.integrity() == "ok"

    # The user's mail: every flag as they set it (\\Seen on a third, \\Flagged on some).
    expected = {**corpus.flags, **{m.message_id: m.flags for m in later if m.folder == "INBOX"}}
    assert kit.changed_flags(dovecot_imap, expected) == {}
    assert set(kit.flags_by_message_id(dovecot_imap)) == set(expected)  # nothing added, none gone
    assert dovecot_imap.server_errors() == []
