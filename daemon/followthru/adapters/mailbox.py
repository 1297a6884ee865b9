"""One IMAP connection for the event loop: each ImapSession call runs on the connection's own thread.

Invariants:
- imapclient is blocking and not thread-safe: a ImapMailbox owns a single-thread executor, and
  every call to its session runs there, one at a time, in the order the calls were made.
- No policy here: no reconnect, no backoff, no watermark (the service owns them). Errors are
  the errors.py types ImapSession raises; after one, close this ImapMailbox and connect anew.
  The one exception: a command the server refused as busy (ServerBusy: "throttled, retry in
  N ms") is retried here after the wait it asked for, since the connection is fine.
- `aclose()` always releases the connection and the thread, even while a call (a long IDLE)
  is still running: it shuts the socket down first, so that call fails at once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from functools import partial
from types import TracebackType
from typing import Any, ParamSpec, Self, TypeVar

from followthru.adapters.imap import ImapSession
from followthru.adapters.imapdata import (
    FETCH_BATCH,
    FolderMap,
    FolderState,
    HeaderRecord,
    IdleResult,
)
from followthru.config import Folders, Server
from followthru.errors import MailboxUnavailable, ServerBusy

log = logging.getLogger(__name__)
P = ParamSpec("P")
BUSY_ATTEMPTS = 4  # a command refused as busy is tried this many times in all
MAX_BUSY_WAIT = 60.0  # seconds, the longest wait between two of them
T = TypeVar("T")


class ImapMailbox:
    """An ImapSession behind async methods; use `async with await ImapMailbox.connect(...)`
    or enter it on an AsyncExitStack."""

    def __init__(self, session: ImapSession, executor: ThreadPoolExecutor) -> None:
        self._session = session
        self._executor = executor
        self._running: set[concurrent.futures.Future[Any]] = set()
        self._closed = False

    @classmethod
    async def connect(cls, server: Server, secret: str, *, oauth2: bool = False) -> ImapMailbox:
        """Connect and log in on a new thread; raises what ImapSession.connect raises."""
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"imap-{server.host}")
        connect = partial(ImapSession.connect, server, secret, oauth2=oauth2)
        try:
            session = await asyncio.get_running_loop().run_in_executor(executor, connect)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(session, executor)

    @property
    def capabilities(self) -> frozenset[str]:
        return self._session.capabilities

    @property
    def can_idle(self) -> bool:
        return self._session.can_idle

    @property
    def selected(self) -> FolderState | None:
        return self._session.selected

    async def _call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` on the connection's thread. A command the server refused as busy, with
        its hint when to retry (ServerBusy), is tried again after that wait, growing, a few
        times: a provider's throttling is not a failure of the account."""
        for attempt in range(1, BUSY_ATTEMPTS + 1):
            try:
                return await self._once(fn, *args, **kwargs)
            except ServerBusy as exc:
                if attempt == BUSY_ATTEMPTS:
                    raise
                wait = min(MAX_BUSY_WAIT, exc.retry_after * attempt)
                log.warning("%s; trying again in %.1fs", exc, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    async def _once(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        if self._closed:
            raise MailboxUnavailable(f"{self._session.where}: this connection is closed")
        future = self._executor.submit(fn, *args, **kwargs)
        self._running.add(future)
        future.add_done_callback(self._running.discard)
        return await asyncio.wrap_future(future)

    async def find_folders(self, wanted: Folders) -> FolderMap:
        return await self._call(self._session.find_folders, wanted)

    async def select(self, folder: str, *, readonly: bool = True) -> FolderState:
        return await self._call(self._session.select, folder, readonly=readonly)

    async def status(self, folder: str) -> FolderState:
        return await self._call(self._session.status, folder)

    async def uids_after(self, last_uid: int) -> list[int]:
        return await self._call(self._session.uids_after, last_uid)

    async def uids_since(self, day: date) -> list[int]:
        return await self._call(self._session.uids_since, day)

    async def fetch_headers(
        self, uids: Sequence[int], batch: int = FETCH_BATCH
    ) -> AsyncIterator[HeaderRecord]:
        """HeaderRecords, one FETCH of `batch` UIDs at a time (memory stays bounded)."""
        async for records in self.fetch_header_batches(uids, batch):
            for record in records:
                yield record

    async def fetch_header_batches(
        self, uids: Sequence[int], batch: int = FETCH_BATCH
    ) -> AsyncIterator[list[HeaderRecord]]:
        """fetch_headers a FETCH at a time: each list holds one FETCH's records."""
        for start in range(0, len(uids), max(1, batch)):
            chunk = uids[start : start + batch]
            yield await self._call(self._session.fetch_header_batch, chunk)

    async def fetch_message(self, uid: int, max_bytes: int) -> bytes | None:
        return await self._call(self._session.fetch_message, uid, max_bytes)

    async def fetch_messages(self, uids: Sequence[int], max_bytes: int) -> dict[int, bytes]:
        return await self._call(self._session.fetch_messages, uids, max_bytes)

    async def flags(self, uids: Sequence[int]) -> dict[int, frozenset[str]]:
        return await self._call(self._session.flags, uids)

    async def idle_wait(
        self,
        timeout: float,  # noqa: ASYNC109 - the IDLE's length: asyncio.timeout cannot stop a thread
        *,
        done_timeout: float | None = None,
    ) -> IdleResult:
        return await self._call(self._session.idle_wait, timeout, done_timeout=done_timeout)

    async def append(
        self,
        folder: str,
        raw: bytes,
        flags: Sequence[str] = (),
        msg_time: datetime | None = None,
    ) -> int | None:
        return await self._call(self._session.append, folder, raw, flags, msg_time)

    async def remove_own(self, folder: str, uids: Sequence[int]) -> bool:
        return await self._call(self._session.remove_own, folder, uids)

    async def unflag(self, folder: str, uid: int) -> None:
        await self._call(self._session.unflag, folder, uid)

    async def aclose(self) -> None:
        """Log out (or just close a broken connection) and stop the thread. Idempotent."""
        if self._closed:
            return
        self._closed = True
        if any(not f.done() for f in self._running):
            self._session.interrupt()  # a call still holds the thread (e.g. a cancelled IDLE)
        try:
            await asyncio.wrap_future(self._executor.submit(self._session.logout))
        finally:
            self._executor.shutdown(wait=False)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
