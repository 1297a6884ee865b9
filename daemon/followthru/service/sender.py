"""Sending approved emails: at most once, at their time, in the send window.

Invariants (SPEC invariant 5):
- The exact bytes and the Message-ID were stored when the draft was made; they are what is
  sent. The item is `sending` (committed) before the first byte goes out.
- Only failures before the message data was handed over are retried (adapters/smtp.py).
  After the hand-over, a drop, a stall or a crash makes the item `uncertain`: never re-sent
  on its own; the user decides (`approve` sends again, `reject` drops it).
- An item still `sending` when the daemon starts was interrupted mid-send: it is `uncertain`.
- Right before sending, the contact is asked again: an item the core no longer holds pending
  (a reply withdrew it) is never sent.
- A refused login, certificate or secret is about the account, not the item: the item stays
  approved, it is said once (one ERROR line), and no login is tried again while this
  configuration runs (SendProblems lives as long as it; a reload or restart starts afresh):
  repeated failed logins lock accounts.
- Every email that was not sent (refused, or not sent after its retries) is noted in
  SendProblems.failed (`run --once` exits 1); an `uncertain` one is not: it may have gone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from followthru.adapters.mailbox import Mailbox
from followthru.adapters.secrets import resolve_secret
from followthru.adapters.smtp import Outcome, SendReport, send_with_retries
from followthru.adapters.store import records
from followthru.adapters.templates import placeholders
from followthru.config import Account
from followthru.core.events import Discarded, DraftRejected, OutboundSeen
from followthru.core.model import ContactId, Step
from followthru.core.schedule import send_at
from followthru.errors import AuthenticationFailed, SecretUnavailable, TlsError
from followthru.service.contacts import Service

log = logging.getLogger(__name__)
RETRIES, FIRST_DELAY, MAX_DELAY = 3, 5.0, 60.0


def recover_interrupted(service: Service, now: datetime) -> int:
    """Items left `sending` by a crash: the data may have gone out, so they are uncertain."""
    rows = service.store.conn.execute("SELECT id FROM outbox WHERE status = 'sending'").fetchall()
    with service.store.transaction():
        for (item_id,) in rows:
            records.set_item(service.store, item_id, "uncertain", now,
                             error="the daemon stopped during the send: check Sent, then approve or reject")  # fmt: skip
            log.warning(
                "uncertain item=%d: interrupted during the send; never re-sent on its own", item_id
            )
    return len(rows)


@dataclass
class SendProblems:
    """What went wrong with sending: `refused` (the account's SMTP login, certificate or
    secret; nothing more is tried while this configuration runs) and `failed` (one line per
    email that was not sent, in the caller's last round)."""

    refused: str | None = None
    failed: list[str] = field(default_factory=list)


class Sender:
    """Sends the due, approved emails over one account's SMTP server."""

    def __init__(
        self, service: Service, account: Account, problems: SendProblems | None = None
    ) -> None:
        self.service = service
        self.store = service.store
        self.account = account
        self.problems = problems or SendProblems()

    async def send_due(
        self, now: datetime, box: Mailbox | None = None, sent_folder: str | None = None
    ) -> int:
        """Send every approved email whose time has come; returns how many were delivered."""
        delivered = 0
        for item in records.outbox(self.store, statuses=("approved",)):
            if self.problems.refused is not None:
                break  # said once already; approved emails wait for a fixed configuration
            if item.kind == "email" and self._is_due(item, now):
                delivered += await self._send(item, now, box, sent_folder)
        return delivered

    def _is_due(self, item: records.OutboxRow, now: datetime) -> bool:
        contact = self.service.contact(item.contact_id)
        pending = contact.pending_step(Step(item.step))
        if pending is None:  # the core let go of it (a reply, an outcome): never send
            with self.store.transaction():
                records.set_item(
                    self.store, item.id, "withdrawn", now, error="no longer pending for the contact"
                )
            return False
        held = replace(pending, due_at=max(pending.due_at, item.due_at))  # a snooze only delays
        return send_at(held, contact, self.service.policy, now) <= now

    async def _send(
        self, item: records.OutboxRow, now: datetime, box: Mailbox | None, sent_folder: str | None
    ) -> int:
        raw = records.rendered(self.store, item.id)
        if raw is None or placeholders(raw.decode("utf-8", "replace")):
            with self.store.transaction():
                records.set_item(
                    self.store,
                    item.id,
                    "pending",
                    now,
                    error="placeholders left: edit the draft first",
                )
            return 0
        with self.store.transaction():
            records.set_item(self.store, item.id, "sending", now)
        try:
            report = await self._deliver(raw, item)
        except (AuthenticationFailed, TlsError, SecretUnavailable) as exc:
            self._refused(item, exc, now)
            return 0
        self._record(item, report, now)
        if (
            report.outcome is Outcome.DELIVERED
            and box is not None
            and sent_folder
            and self._save_copy(box)
        ):
            await box.append(sent_folder, raw, ("\\Seen",), now)
        return 1 if report.outcome is Outcome.DELIVERED else 0

    def _refused(self, item: records.OutboxRow, exc: Exception, now: datetime) -> None:
        self.problems.refused = f"account {self.account.name}: {exc}"
        self.problems.failed.append(f"item {item.id} not sent: {exc}")
        log.error("account=%s sending stopped: %s; approved emails wait (fix the config, then "
                  "restart or reload)", self.account.name, exc)  # fmt: skip
        with self.store.transaction():
            records.set_item(self.store, item.id, "approved", now, error=str(exc))

    async def _deliver(self, raw: bytes, item: records.OutboxRow) -> SendReport:
        smtp = self.account.smtp
        secret = None
        if smtp.secret is not None:
            secret = resolve_secret(
                smtp.secret, where=f"{self.account.name}/smtp", username=smtp.username
            )
        return await send_with_retries(
            smtp, secret, oauth2=bool(smtp.secret and smtp.secret.is_oauth2), message=raw,
            sender=self.service.config.identity.email, recipients=[*item.to, *item.cc],
            attempts=RETRIES, base_delay=FIRST_DELAY, max_delay=MAX_DELAY,
        )  # fmt: skip

    def _record(self, item: records.OutboxRow, report: SendReport, now: datetime) -> None:
        with self.store.transaction():
            if report.outcome in (Outcome.NOT_SENT_RETRYABLE, Outcome.NOT_SENT_PERMANENT):
                # (`uncertain` is not a failure of the pass: it may have gone; the user decides.)
                self.problems.failed.append(f"item {item.id} {report.outcome}: {report.reason}")
            if report.outcome is Outcome.DELIVERED:
                records.set_item(self.store, item.id, "sent", now, sent=True)
                self._outbound(item, now)
                log.info("sent item=%d step=%s message_id=%s", item.id, item.step, item.message_id)
            elif report.outcome is Outcome.UNCERTAIN:
                records.set_item(self.store, item.id, "uncertain", now, error=report.reason)
                log.warning(
                    "uncertain item=%d: %s; never re-sent on its own", item.id, report.reason
                )
            elif report.outcome is Outcome.NOT_SENT_PERMANENT:
                records.set_item(self.store, item.id, "rejected", now, error=report.reason)
                event = DraftRejected(at=now, step=Step(item.step), why=Discarded.REJECTED)
                self.service.apply(item.contact_id, event, now)
                log.error("refused item=%d: %s", item.id, report.reason)
            else:
                records.set_item(self.store, item.id, "approved", now, error=report.reason)
                log.warning("not_sent item=%d: %s; will try again", item.id, report.reason)

    def _outbound(self, item: records.OutboxRow, now: datetime) -> None:
        to = _ids(self.service, item.to)
        cc = _ids(self.service, item.cc)
        owner = ContactId(str(item.contact_id))
        auto = Step(item.step) in self.service.policy.auto_send
        event = OutboundSeen(at=now, message_id=item.message_id or f"<item-{item.id}@followthru.invalid>",
                             to=frozenset(to), cc=frozenset(cc), step=Step(item.step), owner=owner, auto_sent=auto)  # fmt: skip
        for contact in dict.fromkeys([*to, *cc, owner]):
            self.service.apply(int(contact), event, now)

    def _save_copy(self, box: Mailbox) -> bool:
        """Gmail files what it sends by itself; other servers need our copy in Sent."""
        save = self.account.save_sent
        if save is None:
            return "X-GM-EXT-1" not in box.capabilities
        return save


def _ids(service: Service, addresses: tuple[str, ...]) -> list[ContactId]:
    rows = (records.find_contact(service.store, a) for a in addresses)
    return [ContactId(str(r.id)) for r in rows if r is not None]
