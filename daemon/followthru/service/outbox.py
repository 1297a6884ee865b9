"""The approval queue in the user's mailbox: drafts written, watched, and removed.

Invariants:
- A draft's bytes and Message-ID are stored before the draft is appended to Drafts; a draft
  already in Drafts with that Message-ID is never appended twice (a crash in between).
- The user's Drafts folder is read (headers) to find every version of our drafts
  (core/drafts.py; service/versions.py adopts the newest). Only our drafts and the user's
  versions of them are ever unflagged or removed there, and removed only once their item is
  closed.
- A draft flagged by the user (with `approve_by_flag`) is approved as the user left it, or
  unflagged with a notice saying why not; a draft of which no version is left and that did
  not reach Sent was deleted: the item is rejected (the try counts as skipped, never sent).
- Every state change goes through the service (the core decides; one transaction each).
- A pass writes at most `approval.max_drafts_per_pass` new drafts, the oldest due first
  (core/pacing.py); the rest wait for the next passes, and the user is told once per burst. A
  held draft's approval window starts when it reaches Drafts (a `DraftWritten` event).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from followthru.adapters.compose import DraftError
from followthru.adapters.headerparse import HeaderView, parse_headers
from followthru.adapters.imapdata import HeaderRecord
from followthru.adapters.store.outbox import OutboxRow
from followthru.adapters.templates import Renderer
from followthru.core.drafts import InSent, Versions, sent_note
from followthru.core.effects import NoticeKind
from followthru.core.events import Discarded, DraftApproved, DraftRejected, DraftWritten, TaskDone
from followthru.core.items import OPEN, WAITING, ItemEvent, ItemStatus
from followthru.core.model import Step, StepKind
from followthru.core.pacing import held_notice, within_cap
from followthru.core.schedule import expires_at
from followthru.errors import UserError
from followthru.service import versions
from followthru.service.answers import ANSWER_MARK, Answered
from followthru.service.contacts import Service
from followthru.service.letters import build_draft, rewrite
from followthru.service.ports import Mailbox

log = logging.getLogger(__name__)
DRAFT_FLAGS = ("\\Draft", "\\Seen")
HELD_MARK = "drafts_held"  # JSON: the ids of the items the last pass held back (pacing.py)


@dataclass(frozen=True, slots=True)
class InFolder:
    uid: int
    flagged: bool


class Outbox:
    """Drafts and decisions about queued items, for one store."""

    def __init__(self, service: Service, renderer: Renderer | None = None) -> None:
        self.service = service
        self.store = service.store
        self.renderer = renderer

    # --- drafts -------------------------------------------------------------------------

    def prepare(self, now: datetime) -> int:
        """Render every new item and store its bytes and Message-ID (before any draft exists)."""
        renderer = self.renderer
        if renderer is None:
            return 0
        count = 0
        for item in self.store.outbox.to_render():
            try:
                draft = build_draft(self.service, renderer, item, now)
            except DraftError as exc:
                log.error("draft_failed item=%d step=%s: %s", item.id, item.step, exc)
                continue
            with self.store.transaction():
                self.store.outbox.set_rendered(
                    item.id,
                    draft.subject,
                    draft.message_id,
                    draft.raw,
                    draft.digest,
                    now,
                )
            log.info(
                "draft_rendered item=%d step=%s message_id=%s", item.id, item.step, draft.message_id
            )
            count += 1
        return count

    async def publish(self, box: Mailbox, folder: str, now: datetime) -> int:
        """Append every rendered, open item that has no draft yet; returns how many."""
        for item_id, stale_folder, stale_uid in self.store.outbox.stale_drafts():
            await box.remove_own(
                stale_folder, [stale_uid]
            )  # an edit replaced it: the old one goes first
            with self.store.transaction():
                self.store.outbox.clear_stale(item_id)
        present = await self.drafts(box, folder)
        missing = [
            item
            for item in self.store.outbox.items(statuses=WAITING)  # oldest due first
            if item.message_id is not None and item.draft_uid is None
        ]
        there = [item for item in missing if item.message_id in present]
        new = [item for item in missing if item.message_id not in present]
        cap = self.service.config.approval.max_drafts_per_pass
        write, held = within_cap(new, cap)
        was_held = self._held()
        for item in there:  # already in Drafts (a crash after the APPEND): no new draft
            found = present[item.message_id or ""].uid
            await self._linked(box, folder, item, found, now, late=item.id in was_held)
        for item in write:
            uid = await box.append(folder, self._raw(item.id), DRAFT_FLAGS, now)
            await self._linked(box, folder, item, uid, now, late=item.id in was_held)
        self._hold([item.id for item in held], was_held, cap, now)
        return len(there) + len(write)

    async def _linked(self, box: Mailbox, folder: str, item: OutboxRow, uid: int | None,
                      now: datetime, *, late: bool = False) -> None:  # fmt: skip
        """The item's draft is in Drafts; `late`: held back by the cap until now, so its
        approval window starts now (the core's DraftWritten)."""
        state = await box.status(folder)
        with self.store.transaction():
            self.store.outbox.set_draft(item.id, folder, state.uidvalidity, uid, now)
            if late:
                self.service.apply(item.contact_id, DraftWritten(at=now, step=item.step), now)
        log.info("draft_written item=%d folder=%s uid=%s", item.id, folder, uid)

    def _held(self) -> set[int]:
        """The items the last pass held back (the mark of a burst that the user was told of)."""
        return {int(i) for i in json.loads(self.store.marks.get(HELD_MARK) or "[]")}

    def _hold(self, held: list[int], was_held: set[int], cap: int, now: datetime) -> None:
        """Remember what waits for the next pass; tell the user once per burst."""
        text = held_notice(len(held), cap, told=bool(was_held))
        if not held and not was_held:
            return
        with self.store.transaction():
            self.store.marks.set(HELD_MARK, json.dumps(held))
            if text is not None:
                self.store.notices.add(NoticeKind.DRAFTS_HELD, text, now)
        if held:
            log.warning("drafts_held count=%d cap=%d: they wait for the next pass", len(held), cap)

    async def reconcile(self, box: Mailbox, folder: str, sent_folder: str, now: datetime) -> int:
        """Read what the user did with our drafts: edited (their version is adopted), flagged
        (approved, or refused with a notice), deleted (rejected). Returns how many were
        approved by flag."""
        approved = 0
        drafted = [i for i in self.store.outbox.items() if i.draft_uid is not None]
        found = versions.match(drafted, await versions.read_drafts(box, folder))
        waiting = [i for i in drafted if i.status in WAITING and i.message_id]
        for item in waiting:
            if item.draft_uid is None or item.message_id is None:
                continue
            mine = found.get(item.id)
            if mine is None:
                if await self._in_folder(box, sent_folder, item.message_id):
                    continue  # the sync pass records it
                if item.kind is StepKind.TASK and await self._note_sent(
                    box, sent_folder, item, now
                ):
                    continue
                self.reject(item.id, now, Discarded.DELETED)
                continue
            adopted = await versions.adopt(self.service, box, folder, item, mine, now)
            if mine.newest.flagged and self._by_flag(item):
                approved += await self._approve_by_flag(box, folder, item, mine, adopted, now)
        return approved

    def _by_flag(self, item: OutboxRow) -> bool:
        return (
            self.service.config.approval.approve_by_flag
            and item.status is ItemStatus.PENDING
            and item.kind is StepKind.EMAIL
        )

    async def remove_closed(self, box: Mailbox, now: datetime) -> None:
        """Take every version of our drafts of closed items (sent, withdrawn, rejected,
        expired) out of Drafts. The matching sees all our drafts, so that a version is given
        to its own item and never removed with another's."""
        closed = self.store.outbox.drafts_to_remove()
        if not closed:
            return
        drafted = [item for item in self.store.outbox.items() if item.draft_uid is not None]
        for folder in sorted({item.draft_folder for item in closed if item.draft_folder}):
            here = [item for item in drafted if item.draft_folder == folder]
            found = versions.match(here, await versions.read_drafts(box, folder))
            for item in (i for i in closed if i.draft_folder == folder):
                uids = {*found[item.id].uids} if item.id in found else set()
                uids |= {item.draft_uid} if item.draft_uid is not None else set()
                await box.remove_own(folder, sorted(uids))
                with self.store.transaction():
                    self.store.outbox.set_draft(item.id, None, None, None, now)
                log.info(
                    "draft_removed item=%d status=%s versions=%d", item.id, item.status, len(uids)
                )

    async def drafts(self, box: Mailbox, folder: str) -> dict[str, InFolder]:
        """Message-ID -> our draft in `folder`, for the messages there that are ours."""
        ours = self.store.outbox.message_ids().keys()
        await box.select(folder)
        uids = await box.uids_after(0)
        found: dict[str, InFolder] = {}
        async for record in box.fetch_headers(uids):
            mid = parse_headers(record.header).message_id
            if mid in ours:
                found[mid] = InFolder(record.uid, "\\Flagged" in record.flags)
        return found

    async def _note_sent(self, box: Mailbox, folder: str, item: OutboxRow, now: datetime) -> bool:
        """A note to self the user sent with a new Message-ID (core/drafts.sent_note): the
        task is done, as when it is sent with ours; a debrief's answer is read from it."""
        raw = self.store.outbox.rendered(item.id)
        written = HeaderView(raw).date if raw is not None else None
        if written is None or item.subject is None:
            return False
        state = await box.select(folder)
        sent = [_in_sent(r) async for r in box.fetch_headers(await box.uids_since(written.date()))]
        note = sent_note(item.subject, written, self.service.config.identity.addresses, sent)
        if note is None:
            return False
        with self.store.transaction():
            self.service.apply(item.contact_id, TaskDone(at=note.date or now, step=item.step), now)
            self.store.outbox.move(item.id, ItemEvent.NOTE_SENT, now)
            if item.step is Step.DEBRIEF:
                where = Answered(
                    folder, state.uidvalidity, note.uid, note.message_id, note.date or now
                )
                self.store.marks.set(ANSWER_MARK + str(item.id), where.encode())
        log.info("note_sent item=%d step=%s uid=%d: sent to yourself with a new Message-ID",
                 item.id, item.step, note.uid)  # fmt: skip
        return True

    async def _in_folder(self, box: Mailbox, folder: str, message_id: str) -> bool:
        """Did the message reach `folder` (the user sent our draft while we looked away)?"""
        return message_id in await self.drafts(box, folder)

    def _raw(self, item_id: int) -> bytes:
        raw = self.store.outbox.rendered(item_id)
        if raw is None:
            raise UserError(f"item {item_id} has no rendered message")
        return raw

    # --- decisions ------------------------------------------------------------------------

    async def _approve_by_flag(self, box: Mailbox, folder: str, item: OutboxRow,
                               mine: Versions, adopted: versions.Adopted, now: datetime) -> int:  # fmt: skip
        """The user flagged their newest version: it goes out as it is, or, when it must not,
        the flag comes off and the user is told why (never a silent WARNING line only)."""
        why = adopted.refused
        if adopted.stored:  # the stored message is the newest version: read it only now
            why = versions.refused(self.service, self.store.outbox.rendered(item.id))
        if why is None:
            try:
                self.approve(item.id, now)
                return 1
            except UserError as exc:
                why = str(exc)
        await box.unflag(folder, mine.newest.uid)
        text = (
            f"Your flagged {item.step} to {', '.join(item.to)} was not sent: {why}. "
            "Edit it, then flag it again (or send it from your mail client)."
        )
        with self.store.transaction():
            self.store.notices.add(NoticeKind.APPROVAL_REFUSED, text, now, contact_id=item.contact_id,
                                   item_id=item.id)  # fmt: skip
        log.warning("approval_refused item=%d: %s (unflagged; the user is told)", item.id, why)
        return 0

    def approve(self, item_id: int, now: datetime) -> OutboxRow:
        """Approve a pending email (or send an uncertain one again, the user's decision): it
        goes out at its due time, in the send window."""
        item = self._open(item_id, "approve", OPEN)
        if item.kind is not StepKind.EMAIL:
            raise UserError(
                f"item {item_id} is a task: mark it done with `followthru done {item_id}`"
            )
        if item.message_id is None:
            raise UserError(f"item {item_id} has no draft yet: the daemon writes it on its next pass "
                            "(or run `followthru run --once`); approve it then")  # fmt: skip
        why = versions.refused(self.service, self.store.outbox.rendered(item_id))
        if why is not None:
            raise UserError(f"item {item_id} cannot be sent as it is: {why}; "
                            f"edit the draft (or `followthru edit {item_id}`) first")  # fmt: skip
        with self.store.transaction():
            self.service.apply(item.contact_id, DraftApproved(at=now, step=item.step), now)
            self._move(item, ItemEvent.APPROVED, now)
        log.info("approved item=%d step=%s", item_id, item.step)
        return item

    def reject(self, item_id: int, now: datetime, why: Discarded = Discarded.REJECTED) -> OutboxRow:
        """Discard an item: never sent; the cadence goes on as if the try was skipped."""
        item = self._open(item_id, "reject", OPEN)
        with self.store.transaction():
            self.service.apply(item.contact_id, DraftRejected(at=now, step=item.step, why=why), now)
            self._move(item, ItemEvent.REJECTED, now)
        log.info("rejected item=%d step=%s why=%s", item_id, item.step, why)
        return item

    def done(self, item_id: int, now: datetime) -> OutboxRow:
        """Close a task (a phone call made, a checklist gone through)."""
        item = self._open(item_id, "mark done")
        if item.kind is not StepKind.TASK:
            raise UserError(f"item {item_id} is an email: approve or reject it")
        with self.store.transaction():
            self.service.apply(item.contact_id, TaskDone(at=now, step=item.step), now)
            self._move(item, ItemEvent.DONE, now)
        return item

    def _move(self, item: OutboxRow, event: ItemEvent, now: datetime) -> None:
        if self.store.outbox.move(item.id, event, now) is None:
            verb = {ItemEvent.APPROVED: "approve", ItemEvent.REJECTED: "reject"}.get(
                event, "mark done"
            )
            raise UserError(f"cannot {verb} item {item.id}: it is {item.status}")

    def edit(self, item_id: int, subject: str, body: str, now: datetime) -> OutboxRow:
        """Replace an open email's text; its draft in the mailbox is replaced on the next pass."""
        item = self._open(item_id, "edit")
        if item.kind is not StepKind.EMAIL:
            raise UserError(f"item {item_id} is a task: there is nothing to send to edit")
        try:
            draft = rewrite(self.service, item, subject, body, now)
        except DraftError as exc:
            raise UserError(f"item {item_id}: the edited message is refused: {exc}") from exc
        with self.store.transaction():
            self.store.outbox.set_rendered(
                item_id, draft.subject, draft.message_id, draft.raw, draft.digest, now
            )
            self.store.outbox.replace_draft(item_id, now)
        return item

    def snooze(self, item_id: int, until: datetime, now: datetime) -> OutboxRow:
        """Move an open item's due time later. An unapproved item still expires at its time
        (SPEC: asked about again, never sent late): a snooze past that is refused, naming it."""
        item = self._open(item_id, "snooze")
        if until <= now:
            raise UserError(f"--until {until.isoformat()} is not in the future")
        pending = self.service.replay(item.contact_id).pending_step(item.step)
        expiry = expires_at(pending, self.service.policy) if pending is not None else None
        if expiry is not None and until >= expiry:
            local = expiry.astimezone(self.service.config.identity.timezone)
            key = (
                "referral_reach_out_within"
                if item.step == Step.REFERRAL_INTRO
                else "draft_expires_after"
            )
            way_out = (
                " unless approved; to send it later, approve it, then snooze it (an approved "
                "email waits for its time and never expires)"
                if item.kind is StepKind.EMAIL
                else "; snooze it to before then"
            )
            raise UserError(
                f"item {item_id} ({item.step}) expires at {local.isoformat(timespec='minutes')} "
                f"(cadence.{key}){way_out}"
            )
        with self.store.transaction():
            self.store.outbox.set_due(item_id, until, now)
        return item

    def _open(
        self, item_id: int, action: str, allowed: frozenset[ItemStatus] = WAITING
    ) -> OutboxRow:
        item = self.store.outbox.item(item_id)
        if item is None:
            raise UserError(f"no queue item {item_id} (see `followthru queue --all`)")
        if item.status not in allowed:
            raise UserError(f"cannot {action} item {item_id}: it is {item.status}")
        return item


def _in_sent(record: HeaderRecord) -> InSent:
    env = HeaderView(record.header)
    return InSent(record.uid, env.message_id, frozenset(a.addr for a in env.from_ if a.addr),
                  frozenset(a.addr for a in env.to if a.addr),
                  frozenset(a.addr for a in env.cc if a.addr), env.subject, env.date)  # fmt: skip
