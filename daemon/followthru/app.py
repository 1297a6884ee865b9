"""The daemon: `run --once` (one full pass) and `run` (watch until stopped), one code path.

Invariants:
- One daemon per store (the store's lock); one IMAP connection per account, each on its own
  single-thread executor (adapters/mailbox.py).
- IDLE is a hint, never the truth: every wake-up (a change, the refresh, the poll interval,
  a due timer) runs a full catch-up pass from the watermarks.
- A lost connection (a TLS error mid-session or mid-handshake included) is retried with
  exponential backoff, jitter and a cap; a refused login (lock-out risk) or certificate is
  said once and never retried: that account waits for a restart or reload.
- SIGTERM and SIGINT stop the daemon between passes; a pass in progress is one transaction,
  so a stop or a crash never leaves half of it written.
- The store is checked whole when the daemon opens it; a store that fails later (disk full,
  I/O error) stops the daemon with the StoreError's one line (exit 1), never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import tenacity

from followthru.adapters import systemd
from followthru.adapters.mailbox import ImapMailbox
from followthru.adapters.secrets import resolve_secret
from followthru.adapters.smtp import SendReport, send_with_retries
from followthru.adapters.store import Store
from followthru.adapters.template_check import check_templates
from followthru.config import Account, Config, Listen, load_config
from followthru.core.items import ItemStatus
from followthru.errors import (
    AuthenticationFailed,
    ConfigError,
    MailboxUnavailable,
    SecretUnavailable,
    StoreError,
    TlsError,
)
from followthru.service.contacts import Service
from followthru.service.outbox import Outbox
from followthru.service.ports import Mailbox
from followthru.service.rounds import HeldBy, Round, RoundReport
from followthru.service.sender import SendProblems, recover_interrupted

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
BACKOFF_START, BACKOFF_CAP = 2.0, 300.0
START_EXTENSION = 30.0
"""Seconds of start timeout asked for, each time the first pass made progress."""
STARTING_TICK = 0.25
"""How often, before READY, the heartbeat looks at the first pass's progress."""


def real_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class OnceReport:
    rounds: tuple[RoundReport, ...]
    timers: int
    unread: tuple[tuple[str, str], ...] = ()  # (account, why): not read, so nothing was sent
    failed: tuple[str, ...] = ()  # one line per email that did not go out


async def run_once(config: Config, now: datetime) -> OnceReport:
    """One full pass: sync every account, fire due timers, write drafts, read approvals."""
    renderer = check_templates(config.templates_dir)
    with Store.open(config.store_path, verify=True) as store:
        store.lock()
        service = Service(store, config)
        stopped = recover_interrupted(service, now)
        service.refresh_store(now)
        rounds: dict[int, RoundReport] = {}
        unread: list[tuple[str, str]] = []
        problems = SendProblems()
        # The first account, whose round sends, goes last: a reply that reached any other
        # account is read before anything goes out, and if one cannot be read nothing is sent.
        for number in [*range(1, len(config.accounts)), 0]:
            account = config.accounts[number]
            outbox = Outbox(service, renderer) if number == 0 else None
            try:
                async with await connect(account) as box:
                    one = await Round.start(service, account, box, outbox, SmtpTransport(account),
                                            _unread_name(unread), problems)  # fmt: skip
                    rounds[number] = await one.run(now)
            except (MailboxUnavailable, AuthenticationFailed, TlsError, SecretUnavailable) as exc:
                if number == 0:
                    raise
                log.warning("account=%s not read: %s; nothing is sent this pass", account.name, exc)
                unread.append((account.name, str(exc)))
        fired = [d for d in service.tick(now) if not d.ignored]
    done = tuple(rounds[n] for n in sorted(rounds))
    timers = len(fired) + sum(r.timers for r in done)
    failed = [f"{stopped} interrupted send(s) may have gone out: now uncertain"] if stopped else []
    return OnceReport(done, timers, tuple(unread),
                      tuple(failed + problems.failed))  # fmt: skip


