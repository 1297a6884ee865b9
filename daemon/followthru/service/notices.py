"""Telling the user where they live: urgent notes and the daily digest, APPENDed to the INBOX.

Invariants (SPEC "Notices and the digest"):
- Never sent over SMTP: APPENDed, unread, From and To the user, `Auto-Submitted:
  auto-generated` and marked (core/digest.MARKER); the sync ignores mail "from" the user in the
  INBOX, so followthru never reads its own digests and notes as anyone's mail.
- An urgent notice (core/digest.URGENT_KINDS) becomes one note, once (`delivered_at`), when
  `notify.urgent` is on.
- At most one digest a day (the day is kept in the store: a restart does not write a second),
  on `digest_days` after `digest_at`, only when something waits or happened; the notices it
  shows are marked read; the previous digest is removed unless the user flagged it.
- A notice told at once as a note is not told again in the digest.
- With `notify.push`, each note and each digest is also pushed (adapters/push.py): a title and
  one line (what happened, to whom, which step; the digest's counts), never a notice's text or
  a letter; best effort, never in the way.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from followthru.adapters.compose import compose_note, make_message_id
from followthru.adapters.push import ApprisePush
from followthru.adapters.store.notices import Notice
from followthru.adapters.store.outbox import OutboxRow
from followthru.adapters.templates import Person, Renderer
from followthru.core.digest import URGENT_KINDS, Digest, Line, digest_due
from followthru.core.items import OPEN, ItemStatus
from followthru.core.model import ContactId, StepKind
from followthru.core.schedule import expires_at, next_due, release_at
from followthru.service.contacts import Service
from followthru.service.ports import Mailbox, Push

log = logging.getLogger(__name__)
COMING_DAYS, COMING_LINES, HAPPENED_LINES, WAITING_LINES = 7, 30, 50, 50
COMING_SCAN = 300  # contacts' timers read for "coming" at most (an expiry may come first)
HEADLINES = {
    "uncertain": "a send is uncertain",
    "approval_refused": "an approval was refused",
    "bounce": "a message bounced",
}
"""What a push says of an urgent notice (other kinds: their name)."""


class Notifier:
    """The INBOX as the place where the user is told."""

    def __init__(self, service: Service, renderer: Renderer, push: Push | None = None) -> None:
        self.service = service
        self.store = service.store
        self.renderer = renderer
        self.notify = service.config.notify
        self.zone = service.config.identity.timezone
        self.push = push or (ApprisePush(self.notify.push) if self.notify.push else None)

    async def deliver(self, box: Mailbox, inbox: str, now: datetime) -> int:
        """Urgent notes at once, and the digest when it is due; how many were APPENDed."""
        written = await self._urgent(box, inbox, now) if self.notify.urgent else 0
        last = self.store.marks.get("digest.day")
        last_day = date.fromisoformat(last) if last else None
        if digest_due(now, self.zone, self.notify.digest_at, self.notify.digest_days, last_day):
            written += await self._digest(box, inbox, now)
        return written

    async def _urgent(self, box: Mailbox, inbox: str, now: datetime) -> int:
        notices = self.store.notices.undelivered(URGENT_KINDS)
        for notice in notices:
            subject, text = self.renderer.note(notice.kind.replace("_", " "), notice.text)
            await box.append(inbox, self._message(subject, text, None, now, "urgent"), (), now)
            with self.store.transaction():
                self.store.notices.mark_delivered([notice.id], now)
            log.info("note_appended notice=%d kind=%s", notice.id, notice.kind)
            if self.push is not None:
                await self.push.push("followthru", self._headline(notice))
        return len(notices)

    async def _digest(self, box: Mailbox, inbox: str, now: datetime) -> int:
        today = now.astimezone(self.zone).date()
        digest, shown = self.build(now)
        if digest.empty:
            with self.store.transaction():
                self.store.marks.set("digest.day", today.isoformat())  # asked once a day
            return 0
        subject, text, html = self.renderer.digest(digest, today.strftime("%A %d %B %Y"))
        uid = await box.append(inbox, self._message(subject, text, html, now, "digest"), (), now)
        previous = self.store.marks.get("digest.uid")
        with self.store.transaction():
            self.store.notices.mark_read(shown, now)
            self.store.marks.set("digest.day", today.isoformat())
            self.store.marks.set("digest.since", now.isoformat())
            self.store.marks.set("digest.uid", str(uid) if uid is not None else "")
        if previous:
            await self._remove_unless_flagged(box, inbox, int(previous))
        log.info("digest_appended uid=%s waiting=%d happened=%d", uid, len(digest.waiting),
                 len(digest.happened))  # fmt: skip
        if self.push is not None:
            line = (f"your digest is in your inbox: {len(digest.waiting)} waiting for you, "
                    f"{len(digest.happened)} new")  # fmt: skip
            await self.push.push("followthru", line)
        return 1

    def build(self, now: datetime) -> tuple[Digest, list[int]]:
        """The digest as of `now`, and the ids of the notices it shows."""
        emails = self.store.contacts.emails()
        waiting, waiting_count = self._waiting_lines(now)
        # The newest notices not told as a note already (once only); `followthru notices`
        # lists them all. Every unread one is marked read once the digest is written.
        shown, untold, unread = self.store.notices.for_digest(HAPPENED_LINES)
        happened = tuple(Line(self._when(n.at), n.text, emails.get(n.contact_id, "") if n.contact_id else "")
                         for n in reversed(shown))  # fmt: skip
        if untold > len(shown):
            more = f"and {untold - len(shown)} older ones: see `followthru notices`"
            happened = (Line("", more, ""), *happened)
        coming = self._coming(now, emails)
        day = now.astimezone(self.zone).date()
        return Digest(day, waiting, happened, coming, waiting_count), unread

    def _coming(self, now: datetime, emails: dict[ContactId, str]) -> tuple[Line, ...]:
        """The next step of each contact whose timer falls in the next COMING_DAYS, soonest
        first (`followthru plan` simulates further; a digest names what comes next). Read
        from the stored timers, so that a store of 10,000 contacts is not loaded for it."""
        until = now + timedelta(days=COMING_DAYS)
        lines: list[tuple[datetime, Line]] = []
        for contact_id in self.store.contacts.due_timers(until)[:COMING_SCAN]:
            contact = self.service.snapshot(contact_id)
            due = next_due(contact, self.service.policy) if contact is not None else None
            if due is None or not now <= due.at <= until:
                continue
            what = due.step.value.replace("_", " ") if due.step else due.why
            lines.append((due.at, Line(self._when(due.at), what, emails.get(contact_id, ""))))
            if len(lines) >= COMING_LINES:
                break
        return tuple(line for _, line in sorted(lines, key=lambda pair: pair[0]))

    def _waiting_lines(self, now: datetime) -> tuple[tuple[Line, ...], int]:
        """Uncertain sends (they need the user), then the first WAITING_LINES others by due
        time, and how many wait in all (`followthru queue` lists every one)."""
        uncertain = self.store.outbox.items(statuses=(ItemStatus.UNCERTAIN,))
        others = self.store.outbox.items(
            statuses=OPEN - {ItemStatus.UNCERTAIN}, limit=WAITING_LINES
        )
        total = self.store.outbox.count(OPEN)
        lines = [self._waiting(item, now) for item in (*uncertain, *others)]
        if total > len(lines):
            lines.append(Line("", f"and {total - len(lines)} more: see `followthru queue`", ""))
        return tuple(lines), total

    def _waiting(self, item: OutboxRow, now: datetime) -> Line:
        who = ", ".join(item.to)
        what = f"{item.step.value.replace('_', ' ')}{' (a task)' if item.kind is StepKind.TASK else ''}"
        if item.status is ItemStatus.UNCERTAIN:
            return Line("may have gone out: check Sent, then approve or reject", what, who)
        contact = self.service.snapshot(item.contact_id) or self.service.replay(item.contact_id)
        if item.status is ItemStatus.APPROVED:
            at = release_at(item.step, item.due_at, contact, self.service.policy, now)
            return Line(f"goes out {self._when(at)}" if at else "held back", what, who)
        pending = contact.pending_step(item.step)
        expiry = expires_at(pending, self.service.policy) if pending else None
        until = f" (until {self._when(expiry)})" if expiry else ""
        if item.kind is StepKind.TASK:
            return Line(f"to do from {self._when(item.due_at)}{until}", what, who)
        return Line(f"waits for your approval{until}", what, who)

    def _headline(self, notice: Notice) -> str:
        """What a push says of a notice: what happened, to whom, which step; never its text
        (which may quote a server's answer) and never a letter."""
        what = HEADLINES.get(notice.kind, notice.kind.replace("_", " "))
        contact = self.service.snapshot(notice.contact_id) if notice.contact_id else None
        item = self.store.outbox.item(notice.item_id) if notice.item_id else None
        about = [x for x in (contact.name or contact.email if contact else "",
                             item.step.value if item else "") if x]  # fmt: skip
        return f"{what} ({', '.join(about)})" if about else what

    def _when(self, moment: datetime) -> str:
        local = moment.astimezone(self.zone)
        return local.strftime("%a %d %b, %H:%M")

    def _message(self, subject: str, text: str, html: str | None, now: datetime,
                 kind: str) -> bytes:  # fmt: skip
        identity = self.service.config.identity
        me = Person.of(identity.name, identity.email)
        message_id = make_message_id(identity.email.rpartition("@")[2], now)
        msg = compose_note(subject, text, html, me=me, message_id=message_id, date=now, kind=kind)
        return msg.as_bytes()

    async def _remove_unless_flagged(self, box: Mailbox, inbox: str, uid: int) -> None:
        await box.select(inbox)
        flags = (await box.flags([uid])).get(uid)
        if flags is not None and "\\Flagged" not in flags:
            await box.remove_own(inbox, [uid])
