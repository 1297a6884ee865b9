"""Job-search mail applied: the process a message is about, found among the contacts and the
applications read before, and what core.jobmail decides for it carried out.

Invariants: decides nothing (core.jobmail decides); everything happens in the caller's
transaction (sync's pass), so a crash leaves no half-applied message.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from followthru.adapters.store.jobs import Question
from followthru.core import jobmail
from followthru.core.correlate import Envelope, Match
from followthru.core.effects import NoticeKind
from followthru.core.events import MoveMade
from followthru.core.model import ContactId
from followthru.core.reading.jobs import JobReading
from followthru.service.contacts import Service

log = logging.getLogger(__name__)


class JobMail:
    """One sync pass's job mail, applied through the service."""

    def __init__(self, service: Service, account: str) -> None:
        self.service = service
        self.account = account
        self.store = service.store
        self._index: dict[str, list[ContactId]] = {}  # company key -> its people, in id order
        self._indexed = 0  # the highest contact id in the index
        self._owing: set[ContactId] | None = None  # whose organisation awaits the user

    def start_pass(self) -> None:
        """What a pass reads fresh: who owes a move (the contacts' companies are only ever
        added to, and read as contacts are added)."""
        self._owing = None

    def _people(self, keys: set[str]) -> tuple[ContactId, ...]:
        """The contacts at any of these companies, in id order (jobmail.people_of's answer;
        the index grows with the contacts added since it was last read)."""
        for contact_id, company, domain in self.store.contacts.companies(self._indexed):
            for key in jobmail.company_keys(company, domain):
                self._index.setdefault(key, []).append(contact_id)
            self._indexed = int(contact_id)
        found = {cid for key in keys if key for cid in self._index.get(key, ())}
        return tuple(sorted(found, key=int))

    def _owing_now(self) -> set[ContactId]:
        if self._owing is None:
            self._owing = set(self.store.contacts.owing())
        return self._owing

    def inbound(self, reading: JobReading, env: Envelope, key: str, at: datetime,
                match: Match | None, now: datetime, *, interviews: int,
                where: tuple[str, int, int] | None = None) -> jobmail.JobAction:  # fmt: skip
        """Apply the job reading of someone else's message (found at `where`: folder,
        UIDVALIDITY, UID); returns what was decided. A low reading that asks the user is
        remembered, so that their flag on the message confirms it (`confirm`)."""
        company = reading.company or self.store.jobs.company_of((*env.in_reply_to, *env.references))
        keys = {jobmail.company_key(company or "")}
        writer_id = match.contact_id if match is not None and not match.needs_review else None
        known = writer_id is not None
        if writer_id is not None:
            writer = self.service.snapshot(ContactId(writer_id))
            if writer is not None:  # a known recruiter: their colleagues are the process
                keys |= {
                    jobmail.company_key(writer.company),
                    jobmail.domain_key(writer.company_domain),
                }
        people = self._people(keys)
        if company and not reading.company:
            reading = replace(reading, company=company)
        action = jobmail.act(
            reading, key, at, people,
            paused_check_in_after=self.service.config.jobs.paused_check_in_after,
            interviews=interviews, from_contact=known,
        )  # fmt: skip
        self._carry_out(action, key, at, now)
        if action.notice is not None and action.notice.kind is NoticeKind.JOB_UNCONFIRMED and where:
            self.store.questions.ask(self.account, where, key, reading, at, now)
        log.info("job_mail key=%s event=%s confidence=%s company=%r people=%d reason=%r", key,
                 reading.event, reading.confidence, company, len(people), action.reason)  # fmt: skip
        return action

    def confirm(self, question: Question, now: datetime) -> None:
        """The user flagged the message of a low reading: it acts as a high one."""
        reading = jobmail.confirmed(question.reading)
        people = self._people({jobmail.company_key(reading.company or "")})
        action = jobmail.act(reading, question.key, question.at, people,
                             paused_check_in_after=self.service.config.jobs.paused_check_in_after)  # fmt: skip
        self._carry_out(action, question.key, question.at, now)
        self.store.questions.settle(question.key)
        log.info("job_mail_confirmed key=%s event=%s people=%d", question.key, reading.event,
                 len(people))  # fmt: skip

    def outbound(self, env: Envelope, key: str, at: datetime, now: datetime) -> int:
        """The user's own message: when it answers a process's mail (its thread) or writes to
        its company, the user's move there is made. Returns how many contacts it freed."""
        keys = {
            jobmail.company_key(
                self.store.jobs.company_of((*env.in_reply_to, *env.references)) or ""
            )
        }
        own = self.service.config.identity.addresses
        free = set(self.service.config.detection.free_mail_domains)
        keys |= {
            jobmail.domain_key(a.domain)
            for a in (*env.to, *env.cc)
            if a.addr and a.addr not in own and a.domain not in free
        }
        owing = self._owing_now()
        if not owing:
            return 0
        freed = [
            contact_id
            for contact_id in self._people(keys)
            if contact_id in owing
            and (now_known := self.service.snapshot(contact_id)) is not None
            and now_known.owes_move
        ]  # (the set read at the pass's start may be older than this message's events)
        for contact_id in freed:
            self.service.apply(contact_id, MoveMade(at=at, message_id=f"{key}#move-made"), now)
            owing.discard(contact_id)
        return len(freed)

    def _carry_out(self, action: jobmail.JobAction, key: str, at: datetime, now: datetime) -> None:
        for contact_id, event in action.deliveries:
            self.service.tick_contact(contact_id, at)
            decision = self.service.apply(contact_id, event, now)
            if self._owing is not None and decision.contact.owes_move:
                self._owing.add(contact_id)
        if action.news is not None:
            self.store.jobs.note(action.news, key, at)
        if action.notice is not None:
            first = action.deliveries[0][0] if action.deliveries else None
            self.store.notices.add(action.notice.kind, action.notice.text, now, contact_id=first)
