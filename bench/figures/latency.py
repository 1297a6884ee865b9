"""Reply-to-state latency in `run` mode, against the raw IDLE notification latency.

`followthru run` watches the 10k mailbox (its store after the first sync). A raw imapclient
session IDLEs on the same INBOX at the same time. For each of 50 contacts waiting for an
answer, a reply (From the contact, In-Reply-To the user's thank-you letter) is APPENDed on a
third connection; the clock starts just before the APPEND. The raw latency ends when the
raw session sees the EXISTS; the daemon's when the contact's state in the store changes
(polled every 2 ms through a read-only SQLite connection). Probes are spaced: after each,
the daemon must be quiet again (back in IDLE) and then 0.6-0.9 s pass, because Dovecot holds
notifications 0.5 s after a change and a change during that hold is reported sooner
(research/imap-performance.md, point 2).
"""

from __future__ import annotations

import queue
import random
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from imapclient import IMAPClient

from bench.figures.sync import SyncRun
from bench.generate import ME, Contact
from bench.harness import Result, daemon, percentile, say, wait_for_log, wait_until_quiet

SAMPLES = 50
WAITING = ("awaiting_reply", "interviewed", "moved_on")


@dataclass
class Latencies:
    raw: list[float] = field(default_factory=list)
    daemon: list[float] = field(default_factory=list)
    missed: int = 0


class RawIdle:
    """A second IMAP session in IDLE on INBOX, on its own thread: when each EXISTS arrives."""

    def __init__(self, run: SyncRun) -> None:
        self.client = run.account.connect()
        self.client.select_folder("INBOX")
        self.seen: queue.Queue[float] = queue.Queue()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> RawIdle:
        self.client.idle()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.client.idle_done()
        self.client.logout()

    def _watch(self) -> None:
        while not self.stopping.is_set():
            for item in self.client.idle_check(timeout=0.2):
                if len(item) > 1 and item[1] == b"EXISTS":
                    self.seen.put(time.monotonic())

    def drain(self) -> None:
        while not self.seen.empty():
            self.seen.get_nowait()

    def next_after(self, started: float, timeout: float = 10.0) -> float | None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                when = self.seen.get(timeout=left)
            except queue.Empty:
                return None
            if when >= started:
                return when - started
        return None


def reply(contact: Contact, n: int) -> bytes:
    domain = contact.email.split("@")[1]
    now = format_datetime(datetime.now(UTC))
    return (
        f"From: {contact.display}\r\nTo: {ME}\r\nSubject: Re: Thank you for today's interview\r\n"
        f"Date: {now}\r\nMessage-ID: <probe-{n}.{time.time_ns()}@{domain}>\r\n"
        f"In-Reply-To: {contact.thanks_id}\r\nReferences: {contact.thanks_id}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hi Jane,\r\n\r\nThanks for your note. Could we talk again next week about the "
        f"{contact.role} role?\r\n\r\nBest,\r\n{contact.name}\r\n"
    ).encode()


def state_changed(db: sqlite3.Connection, email: str, before: str, started: float,
                  timeout: float = 15.0) -> float | None:  # fmt: skip
    deadline = started + timeout
    while time.monotonic() < deadline:
        row = db.execute("SELECT state FROM contacts WHERE email = ?", (email,)).fetchone()
        if row and row[0] != before:
            return time.monotonic() - started
        time.sleep(0.002)
    return None


def measure(run: SyncRun, samples: int = SAMPLES) -> tuple[Latencies, list[str]]:
    store = run.workdir / "state.db"
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    states = dict(db.execute("SELECT email, state FROM contacts").fetchall())
    waiting = [c for c in run.plan.contacts if states.get(c.email) in WAITING][:samples]
    if len(waiting) < samples:
        raise RuntimeError(f"only {len(waiting)} contacts wait for a reply; need {samples}")
    result = Latencies()
    log = run.workdir / "daemon-latency.log"
    rng = random.Random(5)
    appender: IMAPClient = run.account.connect()
    try:
        with daemon(run.config, log) as process, RawIdle(run) as raw:
            wait_for_log(log, "watching account=", process, timeout=120)
            wait_until_quiet(process.pid)
            say(f"latency: the daemon watches; {samples} replies, spaced")
            for n, contact in enumerate(waiting):
                raw.drain()
                before = states[contact.email]
                message = reply(contact, n)
                started = time.monotonic()
                appender.append("INBOX", message)
                seen = raw.next_after(started)
                changed = state_changed(db, contact.email, before, started)
                if seen is None or changed is None:
                    result.missed += 1
                else:
                    result.raw.append(seen)
                    result.daemon.append(changed)
                wait_until_quiet(process.pid, quiet=0.3)
                time.sleep(rng.uniform(0.6, 0.9))
    finally:
        appender.logout()
        db.close()
    return result, [f"daemon log: {Path(log).name} ({len(log.read_text().splitlines())} lines)"]


def result(lat: Latencies) -> Result:
    if not lat.daemon:
        return Result("reply-to-state latency", "no sample", "p95 within 250 ms of raw IDLE", False)
    raw95, d95 = percentile(lat.raw, 95), percentile(lat.daemon, 95)
    gap = (d95 - raw95) * 1000

    def row(values: list[float]) -> str:
        return (f"median {percentile(values, 50) * 1000:.0f} / p95 {percentile(values, 95) * 1000:.0f} / "
                f"max {max(values) * 1000:.0f} ms")  # fmt: skip

    res = Result(
        "reply-to-state latency (run)",
        f"p95 {d95 * 1000:.0f} ms over {len(lat.daemon)} samples",
        "p95 within 250 ms of raw IDLE",
        gap <= 250 and lat.missed == 0,
        f"raw IDLE p95 {raw95 * 1000:.0f} ms, +{gap:.0f} ms",
    )
    res.notes = [f"daemon: {row(lat.daemon)}", f"raw IDLE: {row(lat.raw)}",
                 f"missed (no state change or no EXISTS within 10-15 s): {lat.missed}"]  # fmt: skip
    return res
