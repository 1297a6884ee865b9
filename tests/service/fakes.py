"""In-memory fakes of the service's ports (followthru/service/ports.py): a mailbox and SMTP.

They behave like the real servers where the service can tell: UIDs only grow, a folder's
UIDVALIDITY stays, an APPEND gets the next UID, EXPUNGE removes, flags are per message; a
send is recorded with its exact bytes and recipients and ends as the test scripted it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal

from followthru.adapters.imapdata import (
    FolderChoice,
    FolderMap,
    FolderState,
    HeaderRecord,
    IdleResult,
    header_block,
)
from followthru.adapters.smtp import RcptStatus, RecipientResult, SendOutcome, SendReport
from followthru.config import Folders


@dataclass
class Stored:
    uid: int
    raw: bytes
    flags: set[str]
    internaldate: datetime


@dataclass
class Folder:
    uidvalidity: int
    messages: dict[int, Stored] = field(default_factory=dict)
    uidnext: int = 1


class FakeMailbox:
    """INBOX, Drafts and Sent, in memory; what a mail client does is done with `deliver`,
    `flag` and `delete` (the user's side), what the daemon does through the port."""

    def __init__(self) -> None:
        self.folders = {name: Folder(uidvalidity=100 + n) for n, name in
                        enumerate(("INBOX", "Drafts", "Sent"))}  # fmt: skip
        self.selected = "INBOX"
        self.capabilities = frozenset({"IMAP4REV1", "UIDPLUS", "SPECIAL-USE"})
        self.can_idle = False

    # --- the user's side -------------------------------------------------------------

    def deliver(self, folder: str, raw: bytes, at: datetime, flags: Sequence[str] = ()) -> int:
        box = self.folders[folder]
        uid = box.uidnext
        box.messages[uid] = Stored(uid, raw, set(flags), at.astimezone(UTC))
        box.uidnext += 1
        return uid

    def flag(self, folder: str, uid: int, flag: str = "\\Flagged") -> None:
        self.folders[folder].messages[uid].flags.add(flag)

    def delete(self, folder: str, uid: int) -> None:
        del self.folders[folder].messages[uid]

    def raw(self, folder: str) -> list[bytes]:
        return [m.raw for m in self.folders[folder].messages.values()]

    # --- the port ------------------------------------------------------------------------

    async def find_folders(self, wanted: Folders) -> FolderMap:
        return FolderMap(
            FolderChoice("INBOX", "configured"),
            FolderChoice("Drafts", "SPECIAL-USE \\Drafts"),
            FolderChoice("Sent", "SPECIAL-USE \\Sent"),
        )

    async def select(self, folder: str, *, readonly: bool = True) -> FolderState:
        self.selected = folder
        return await self.status(folder)

    async def status(self, folder: str) -> FolderState:
        box = self.folders[folder]
        return FolderState(folder, box.uidvalidity, box.uidnext, len(box.messages), None)

    async def uids_after(self, last_uid: int) -> list[int]:
        return sorted(uid for uid in self.folders[self.selected].messages if uid > last_uid)

    async def uids_since(self, day: date) -> list[int]:
        messages = self.folders[self.selected].messages.values()
        return sorted(m.uid for m in messages if m.internaldate.date() >= day)

    async def fetch_headers(
        self, uids: Sequence[int], batch: int = 1000
    ) -> AsyncIterator[HeaderRecord]:
        async for records in self.fetch_header_batches(uids, batch):
            for record in records:
                yield record

    async def fetch_header_batches(
        self, uids: Sequence[int], batch: int = 1000
    ) -> AsyncIterator[list[HeaderRecord]]:
        messages = self.folders[self.selected].messages
        found = [messages[uid] for uid in uids if uid in messages]
        for start in range(0, len(found), batch):
            yield [
                HeaderRecord(
                    m.uid, frozenset(m.flags), m.internaldate, len(m.raw), header_block(m.raw)
                )
                for m in found[start : start + batch]
            ]

    async def fetch_messages(self, uids: Sequence[int], max_bytes: int) -> dict[int, bytes]:
        messages = self.folders[self.selected].messages
        return {uid: messages[uid].raw[:max_bytes] for uid in uids if uid in messages}

    async def idle_wait(
        self,
        timeout: float,  # noqa: ASYNC109 - as the port says
        *,
        done_timeout: float | None = None,
    ) -> IdleResult:
        return IdleResult(supported=False)

    async def append(self, folder: str, raw: bytes, flags: Sequence[str] = (),
                     msg_time: datetime | None = None) -> int | None:  # fmt: skip
        return self.deliver(folder, raw, msg_time or datetime.now(UTC), flags)

    async def flags(self, uids: Sequence[int]) -> dict[int, frozenset[str]]:
        messages = self.folders[self.selected].messages
        return {uid: frozenset(messages[uid].flags) for uid in uids if uid in messages}

    async def unflag(self, folder: str, uid: int) -> None:
        self.folders[folder].messages[uid].flags.discard("\\Flagged")

    async def remove_own(self, folder: str, uids: Sequence[int]) -> bool:
        for uid in uids:
            self.folders[folder].messages.pop(uid, None)
        return True


@dataclass
class Sent:
    message: bytes
    sender: str
    recipients: tuple[str, ...]


class FakeTransport:
    """SMTP that records every message handed to it and answers `outcome` (delivered by
    default). Outcomes that pass the 354 call `handing_over` first, as the real one does.
    `stop` cancels the send (a stop, Ctrl-C) "before_data" (at RCPT) or "after_data"."""

    def __init__(self, outcome: SendOutcome = SendOutcome.DELIVERED) -> None:
        self.outcome = outcome
        self.sent: list[Sent] = []
        self.stop: Literal["before_data", "after_data"] | None = None

    async def send(self, message: bytes, sender: str, recipients: Sequence[str], *,
                   handing_over: Callable[[], None] | None = None) -> SendReport:  # fmt: skip
        if self.stop == "before_data":
            raise asyncio.CancelledError
        handed = self.outcome is not SendOutcome.NOT_SENT_RETRYABLE
        if handed and handing_over is not None:
            handing_over()
        self.sent.append(Sent(message, sender, tuple(recipients)))
        if self.stop == "after_data":
            raise asyncio.CancelledError
        results = tuple(RecipientResult(r, RcptStatus.ACCEPTED, 250) for r in recipients)
        step = "end_of_data" if handed else "rcpt"
        return SendReport(self.outcome, step, f"fake: {self.outcome}", results)
