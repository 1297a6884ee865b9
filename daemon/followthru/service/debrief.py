"""The user's debrief, read from Sent: new interviewers, notes in the letters, a reply-by date.

When the user sends the debrief note to themselves, the sync pass marks it done and records
where it is (service/answers.py); here its body is read (core/debrief.py parses it) and:
- every person named with an address who is not yet a contact gets an interviewer record for
  the same interview (company, role, time) and so a thank-you draft;
- every interviewer of that interview (the panel: the same time at the same company) gets a
  `DebriefAnswered` event: the notes join the interview's, a stated date becomes its
  reply-by date (the check-in moves with it);
- a thank-you draft not yet sent that the user has not edited is rendered again, so that it
  carries the user's own words; one the user edited is left alone;
- what could not be read (a name without an address, a date) is a notice, never a guess.

Invariants: each answer is read once (READ_MARK), all its changes in one transaction; every
change of a contact is an event in its log (replay gives the same result).
"""

from __future__ import annotations

import logging
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

from followthru.adapters.compose import DraftError
from followthru.adapters.mime import parse_message
from followthru.adapters.store.outbox import OutboxRow
from followthru.adapters.templates import Renderer
from followthru.core import debrief
from followthru.core.effects import NoticeKind
from followthru.core.events import DebriefAnswered
from followthru.core.items import WAITING, ItemStatus
from followthru.core.model import ContactId, Interview, Step
from followthru.errors import MessageRejected
from followthru.service.answers import ANSWER_MARK, READ_MARK, Answered
from followthru.service.contacts import NewInterview, Service
from followthru.service.letters import build_draft
from followthru.service.ports import Mailbox

log = logging.getLogger(__name__)
MAX_ANSWER = 512 * 1024  # bytes of an answer read: a form, not an attachment