def _unread_name(unread: list[tuple[str, str]]) -> HeldBy:
    return lambda: unread[0][0] if unread else None


class SmtpTransport:
    """The SMTP port over adapters/smtp for one account: the secret read when a message goes
    out, failures before the hand-over retried a few times with backoff (never after it)."""

    RETRIES, FIRST_DELAY, MAX_DELAY = 3, 5.0, 60.0

    def __init__(self, account: Account) -> None:
        self.account = account

    async def send(self, message: bytes, sender: str, recipients: Sequence[str], *,
                   handing_over: Callable[[], None] | None = None) -> SendReport:  # fmt: skip
        smtp = self.account.smtp
        secret = None
        if smtp.secret is not None:
            secret = resolve_secret(
                smtp.secret, where=f"{self.account.name}/smtp", username=smtp.username
            )
        return await send_with_retries(
            smtp, secret, oauth2=bool(smtp.secret and smtp.secret.is_oauth2), message=message,
            sender=sender, recipients=recipients, attempts=self.RETRIES,
            base_delay=self.FIRST_DELAY, max_delay=self.MAX_DELAY, handing_over=handing_over,
        )  # fmt: skip


async def connect(account: Account) -> ImapMailbox:
    server = account.imap
    secret = ""
    if server.secret is not None:
        secret = resolve_secret(
            server.secret, where=f"{account.name}/imap", username=server.username
        )
    oauth2 = bool(server.secret and server.secret.is_oauth2)
    return await ImapMailbox.connect(server, secret, oauth2=oauth2)


async def run_forever(
    config: Config, clock: Clock = real_clock, stop: asyncio.Event | None = None
) -> int:
    """Watch every account until SIGTERM/SIGINT (or `stop` is set); SIGHUP reloads the config
    and templates (a broken new config is reported and the old one kept). Returns 0."""
    stop = stop or asyncio.Event()
    reload = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread: no signals
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
        loop.add_signal_handler(signal.SIGHUP, reload.set)
    try:
        await _watch_store(config, clock, stop, reload)
    except StoreError as exc:  # the journal gets it at ERROR; cli prints the one line too
        log.error("stopped: %s", exc)
        raise
    systemd.stopping()
    log.info("stopped")
    return 0


async def _watch_store(
    config: Config, clock: Clock, stop: asyncio.Event, reload: asyncio.Event
) -> None:
    """Hold the store for the daemon's life; serve one configuration after another."""
    with Store.open(config.store_path, verify=True) as store:
        store.lock()
        while True:
            reload.clear()
            await _serve(Service(store, config), clock, stop, reload)
            if stop.is_set():
                return
            config = _reloaded(config)


async def _serve(
    service: Service, clock: Clock, stop: asyncio.Event, reload: asyncio.Event
) -> None:
    """Run the watchers until a stop or a reload; tell systemd how things stand."""
    config = service.config
    recover_interrupted(service, clock())
    service.refresh_store(clock())
    renderer = check_templates(config.templates_dir)
    generation = asyncio.Event()  # set to end this configuration's watchers
    watchers = [Watcher(service, account, clock, generation, Outbox(service, renderer) if n == 0 else None)
                for n, account in enumerate(config.accounts)]  # fmt: skip
    watchers[0].held_by = hold = _SendingHold(watchers[1:])
    log.info("started accounts=%d store=%s", len(config.accounts), config.store_path)
    try:
        async with asyncio.TaskGroup() as group:
            for watcher in watchers:
                group.create_task(watcher.run())
            group.create_task(_heartbeat(service, watchers, hold, generation))
            group.create_task(_until_stop_or_reload(stop, reload, generation))
            if config.dashboard.listen is not None:  # one more task in the same loop
                group.create_task(_dashboard(service, config.dashboard.listen, clock, generation))
    except ExceptionGroup as failed:
        store_error = _first_store_error(failed)
        if store_error is None:
            raise
        raise store_error from store_error.__cause__  # its own cause (the sqlite3 error) kept


