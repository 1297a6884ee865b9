"""One account's round: what the daemon does each time it wakes, in order.

Invariants: sync first (a reply read before anything is sent), then due timers; only the first
account's round (whose Drafts hold the queue) reads approvals, writes drafts and sends, and it
sends nothing while `held_by` names an account whose mail is not read up to now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from followthru.adapters.imapdata import FolderMap
from followthru.config import Account
from followthru.service.contacts import Service
from followthru.service.debrief import Debriefs
from followthru.service.notices import Notifier
from followthru.service.outbox import Outbox
from followthru.service.ports import Mailbox, Transport
from followthru.service.sender import Sender, SendProblems
from followthru.service.sync import PassReport, Sync

HeldBy = Callable[[], str | None]
"""The name of an account whose mail is not read up to now (sending waits), or None."""


@dataclass(frozen=True, slots=True)
class RoundReport:
    """What a round did: its sync pass, timers that changed a contact, drafts written to
    Drafts, drafts approved by the user's flag, emails sent."""

    sync: PassReport
    timers: int = 0
    drafts: int = 0
    approved: int = 0
    sent: int = 0


class Round:
    """One account's catch-up: sync from the watermarks, fire due timers, and (for the first
    account, whose Drafts hold the queue) read the user's approvals, write new drafts and send
    what is due, unless `held_by` names an account not caught up (its replies are unknown)."""

    def __init__(self, service: Service, account: Account, box: Mailbox, folders: FolderMap,
                 outbox: Outbox | None, transport: Transport, held_by: HeldBy = lambda: None,
                 problems: SendProblems | None = None) -> None:  # fmt: skip
        self.service = service
        self.problems = problems or SendProblems()  # kept by the caller across rounds
        self.account = account
        self.box = box
        self.folders = folders
        self.outbox = outbox
        self.sender = Sender(service, account, transport, self.problems)
        self.held_by = held_by
        self.sync = Sync(service, account, box, folders.inbox.name, folders.sent.name)

    @classmethod
    async def start(cls, service: Service, account: Account, box: Mailbox, outbox: Outbox | None,
                    transport: Transport, held_by: HeldBy = lambda: None,
                    problems: SendProblems | None = None) -> Round:  # fmt: skip
        folders = await box.find_folders(account.folders)
        return cls(service, account, box, folders, outbox, transport, held_by, problems)

    async def run(self, now: datetime) -> RoundReport:
        report = await self.sync.run(now)
        timers = sum(not d.ignored for d in self.service.tick(now))
        if self.outbox is None:
            return RoundReport(report, timers)
        drafts, sent = self.folders.drafts.name, self.folders.sent.name
        approved = await self.outbox.reconcile(self.box, drafts, sent, now)
        await self.outbox.remove_closed(self.box, now)
        if self.outbox.renderer is not None:  # the user's debriefs: interviewers, their notes
            await Debriefs(self.service, self.outbox.renderer).read(self.box, now)
        self.outbox.prepare(now)
        written = await self.outbox.publish(self.box, drafts, now)
        delivered = 0
        await self.sender.file_unfiled(self.box, sent, now)  # a crash kept them from Sent
        if self.held_by() is None:
            self.problems.failed.clear()  # this round's, not a daemon's lifetime of them
            delivered = await self.sender.send_due(now, self.box, sent)
        if delivered:
            await self.outbox.remove_closed(self.box, now)  # no sent draft left looking unsent
        if self.outbox.renderer is not None:
            notifier = Notifier(self.service, self.outbox.renderer)
            await notifier.deliver(self.box, self.folders.inbox.name, now)
        return RoundReport(report, timers, written, approved, delivered)