class Debriefs:
    """Reads the debrief answers the sync pass found, once each."""

    def __init__(self, service: Service, renderer: Renderer) -> None:
        self.service = service
        self.store = service.store
        self.renderer = renderer

    async def read(self, box: Mailbox, now: datetime) -> int:
        """Every debrief answered and not yet read; returns how many were read."""
        count = 0
        for item in self.store.outbox.items(statuses=(ItemStatus.DONE,)):
            mark = self.store.marks.get(ANSWER_MARK + str(item.id))
            if item.step is not Step.DEBRIEF or mark is None:
                continue
            if self.store.marks.get(READ_MARK + str(item.id)) is None:
                await self._read_one(box, item, Answered.decode(mark), now)
                count += 1
        return count

    async def _read_one(
        self, box: Mailbox, item: OutboxRow, where: Answered, now: datetime
    ) -> None:
        text = await self._text(box, where)
        stale: list[OutboxRow] = []
        with self.store.transaction():
            if text is None:
                self._tell(item, "your debrief was sent, but it is no longer where it was found "
                           "in Sent: nothing was read from it", now)  # fmt: skip
            else:
                local = where.at.astimezone(self.service.config.identity.timezone).date()
                stale = self.apply(item, debrief.read_answer(text, local), where, now)
            self.store.marks.set(READ_MARK + str(item.id), now.isoformat())
        for old in stale:  # after the commit: the drafts rendered again replace these now
            if old.draft_folder is not None and old.draft_uid is not None:
                await box.remove_own(old.draft_folder, [old.draft_uid])
                with self.store.transaction():
                    self.store.outbox.clear_stale(old.id)

    async def _text(self, box: Mailbox, where: Answered) -> str | None:
        state = await box.select(where.folder)
        if state.uidvalidity != where.uidvalidity:
            return None
        raw = (await box.fetch_messages([where.uid], MAX_ANSWER)).get(where.uid)
        if raw is None:
            return None
        try:
            return parse_message(raw).text
        except MessageRejected as exc:
            log.warning("debrief_unreadable uid=%d: %s", where.uid, exc)
            return None

    def apply(
        self, item: OutboxRow, answer: debrief.Answer, where: Answered, now: datetime
    ) -> list[OutboxRow]:
        """Carry out one answer (inside the caller's transaction); returns the items whose
        draft was rendered again (their old draft is to be removed from Drafts)."""
        interview = self.service.replay(item.contact_id).interview
        if interview is None:
            return []
        members = self._panel(interview)  # a contact named who is not on it is left alone
        own = self.service.config.identity.addresses
        for met in answer.people:
            if met.email not in own and self.store.contacts.find(met.email) is None:
                self._new_interviewer(met, interview, answer, now)
        fresh = [t for m in members if (t := self._unedited_thanks(m, now)) is not None]
        event = DebriefAnswered(at=where.at, notes=answer.notes(), reply_by=answer.reply_by,
                                message_id=f"{where.key}#debrief")  # fmt: skip
        for member in members:
            self.service.apply(member, event, now)
        again = [thanks for thanks in fresh if self._render_again(thanks, now)]
        if answer.problems:
            self._tell(item, "Some of your debrief could not be read: " + "; ".join(answer.problems)
                       + ". Add it with `followthru add interview` if needed.", now)  # fmt: skip
        log.info("debrief_read item=%d people=%d notes=%d reply_by=%s problems=%d", item.id,
                 len(answer.people), len(answer.notes()), answer.reply_by, len(answer.problems))  # fmt: skip
        return again

    def _panel(self, interview: Interview) -> list[ContactId]:
        key = debrief.panel_key(interview)
        return [c.id for c in self.service.contacts()
                if c.interview is not None and debrief.panel_key(c.interview) == key]  # fmt: skip

    def _new_interviewer(self, met: debrief.Met, interview: Interview, answer: debrief.Answer,
                         now: datetime) -> None:  # fmt: skip
        reply_by = answer.reply_by or interview.reply_by
        self.service.register_interview(NewInterview(
            met.email, interview.start, interview.end - interview.start, name=met.name,
            company=interview.company, role=interview.role,
            reply_by=datetime.combine(reply_by, datetime.min.time()) if reply_by else None,
            notes="\n".join(answer.notes()),
        ), now)  # fmt: skip

    def _unedited_thanks(self, contact_id: ContactId, now: datetime) -> OutboxRow | None:
        """The contact's thank-you draft when it is still as followthru wrote it."""
        for item in self.store.outbox.items(contact_id=contact_id, statuses=WAITING):
            stored = self.store.outbox.rendered(item.id) if item.step is Step.THANK_YOU else None
            if stored is None or item.message_id is None:
                continue
            try:
                again = build_draft(self.service, self.renderer, item, now, item.message_id)
            except DraftError:
                return None
            return item if _body(again.raw) == _body(stored) else None
        return None

    def _render_again(self, item: OutboxRow, now: datetime) -> bool:
        try:
            draft = build_draft(self.service, self.renderer, item, now, item.message_id)
        except DraftError as exc:
            log.error("draft_failed item=%d step=%s: %s", item.id, item.step, exc)
            return False
        self.store.outbox.set_rendered(item.id, draft.subject, draft.message_id, draft.raw,
                                       draft.digest, now)  # fmt: skip
        if item.draft_uid is not None:
            self.store.outbox.replace_draft(item.id, now)
        log.info("draft_rendered_again item=%d step=%s: the debrief's notes", item.id, item.step)
        return True

    def _tell(self, item: OutboxRow, text: str, now: datetime) -> None:
        self.store.notices.add(NoticeKind.DEBRIEF_UNREADABLE, text, now,
                               contact_id=item.contact_id, item_id=item.id)  # fmt: skip


def _body(raw: bytes) -> str:
    """The text of a message, as a reader sees it (headers and line endings aside)."""
    msg = message_from_bytes(raw, policy=policy.default)
    part = msg.get_body(("plain",)) if isinstance(msg, EmailMessage) else None
    content = part.get_content() if isinstance(part, EmailMessage) else ""
    return " ".join(str(content).split())