async def _dashboard(service: Service, listen: Listen, clock: Clock, stop: asyncio.Event) -> None:
    """The dashboard, imported only when it is served (uvicorn and starlette cost start-up)."""
    from followthru.adapters.web.server import serve_dashboard  # noqa: PLC0415

    await serve_dashboard(service, listen, clock, stop)


def _first_store_error(failed: ExceptionGroup[Exception]) -> StoreError | None:
    """A store that cannot be written (disk full, I/O error, damage) ends the daemon with its
    own one-line message (cli exits 1), not with the task group's traceback."""
    found = failed.subgroup(StoreError)
    while found is not None:
        first = found.exceptions[0]
        if isinstance(first, StoreError):
            return first
        found = first if isinstance(first, ExceptionGroup) else None
    return None


async def _until_stop_or_reload(
    stop: asyncio.Event, reload: asyncio.Event, generation: asyncio.Event
) -> None:
    waits = [asyncio.create_task(stop.wait()), asyncio.create_task(reload.wait())]
    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for wait in waits:
        wait.cancel()
    if stop.is_set():
        systemd.stopping()
    else:
        systemd.reloading()
    generation.set()


def _reloaded(config: Config) -> Config:
    """The config file read again, or the running one when the new one is unusable."""
    try:
        new = load_config(config.path)
        check_templates(new.templates_dir)
    except ConfigError as exc:
        log.error("reload refused, still running on the previous configuration: %s", exc)
        return config
    log.info("reloaded config=%s", config.path)
    return new


async def _heartbeat(
    service: Service, watchers: list[Watcher], hold: _SendingHold, stop: asyncio.Event
) -> None:
    """READY once every account had its first pass (or failed it), then STATUS and WATCHDOG.

    Before READY, each tick (STARTING_TICK) in which the first pass read more, EXTEND_TIMEOUT_USEC
    gives systemd's start timeout START_EXTENSION more, with a STATUS of how far it got: a
    first sync longer than TimeoutStartSec= (a big mailbox, a slow link) is not killed and
    restarted forever, while one that makes no progress still times out."""
    every = (systemd.watchdog_interval() or 60.0) / 2
    ready, progress = False, -1
    while not stop.is_set():
        if not ready and all(w.first_pass_over for w in watchers):
            systemd.ready(_status(service, watchers, hold))
            ready = True
        elif ready:
            systemd.status(_status(service, watchers, hold))
        elif (read := sum(w.read for w in watchers)) != progress:
            progress = read
            systemd.extend_timeout(START_EXTENSION)
            systemd.status(_first_pass_status(watchers))
        systemd.watchdog()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every if ready else STARTING_TICK)


def _first_pass_status(watchers: list[Watcher]) -> str:
    reading = ", ".join(f"{w.account.name} {w.read:,} message(s)" for w in watchers)
    return f"first pass: reading mail ({reading})"


def _status(service: Service, watchers: list[Watcher], hold: _SendingHold) -> str:
    waiting = service.store.outbox.count({ItemStatus.PENDING, ItemStatus.UNCERTAIN})
    connected = sum(1 for w in watchers if w.connected)
    status = (
        f"watching {connected} of {len(watchers)} account(s), {waiting} draft(s) waiting for you"
    )
    if hold.holding is not None:
        status += f"; sending waits for account {hold.holding}"
    return status


class _SendingHold:
    """The first account sends only while every other account is caught up: connected, its
    last round complete and waiting for news. Otherwise a reply there could be unread; the
    sends wait for a later round of the first account (at most `poll_interval` after)."""

    def __init__(self, others: list[Watcher]) -> None:
        self.others = others
        self.holding: str | None = None

    def __call__(self) -> str | None:
        behind = next((w.account.name for w in self.others if not w.caught_up), None)
        if behind is not None and self.holding is None:
            log.info("sending held: account=%s is not caught up (connecting, reading or stopped); "
                     "approved emails wait until its mail is read", behind)  # fmt: skip
        elif behind is None and self.holding is not None:
            log.info("sending resumed: every account is caught up")
        self.holding = behind
        return behind


