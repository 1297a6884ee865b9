"""The daemon: `run --once` (one full pass) and `run` (watch until stopped), one code path.

Invariants:
- One daemon per store (the store's lock); one IMAP connection per account, each on its own
  single-thread executor (adapters/mailbox.py).
- IDLE is a hint, never the truth: every wake-up (a change, the refresh, the poll interval,
  a due timer) runs a full catch-up pass from the watermarks.
- A lost connection is retried with exponential backoff, jitter and a cap; a refused login is
  said once and never retried (lock-out risk): that account waits for a restart or reload.
- SIGTERM and SIGINT stop the daemon between passes; a pass in progress is one transaction,
  so a stop or a crash never leaves half of it written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import tenacity

from .adapters.imapdata import FolderMap
from .adapters.mailbox import Mailbox
from .adapters.secrets import resolve_secret
from .adapters.store import Store
from .adapters.template_check import check_templates
from .config import Account, Config
from .errors import (
    AuthenticationFailed,
    MailboxUnavailable,
    SecretUnavailable,
    TlsError,
)
from .outbox import Outbox
from .sender import Sender, recover_interrupted
from .service import Service
from .sync import PassReport, Sync

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
BACKOFF_START, BACKOFF_CAP = 2.0, 300.0


def real_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class OnceReport:
    passes: tuple[PassReport, ...]
    timers: int


async def run_once(config: Config, now: datetime) -> OnceReport:
    """One full pass: sync every account, fire due timers, write drafts, read approvals."""
    renderer = check_templates(config.templates_dir)
    with Store.open(config.store_path) as store:
        store.lock()
        service = Service(store, config)
        recover_interrupted(service, now)
        passes = []
        for number, account in enumerate(config.accounts):
            outbox = Outbox(service, renderer) if number == 0 else None
            async with await connect(account) as box:
                one = await Round.start(service, account, box, outbox)
                passes.append(await one.run(now))
        fired = [d for d in service.tick(now) if not d.ignored]
    return OnceReport(tuple(passes), len(fired))


class Round:
    """One account's catch-up: sync from the watermarks, fire due timers, and (for the first
    account, whose Drafts hold the queue) read the user's approvals and write new drafts."""

    def __init__(self, service: Service, account: Account, box: Mailbox, folders: FolderMap,
                 outbox: Outbox | None) -> None:  # fmt: skip
        self.service, self.account, self.box, self.folders, self.outbox = (
            service,
            account,
            box,
            folders,
            outbox,
        )
        self.sync = Sync(service, account, box, (folders.inbox.name, folders.sent.name))

    @classmethod
    async def start(
        cls, service: Service, account: Account, box: Mailbox, outbox: Outbox | None
    ) -> Round:
        return cls(service, account, box, await box.find_folders(account.folders), outbox)

    async def run(self, now: datetime) -> PassReport:
        report = await self.sync.run(now)
        self.service.tick(now)
        if self.outbox is not None:
            drafts, sent = self.folders.drafts.name, self.folders.sent.name
            await self.outbox.reconcile(self.box, drafts, sent, now)
            await self.outbox.remove_closed(self.box, now)
            self.outbox.prepare(now)
            await self.outbox.publish(self.box, drafts, now)
            await Sender(self.service, self.account).send_due(now, self.box, sent)
        return report


async def connect(account: Account) -> Mailbox:
    server = account.imap
    secret = ""
    if server.secret is not None:
        secret = resolve_secret(
            server.secret, where=f"{account.name}/imap", username=server.username
        )
    oauth2 = bool(server.secret and server.secret.is_oauth2)
    return await Mailbox.connect(server, secret, oauth2=oauth2)


async def run_forever(
    config: Config, clock: Clock = real_clock, stop: asyncio.Event | None = None
) -> int:
    """Watch every account until SIGTERM/SIGINT (or `stop` is set); returns the exit status."""
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    with Store.open(config.store_path) as store:
        store.lock()
        service = Service(store, config)
        recover_interrupted(service, clock())
        renderer = check_templates(config.templates_dir)
        log.info("started accounts=%d store=%s", len(config.accounts), config.store_path)
        async with asyncio.TaskGroup() as group:
            for number, account in enumerate(config.accounts):
                outbox = Outbox(service, renderer) if number == 0 else None
                group.create_task(Watcher(service, account, clock, stop, outbox).run())
    log.info("stopped")
    return 0


