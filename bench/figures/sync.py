"""First sync, resume after restart, and memory: `followthru run --once` against a raw loop.

For each size (10k and 100k messages, 500 tracked contacts each) on a fresh Dovecot user:
1. generate the mailbox and write it into the Maildir (bench/generate.py), let Dovecot
   assign UIDs (one EXAMINE per folder), register the 500 interviewers through the
   product's Service (as `followthru add interview` does);
2. run the raw loop once untimed: it fills Dovecot's header cache, so neither side pays
   the cold-cache first FETCH that the other does not;
3. raw loop, `followthru run --once`, raw loop, `followthru run --once`, raw loop: each daemon
   run starts from a copy of the store as registered (a first sync each time); the daemon's
   rate (mean of its two runs) is compared with the mean of the three raw runs around them
   (the same UIDs, the same header fields). Interleaving cancels drift; two and three runs
   damp the 20-30% spread single runs show on a shared machine;
4. `followthru run --once` once more on the store of the last first sync: the resume with
   nothing new.

Every run is a subprocess of its own, timed end to end (interpreter start to exit) under
bench/child.py, which also gives its peak RSS.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bench.generate import MailboxPlan
from bench.harness import (
    ROOT,
    Finished,
    Result,
    bench_module,
    followthru,
    measure,
    say,
    write_config,
)
from tests.rig.dovecot import DovecotAccount, DovecotServer

CONTACTS = 500
BACKFILL_DAYS = 90


@dataclass
class RawRun:
    finished: Finished
    messages: int

    @property
    def rate(self) -> float:
        return self.messages / self.finished.seconds


@dataclass
class SyncRun:
    """Everything measured on one mailbox size."""

    size: int
    account: DovecotAccount
    plan: MailboxPlan
    workdir: Path
    config: Path
    deliver_seconds: float = 0.0
    index_seconds: float = 0.0
    cold: RawRun | None = None
    raw: list[RawRun] = field(default_factory=list)
    firsts: list[Finished] = field(default_factory=list)
    scanned: int = 0
    resume: Finished | None = None

    @property
    def raw_rate(self) -> float:
        return sum(r.rate for r in self.raw) / len(self.raw)

    @property
    def first(self) -> Finished:
        """The first sync with the highest peak RSS (they differ by a MiB or two)."""
        return max(self.firsts, key=lambda f: f.max_rss_kib)

    @property
    def seconds(self) -> float:
        return sum(f.seconds for f in self.firsts) / len(self.firsts)

    @property
    def rate(self) -> float:
        return sum(self.scanned / f.seconds for f in self.firsts) / len(self.firsts)


def seed(server: DovecotServer, size: int, workdir: Path, now: datetime) -> SyncRun:
    account = server.new_account()
    plan = MailboxPlan(size, CONTACTS, now)
    started = time.monotonic()
    for message in plan.messages():
        account.deliver(message.folder, message.raw, message.flags, msg_time=message.at)
    delivered = time.monotonic() - started
    started = time.monotonic()
    with account.session() as client:  # Dovecot reads the new files and hands out UIDs
        for folder in ("INBOX", "Sent"):
            client.select_folder(folder, readonly=True)
    indexed = time.monotonic() - started
    config = write_config(workdir, account, watch={"backfill_days": BACKFILL_DAYS})
    listing = workdir / "contacts.json"
    listing.write_text(json.dumps([
        {"email": c.email, "name": c.name, "company": c.company, "role": c.role,
         "interview_at": c.interview_at.isoformat()}
        for c in plan.contacts
    ]))  # fmt: skip
    registered = now - timedelta(hours=1)
    bench_module(
        workdir, "store", "contacts", str(config), str(listing), registered.isoformat()
    ).check("register contacts")
    return SyncRun(size, account, plan, workdir, config, delivered, indexed)


def raw_loop(run: SyncRun, now: datetime) -> RawRun:
    since = (now - timedelta(days=BACKFILL_DAYS)).date().isoformat()
    account = run.account
    command = [sys.executable, str(ROOT / "bench" / "rawloop.py"), account.host, str(account.port),
               account.username, str(run.workdir / "credentials" / "imap"), since, "INBOX", "Sent"]  # fmt: skip
    finished = measure(command, run.workdir).check("raw loop")
    return RawRun(finished, json.loads(finished.stdout)["messages"])


def measure_size(server: DovecotServer, size: int, scratch: Path) -> SyncRun:
    now = datetime.now().astimezone().replace(microsecond=0)
    workdir = scratch / f"sync-{size}"
    workdir.mkdir()
    say(f"sync {size:,}: generating and delivering the mailbox")
    run = seed(server, size, workdir, now)
    say(
        f"sync {size:,}: delivered in {run.deliver_seconds:.1f} s, Dovecot indexed in {run.index_seconds:.1f} s"
    )
    run.cold = raw_loop(run, now)
    registered = workdir / "registered.db"
    shutil.copyfile(workdir / "state.db", registered)
    for turn in ("raw", "followthru", "raw", "followthru", "raw"):
        if turn == "raw":
            run.raw.append(raw_loop(run, now))
            continue
        for stale in workdir.glob("state.db*"):
            stale.unlink()
        shutil.copyfile(registered, workdir / "state.db")
        first = followthru(run.config, "run", "--once").check("followthru run --once")
        match = re.search(r"(\d+) new message", first.stdout)
        run.scanned = int(match.group(1)) if match else 0
        run.firsts.append(first)
    run.resume = followthru(run.config, "run", "--once").check("followthru run --once (resume)")
    say(f"sync {size:,}: raw {run.raw_rate:,.0f} msg/s, followthru {run.rate:,.0f} msg/s, "
        f"resume {run.resume.seconds:.2f} s")  # fmt: skip
    return run


def details(run: SyncRun) -> list[str]:
    assert run.resume is not None and run.cold is not None
    raws = ", ".join(f"{r.rate:,.0f}" for r in run.raw)
    return [
        f"mailbox {run.size:,} messages, {CONTACTS} contacts: delivered in {run.deliver_seconds:.1f} s; "
        f"Dovecot's first EXAMINE {run.index_seconds:.1f} s",
        f"raw loop: cold cache {run.cold.rate:,.0f} msg/s; warm {raws} msg/s "
        f"({run.raw[0].messages:,} messages, peak RSS {run.raw[0].finished.max_rss_mib:.0f} MiB)",
        f"followthru run --once (first sync, twice): {run.scanned:,} messages in "
        f"{', '.join(f'{f.seconds:.2f}' for f in run.firsts)} s = {run.rate:,.0f} msg/s, CPU {run.first.cpu:.1f} s, "
        f"peak RSS {', '.join(f'{f.max_rss_mib:.0f}' for f in run.firsts)} MiB; {run.first.stdout.strip().splitlines()[0]}",
        f"followthru run --once again: {run.resume.seconds:.2f} s, peak RSS {run.resume.max_rss_mib:.0f} MiB",
    ]


def results(small: SyncRun, big: SyncRun) -> list[Result]:
    assert big.resume is not None
    ratio = big.rate / big.raw_rate
    sync = Result(f"first sync {_k(big.size)}", f"{big.rate:,.0f} msg/s ({big.scanned:,} in {big.seconds:.1f} s)",
                  ">= 50% of the raw loop", ratio >= 0.5,
                  f"raw loop {big.raw_rate:,.0f} msg/s, ratio {ratio:.2f}")  # fmt: skip
    resume = Result(f"resume {_k(big.size)}, nothing new", f"{big.resume.seconds:.2f} s", f"< 2 s for {_k(big.size)}",
                    big.resume.seconds < 2.0)  # fmt: skip
    small_mib, big_mib = small.first.max_rss_mib, big.first.max_rss_mib
    per_message = (big_mib - small_mib) * 1024 * 1024 / max(1, big.scanned - small.scanned)
    raw_mib = big.raw[0].finished.max_rss_mib
    memory = Result("peak RSS of the first sync", f"{small_mib:.0f} MiB at {_k(small.size)}, {big_mib:.0f} MiB at {_k(big.size)} "
                    f"(+{per_message:,.0f} B per extra message)", f"< 100 MB at {_k(big.size)}",
                    big_mib * 1.048576 < 100, f"raw loop {raw_mib:.0f} MiB at {_k(big.size)}, ratio {big_mib / raw_mib:.2f}")  # fmt: skip
    return [sync, resume, memory]


def _k(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else f"{size:,}"
