"""Sending approved emails: at most once, at their time, in the send window.

Invariants (SPEC invariant 5):
- The exact bytes and the Message-ID were stored when the draft was made; they are what is
  sent. The item is `sending` (committed) before the first byte goes out.
- Only failures before the message data was handed over are retried (adapters/smtp.py).
  After the hand-over, a drop, a stall or a crash makes the item `uncertain`: never re-sent
  on its own; the user decides (`approve` sends again, `reject` drops it).
- The moment the message data starts to be handed over (after the server's 354, before the
  first byte of the body) is committed and checkpointed before the body is written. An item
  still `sending` when the daemon starts (or when a stop cancels the send) that never reached
  that moment cannot have been delivered: it is approved again and goes out at its time. One
  that did, or may have, is `uncertain`.
- `sending`, the hand-over and what became of the send are checkpointed into the store's main
  file: a copy of state.db without its -wal never sends a message again.
- Right before sending, the contact is asked again: an item the core no longer holds pending
  (a reply withdrew it) is never sent.
- A refused login, certificate or secret is about the account, not the item: the item stays
  approved, it is said once (one ERROR line), and no login is tried again while this
  configuration runs (SendProblems lives as long as it; a reload or restart starts afresh):
  repeated failed logins lock accounts.
- Every email that was not sent (refused, or not sent after its retries) or whose fate is
  unknown (`uncertain`) is noted in SendProblems.failed: `run --once` exits 1.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from followthru.adapters.headerparse import parse_headers
from followthru.adapters.smtp import SendOutcome, SendReport
from followthru.adapters.store.outbox import OutboxRow
from followthru.config import Account
from followthru.core.drafts import colleagues
from followthru.core.effects import NoticeKind
from followthru.core.events import AddressLearned, Discarded, DraftRejected, OutboundSeen
from followthru.core.items import ItemEvent, ItemStatus
from followthru.core.model import ContactId, StepKind
from followthru.core.schedule import catch_up, release_at
from followthru.errors import AuthenticationFailed, SecretUnavailable, TlsError
from followthru.service import versions
from followthru.service.contacts import Service
from followthru.service.ports import Mailbox, Transport

log = logging.getLogger(__name__)

# SMTP hosts whose servers file what they send (Microsoft 365 and Outlook.com: Exchange keeps
# a copy of what SMTP AUTH submission sends in Sent Items).
FILES_SENT_DOMAINS = ("office365.com", "outlook.com")
# How many of the newest messages in Sent are read for the server's own copy.
NEWEST_IN_SENT = 20


def recover_interrupted(service: Service, now: datetime) -> int:
    """Items left `sending` by a crash: sent again when their data was never handed over,
    else `uncertain` (it may have gone out). Returns how many became uncertain."""
    interrupted = service.store.outbox.items(statuses={ItemStatus.SENDING})
    uncertain = 0
    with service.store.transaction():
        for item in interrupted:
            uncertain += _settle_interrupted(service, item.id, now) is ItemStatus.UNCERTAIN
    return uncertain


def _settle_interrupted(service: Service, item_id: int, now: datetime) -> ItemStatus | None:
    """A send stopped midway: where it stopped says whether the message may have gone."""
    outbox = service.store.outbox
    if outbox.before_data(item_id):
        log.info("approved item=%d: the send stopped before the message data was handed over; "
                 "it goes out at its next time", item_id)  # fmt: skip
        return outbox.move(item_id, ItemEvent.STOPPED_BEFORE_DATA, now,
                           error="the daemon stopped before the message data was handed over")  # fmt: skip
    log.warning("uncertain item=%d: interrupted during the send; never re-sent on its own", item_id)
    moved = outbox.move(item_id, ItemEvent.INTERRUPTED, now,
                        error="the daemon stopped during the send: check Sent, then approve or reject")  # fmt: skip
    item = outbox.item(item_id)
    if moved is ItemStatus.UNCERTAIN and item is not None:  # the user is told, as for a live one
        text = (f"Your {item.step} to {', '.join(item.to)} may or may not have gone out (followthru "
                "stopped during the send). Check your Sent folder, then `followthru approve "
                f"{item.id}` to send it again or `followthru reject {item.id}`.")  # fmt: skip
        service.store.notices.add(NoticeKind.UNCERTAIN, text, now, contact_id=item.contact_id,
                                  item_id=item.id)  # fmt: skip
    return moved


@dataclass
class SendProblems:
    """What went wrong with sending: `refused` (the account's SMTP login, certificate or
    secret; nothing more is tried while this configuration runs) and `failed` (one line per
    email that was not sent, in the caller's last round)."""

    refused: str | None = None
    failed: list[str] = field(default_factory=list)


class Sender:
    """Sends the due, approved emails over one account's SMTP server."""

    def __init__(self, service: Service, account: Account, transport: Transport,
                 problems: SendProblems | None = None) -> None:  # fmt: skip
        self.service = service
        self.store = service.store
        self.account = account
        self.transport = transport
        self.problems = problems or SendProblems()

    async def send_due(
        self, now: datetime, box: Mailbox | None = None, sent_folder: str | None = None
    ) -> int:
        """Send the approved emails whose time has come, spaced as `schedule.catch_up` says
        (never a burst after downtime); returns how many were delivered."""
        due = [
            (item, at)
            for item in self.store.outbox.items(statuses={ItemStatus.APPROVED})
            if item.kind is StepKind.EMAIL and (at := self._send_time(item, now)) is not None
        ]
        last = self.store.outbox.last_sent_at()
        delivered = 0
        for item, slot in catch_up(due, now, self.service.policy, last_sent=last):
            if self.problems.refused is not None:
                break  # said once already; approved emails wait for a fixed configuration
            if slot <= now:
                delivered += await self._send(item, now, box, sent_folder)
        return delivered

    def _send_time(self, item: OutboxRow, now: datetime) -> datetime | None:
        """When the item may go out; None (and withdrawn) when the contact let go of it."""
        contact = self.service.replay(item.contact_id)
        at = release_at(item.step, item.due_at, contact, self.service.policy, now)
        if at is None:  # the core let go of it (a reply, an outcome): never send
            with self.store.transaction():
                self.store.outbox.move(item.id, ItemEvent.WITHDRAWN, now,
                                       error="no longer pending for the contact")  # fmt: skip
        return at

    async def _send(
        self, item: OutboxRow, now: datetime, box: Mailbox | None, sent_folder: str | None
    ) -> int:
        raw = self.store.outbox.rendered(item.id)
        why = versions.refused(self.service, raw)
        if raw is None or why is not None:
            with self.store.transaction():
                self.store.outbox.move(
                    item.id, ItemEvent.HELD, now, error=f"{why}: edit the draft first"
                )
            return 0
        with self.store.transaction():
            if self.store.outbox.move(item.id, ItemEvent.SEND_STARTED, now) is None:
                return 0  # it moved meanwhile (a command from a shell): nothing to send
        self.store.checkpoint()  # `sending` in the main file before the first byte goes out
        try:
            report = await self._deliver(raw, item)
        except (AuthenticationFailed, TlsError, SecretUnavailable) as exc:
            self._refused(item, exc, now)
            return 0
        except asyncio.CancelledError:  # Ctrl-C or a stop mid-send: it may have gone out
            with self.store.transaction():
                _settle_interrupted(self.service, item.id, now)
            self.store.checkpoint()
            raise
        self._record(item, report, now)
        self.store.checkpoint()  # what became of it, in the main file (a lost -wal)
        if report.outcome is SendOutcome.DELIVERED:
            await self._file(item.id, raw, box, sent_folder, now)
        return 1 if report.outcome is SendOutcome.DELIVERED else 0

    async def file_unfiled(self, box: Mailbox, sent_folder: str, now: datetime) -> int:
        """Copies a crash kept from Sent (after the 250, before the APPEND): filed now."""
        missing = self.store.outbox.unfiled()
        for item in missing:
            raw = self.store.outbox.rendered(item.id)
            if raw is not None:
                await self._file(item.id, raw, box, sent_folder, now)
                log.info("filed item=%d: its copy in Sent, after an interruption", item.id)
        return len(missing)

    async def _file(self, item_id: int, raw: bytes, box: Mailbox | None, sent_folder: str | None,
                    now: datetime) -> None:  # fmt: skip
        """Our copy in Sent (unless the server files it itself), then the item is filed."""
        if (
            box is not None
            and sent_folder
            and self._save_copy(box)
            and not await self._filed_by_server(box, sent_folder, item_id)
        ):
            await box.append(sent_folder, raw, ("\\Seen",), now)
        with self.store.transaction():
            self.store.outbox.mark_filed(item_id)

    def _refused(self, item: OutboxRow, exc: Exception, now: datetime) -> None:
        self.problems.refused = f"account {self.account.name}: {exc}"
        self.problems.failed.append(f"item {item.id} not sent: {exc}")
        log.error("account=%s sending stopped: %s; approved emails wait (fix the config, then "
                  "restart or reload)", self.account.name, exc)  # fmt: skip
        with self.store.transaction():
            self.store.outbox.move(item.id, ItemEvent.NOT_SENT, now, error=str(exc))

    async def _deliver(self, raw: bytes, item: OutboxRow) -> SendReport:
        sender = self.service.config.identity.email
        return await self.transport.send(
            raw, sender, [*item.to, *item.cc], handing_over=lambda: self._handing_over(item.id)
        )

    def _handing_over(self, item_id: int) -> None:
        """Right before the body goes: from this commit on, a crash leaves it `uncertain`
        (in the main file too: a lost -wal must not make it look unsent)."""
        with self.store.transaction():
            self.store.outbox.handing_over(item_id)
        self.store.checkpoint()

    def _record(self, item: OutboxRow, report: SendReport, now: datetime) -> None:
        moves = self.store.outbox.move
        if report.outcome is not SendOutcome.DELIVERED:  # `uncertain` too: the user must look
            self.problems.failed.append(f"item {item.id} {report.outcome}: {report.reason}")
        with self.store.transaction():
            if report.outcome is SendOutcome.DELIVERED:
                moves(item.id, ItemEvent.DELIVERED, now)
                self._outbound(item, now)
                log.info("sent item=%d step=%s message_id=%s", item.id, item.step, item.message_id)
            elif report.outcome is SendOutcome.UNCERTAIN:
                moves(item.id, ItemEvent.SEND_UNKNOWN, now, error=report.reason)
                text = (f"Your {item.step} to {', '.join(item.to)} may or may not have gone out "
                        f"({report.reason}). Check your Sent folder, then `followthru approve "
                        f"{item.id}` to send it again or `followthru reject {item.id}`.")  # fmt: skip
                self.store.notices.add(NoticeKind.UNCERTAIN, text, now,
                                       contact_id=item.contact_id, item_id=item.id)  # fmt: skip
                log.warning(
                    "uncertain item=%d: %s; never re-sent on its own", item.id, report.reason
                )
            elif report.outcome is SendOutcome.NOT_SENT_PERMANENT:
                moves(item.id, ItemEvent.REFUSED, now, error=report.reason)
                event = DraftRejected(at=now, step=item.step, why=Discarded.REJECTED)
                self.service.apply(item.contact_id, event, now)
                log.error("refused item=%d: %s", item.id, report.reason)
            else:
                moves(item.id, ItemEvent.NOT_SENT, now, error=report.reason)
                log.warning("not_sent item=%d: %s; will try again", item.id, report.reason)

    def _outbound(self, item: OutboxRow, now: datetime) -> None:
        to = _ids(self.service, item.to)
        cc = _ids(self.service, item.cc)
        owner = item.contact_id
        auto = item.step in self.service.policy.auto_send
        event = OutboundSeen(at=now, message_id=item.message_id or f"<item-{item.id}@followthru.invalid>",
                             to=frozenset(to), cc=frozenset(cc), step=item.step, owner=owner, auto_sent=auto)  # fmt: skip
        for contact in dict.fromkeys([*to, *cc, owner]):
            self.service.apply(contact, event, now)
        self._learn_colleagues(item, now)

    def _learn_colleagues(self, item: OutboxRow, now: datetime) -> None:
        """The user sent the contact's letter to a colleague of theirs instead: that address
        counts as the contact's from now on (their reply ends the silence)."""
        owner = self.service.replay(item.contact_id)
        free = self.service.config.detection.free_mail_domains
        for address in colleagues(item.to, owner.email, owner.company_domain, free):
            if self.store.contacts.find(address) is None:  # a contact of their own stays so
                self.service.apply(item.contact_id, AddressLearned(at=now, address=address), now)

    def _save_copy(self, box: Mailbox) -> bool:
        """Gmail and Microsoft 365 file what they send by themselves; other servers need our
        copy in Sent (save_sent: auto)."""
        save = self.account.save_sent
        if save is None:
            host = self.account.smtp.host.lower().rstrip(".")
            microsoft = any(host == d or host.endswith(f".{d}") for d in FILES_SENT_DOMAINS)
            return "X-GM-EXT-1" not in box.capabilities and not microsoft
        return save

    async def _filed_by_server(self, box: Mailbox, sent_folder: str, item_id: int) -> bool:
        """A server may file what its SMTP server received without saying so (Microsoft 365
        behind another host name, hosted Exchange, some ISPs): a copy with our Message-ID among
        the newest in Sent is the server's, and a second one would be a duplicate
        (tests/e2e/test_providers.py). Only the newest few are read: it was just filed."""
        item = self.store.outbox.item(item_id)
        if item is None or not item.message_id:
            return False
        state = await box.select(sent_folder)
        newest = await box.uids_after(max(0, (state.uidnext or 1) - 1 - NEWEST_IN_SENT))
        async for record in box.fetch_headers(newest):
            if parse_headers(record.header).message_id == item.message_id:
                log.info("filed item=%d: the server put it in Sent itself", item_id)
                return True
        return False


def _ids(service: Service, addresses: tuple[str, ...]) -> list[ContactId]:
    rows = (service.store.contacts.find(a) for a in addresses)
    return [r.id for r in rows if r is not None]