class Watcher:
    """One account: connect, catch up, wait (IDLE or poll), repeat; reconnect on failure."""

    def __init__(self, service: Service, account: Account, clock: Clock, stop: asyncio.Event,
                 outbox: Outbox | None = None) -> None:  # fmt: skip
        self.service = service
        self.account = account
        self.clock = clock
        self.stop = stop
        self.outbox = outbox

    async def run(self) -> None:
        """Until stopped: connect (retrying with backoff), watch, and start over on a drop."""
        while not self.stop.is_set():
            try:
                box = await self._connect()
            except _Stopped:
                return
            except (AuthenticationFailed, TlsError, SecretUnavailable) as exc:
                log.error(
                    "account=%s stopped: %s (fix the config, then restart or reload)",
                    self.account.name,
                    exc,
                )
                await self.stop.wait()
                return
            try:
                async with box:
                    await self._watch(box)
            except MailboxUnavailable as exc:
                log.warning("account=%s disconnected: %s; reconnecting", self.account.name, exc)

    async def _connect(self) -> Mailbox:
        retrying = tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception_type(MailboxUnavailable),
            wait=tenacity.wait_random_exponential(multiplier=BACKOFF_START, max=BACKOFF_CAP),
            sleep=self._sleep,
            before_sleep=self._say_retry,
            reraise=True,
        )
        return await retrying(connect, self.account)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), timeout=seconds)
        if self.stop.is_set():
            raise _Stopped

    def _say_retry(self, state: tenacity.RetryCallState) -> None:
        # The first failure is a warning; the retries that follow are only debug noise.
        level = logging.WARNING if state.attempt_number == 1 else logging.DEBUG
        wait = state.next_action.sleep if state.next_action else 0.0
        error = state.outcome.exception() if state.outcome else None
        log.log(
            level,
            "account=%s cannot connect: %s; retrying in %.0fs",
            self.account.name,
            error,
            wait,
        )

    async def _watch(self, box: Mailbox) -> None:
        one = await Round.start(self.service, self.account, box, self.outbox)
        folders = one.folders
        log.info("watching account=%s inbox=%s sent=%s drafts=%s idle=%s", self.account.name, folders.inbox.name,
                 folders.sent.name, folders.drafts.name, box.can_idle)  # fmt: skip
        while not self.stop.is_set():
            report = await one.run(self.clock())
            if report.scanned:
                log.info("synced account=%s new=%d relevant=%d events=%d", report.account, report.scanned,
                         report.relevant, report.events)  # fmt: skip
            await box.select(folders.inbox.name)
            await self._wait(box)

    async def _wait(self, box: Mailbox) -> None:
        """Until a change, a due timer, the poll interval or a stop: whichever comes first."""
        watch = self.service.config.watch
        timeout = min(
            watch.idle_refresh, watch.poll_interval, self._until_next_timer()
        ).total_seconds()
        if not (watch.idle and box.can_idle):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=max(timeout, 0.05))
            return
        idle = asyncio.create_task(box.idle_wait(max(timeout, 0.05)))
        stopping = asyncio.create_task(self.stop.wait())
        done, _ = await asyncio.wait({idle, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if idle in done:
            idle.result()  # raises MailboxUnavailable on BYE, EOF or a silent server
        else:
            idle.cancel()

    def _until_next_timer(self) -> timedelta:
        row = self.service.store.conn.execute("SELECT MIN(timer_at) FROM contacts").fetchone()
        if not row or row[0] is None:
            return timedelta(days=1)
        return max(datetime.fromisoformat(row[0]) - self.clock(), timedelta(0))


class _Stopped(Exception):
    """The daemon is stopping: leave the retry loop."""