class Watcher:
    """One account: connect, catch up, wait (IDLE or poll), repeat; reconnect on failure.

    `caught_up` is true while it waits after a complete round: what reached the account is
    in the store (the first account's sends depend on it, see `_SendingHold`)."""

    def __init__(self, service: Service, account: Account, clock: Clock, stop: asyncio.Event,
                 outbox: Outbox | None = None) -> None:  # fmt: skip
        self.service = service
        self.account = account
        self.clock = clock
        self.stop = stop
        self.outbox = outbox
        self.first_pass_over = False  # a first pass done, or a first attempt failed
        self.drops = 0  # sessions in a row that died before completing a round
        self.connected = False
        self.caught_up = False
        self.held_by: HeldBy = lambda: None
        self.round: Round | None = None
        # For as long as this configuration runs: a refused SMTP login is not tried again.
        self.send_problems = SendProblems()

    async def run(self) -> None:
        """Until stopped: connect (retrying with backoff), watch, and start over on a drop."""
        while not self.stop.is_set():
            try:
                box = await self._connect()
            except _Stopped:
                return
            except (AuthenticationFailed, TlsError, SecretUnavailable) as exc:
                self.first_pass_over = True
                log.error(
                    "account=%s stopped: %s (fix the config, then restart or reload)",
                    self.account.name,
                    exc,
                )
                await self.stop.wait()
                return
            try:
                async with box:
                    self.connected = True
                    await self._watch(box)
            except MailboxUnavailable as exc:
                log.warning("account=%s disconnected: %s; reconnecting", self.account.name, exc)
                try:
                    await self._pause_after_drop()
                except _Stopped:
                    return
            finally:
                self.connected = self.caught_up = False

    @property
    def read(self) -> int:
        """Messages read by this account's current connection (the first pass's progress)."""
        return self.round.sync.read if self.round is not None else 0

    async def _connect(self) -> ImapMailbox:
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
        self.first_pass_over = True  # ready for systemd even while the network is down
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

    async def _pause_after_drop(self) -> None:
        """Sessions that keep dying before a round completes (a server killing its process at
        SELECT, say) are retried with the same backoff as failed connects, never in a loop."""
        self.drops += 1
        # tenacity's wait_random_exponential, for a count kept across connections.
        ceiling = min(BACKOFF_CAP, BACKOFF_START * 2 ** (self.drops - 1))
        await self._sleep(random.uniform(0, ceiling))  # noqa: S311  (jitter, not secrecy)

    async def _watch(self, box: Mailbox) -> None:
        transport = SmtpTransport(self.account)
        one = self.round = await Round.start(self.service, self.account, box, self.outbox,
                                             transport, self.held_by, self.send_problems)  # fmt: skip
        folders = one.folders
        log.info("watching account=%s inbox=%s sent=%s drafts=%s idle=%s", self.account.name, folders.inbox.name,
                 folders.sent.name, folders.drafts.name, box.can_idle)  # fmt: skip
        while not self.stop.is_set():
            self.caught_up = False
            report = (await one.run(self.clock())).sync
            self.first_pass_over = True
            self.drops = 0  # a round completed: the next drop starts the backoff afresh
            if report.scanned:
                log.info("synced account=%s new=%d relevant=%d events=%d", report.account, report.scanned,
                         report.relevant, report.events)  # fmt: skip
            await box.select(folders.inbox.name)
            if await self._arrived_during_the_round(box, folders.inbox.name):
                continue  # IDLE would not announce what the EXAMINE already counted
            self.caught_up = True
            await self._wait(box)

    async def _arrived_during_the_round(self, box: Mailbox, inbox: str) -> bool:
        mark = self.service.store.mail.watermark(self.account.name, inbox)
        return mark is not None and bool(await box.uids_after(mark.last_uid))

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
        first = self.service.store.contacts.next_timer()
        if first is None:
            return timedelta(days=1)
        return max(first - self.clock(), timedelta(0))


class _Stopped(Exception):
    """The daemon is stopping: leave the retry loop."""
