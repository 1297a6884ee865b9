"""One sync pass over an account's mailbox: new mail in, events out, watermarks forward.

Invariants:
- Read-only on the user's mail: folders are EXAMINEd, everything is fetched with BODY.PEEK.
- Headers of every new message are parsed cheaply (HeaderView decodes only the fields a
  decision reads); only messages that concern a contact (or look like a bounce or report)
  have their body fetched, parsed and classified. The store is asked once per FETCH batch
  which messages were seen; bodies are fetched several per FETCH, BODY_BUDGET bytes at most.
- A pass is applied in ONE transaction: every event it produced, every message marked seen,
  every watermark moved. A crash before the commit leaves the watermarks where they were, and
  the next pass does it all again, exactly once (events are keyed by message).
- A message already seen under another folder or UID (a UIDVALIDITY change, Exchange's
  re-issued UIDs, a copy in two folders) is recognised by its key and produces nothing new.
- The first pass of a folder (or a pass after its UIDVALIDITY changed) reads back
  `watch.backfill_days`; the events carry the messages' own dates, so history informs the
  state and only what is due now is queued.
- Messages are applied in date order across folders (a reply never before the letter it
  answers).
- Only the Sent folder (and our own sends) says what the user sent: mail "from" the user's
  address in the INBOX is ignored, never taken as their outreach.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from followthru.adapters.headerparse import HeaderView
from followthru.adapters.imapdata import HeaderRecord
from followthru.adapters.mime import parse_message
from followthru.adapters.rulesfile import load_job_rules
from followthru.adapters.store.mail import Watermark
from followthru.config import Account
from followthru.core import intake, jobmail
from followthru.core.correlate import Index, KnownContact, Match, SentRef, correlate
from followthru.core.effects import NoticeKind
from followthru.core.items import found_in_sent
from followthru.core.model import Step
from followthru.core.reading.classify import Classification, Kind, classify
from followthru.core.reading.jobrules import JobRules
from followthru.core.reading.triage import (
    looks_like_report,
    may_be_invitation,
    may_be_job,
    message_key,
)
from followthru.errors import MessageRejected, UserError
from followthru.service.answers import ANSWER_MARK, Answered
from followthru.service.contacts import Service
from followthru.service.invitations import from_invitation
from followthru.service.jobs import JobMail
from followthru.service.ports import Mailbox

log = logging.getLogger(__name__)
MAX_BODY = 512 * 1024  # bytes of a message read for classification; the rest is not needed
BODY_BUDGET = 4 * MAX_BODY  # bytes of bodies asked for in one FETCH (bounds what is held)


@dataclass(frozen=True, slots=True)
class Arrival:
    """One message of this pass, with what is needed to apply it: its raw header block (read
    again when applied), not the parsed headers, which take several times the room; a first
    sync keeps thousands until `_apply`, most of them the user's own mail."""

    folder: str
    uid: int
    key: str
    at: datetime
    header: bytes
    cls: Classification | None = None  # None: outbound, or nothing to classify
    match: Match | None = None


@dataclass
class FolderPass:
    folder: str
    uidvalidity: int
    last_uid: int
    highestmodseq: int | None
    uids: array[int] = field(default_factory=lambda: array("I"))  # every message's UID ...
    keys: list[str] = field(default_factory=list)  # ... and key, in the same order
    relevant: list[Arrival] = field(default_factory=list)  # those that may mean something
    backfill: bool = False


@dataclass(frozen=True, slots=True)
class PassReport:
    account: str
    scanned: int
    relevant: int
    events: int


class Sync:
    """Sync passes for one account over one connected mailbox."""

    def __init__(
        self, service: Service, account: Account, mailbox: Mailbox, inbox: str, sent: str
    ) -> None:
        self.service = service
        self.store = service.store
        self.account = account
        self.mailbox = mailbox
        self.folders = (inbox, sent)
        self.sent = sent
        self.own = service.config.identity.addresses
        self._index = Index(())
        self._validity: dict[str, int] = {}
        self._folder = ""
        self.read = 0  # messages whose headers this Sync has read: progress for systemd
        self._rules: JobRules | None = None  # read when a message first needs them
        self.jobs = JobMail(service, account.name)

    @property
    def rules(self) -> JobRules:
        """The job rules (shipped, and the user's `jobs.rules`): compiled once, when a pass
        first reads a message (a pass with nothing new never pays for them)."""
        if self._rules is None:
            self._rules = load_job_rules(self.service.config.jobs.rules)
        return self._rules

    async def run(self, now: datetime) -> PassReport:
        """Read every folder's new mail and apply it; returns what was done."""
        self._index = self.index()
        self.jobs.start_pass()
        passes = [await self._read_folder(folder, now) for folder in self.folders]
        scanned = sum(len(p.keys) for p in passes)
        relevant = sorted(
            (m for p in passes for m in p.relevant), key=lambda m: (m.at, m.folder, m.uid)
        )
        events = self._apply(passes, relevant, now)
        events += await self._answers(now)
        return PassReport(self.account.name, scanned, len(relevant), events)

    async def _answers(self, now: datetime) -> int:
        """Low readings the user confirmed by flagging (starring) their message in the INBOX;
        questions left unanswered too long, or whose message is no longer where it was
        (the folder's UIDVALIDITY changed), are dropped."""
        asked = self.store.questions.asked(self.account.name)
        if not asked:
            return 0
        inbox = self.folders[0]
        state = await self.mailbox.select(inbox)
        here = {q.uid: q for q in asked if (q.folder, q.uidvalidity) == (inbox, state.uidvalidity)}
        flags = await self.mailbox.flags(sorted(here)) if here else {}
        confirmed = 0
        with self.store.transaction():
            for question in asked:
                current = here.get(question.uid) is question
                if current and "\\Flagged" in flags.get(question.uid, ()):
                    self.jobs.confirm(question, now)
                    confirmed += 1
                elif not current or jobmail.confirmation_lapsed(question.asked_at, now):
                    self.store.questions.settle(question.key)
                    log.info("job_question_dropped key=%s", question.key)
        return confirmed

    # --- reading ------------------------------------------------------------------------

    async def _read_folder(self, folder: str, now: datetime) -> FolderPass:
        self._folder = folder
        state = await self.mailbox.select(folder)
        mark = self.store.mail.watermark(self.account.name, folder)
        fresh = mark is None or mark.uidvalidity != state.uidvalidity
        if fresh:
            if mark is not None:
                log.warning("uidvalidity_changed account=%s folder=%s old=%d new=%d: rescanning",
                            self.account.name, folder, mark.uidvalidity, state.uidvalidity)  # fmt: skip
            since = (now - timedelta(days=self.service.config.watch.backfill_days)).date()
            uids = await self.mailbox.uids_since(since)
        else:
            assert mark is not None  # noqa: S101
            uids = await self.mailbox.uids_after(mark.last_uid)
        # After a (re)scan everything below UIDNEXT was read or is older than the backfill: the
        # watermark goes there, or mail older than the backfill would be read as new next time.
        floor = (state.uidnext or 1) - 1 if fresh or mark is None else mark.last_uid
        last = max([*uids, floor])
        result = FolderPass(folder, state.uidvalidity, last, state.highestmodseq, backfill=fresh)
        self._validity[folder] = state.uidvalidity
        async for batch in self.mailbox.fetch_header_batches(uids):
            await self._read_batch(batch, result, now)
        return result

    async def _read_batch(self, batch: list[HeaderRecord], into: FolderPass, now: datetime) -> None:
        """One FETCH's messages: every key noted, the store asked once which were seen; those
        that may mean something are kept, their bodies classified unless they are the user's."""
        views = [HeaderView(record.header) for record in batch]
        keys = [message_key(view) for view in views]
        seen = self.store.mail.seen_keys(self.account.name, keys)
        self.read += len(batch)
        into.uids.extend(record.uid for record in batch)
        into.keys.extend(keys)
        waiting: list[tuple[Arrival, int]] = []
        for view, record, key in zip(views, batch, keys, strict=True):
            found = None if key in seen else self._triage(into.folder, record, view, key, now)
            if found is not None and found.match is not None and found.match.outbound:
                into.relevant.append(found)
            elif found is not None:
                waiting.append((found, min(record.size or MAX_BODY, MAX_BODY)))
        into.relevant += await self._classified(waiting)

    def _triage(self, folder: str, record: HeaderRecord, env: HeaderView, key: str,
                now: datetime) -> Arrival | None:  # fmt: skip
        """The message if it may mean something, from its headers (no class yet)."""
        match = correlate(env, self._index)
        if match is not None and match.outbound and folder != self.sent:
            return None  # the user's From outside Sent is trivially forged: only Sent says what they sent
        keywords = self.service.config.detection.interview_keywords
        if match is None and not (
            looks_like_report(env)
            or may_be_invitation(env, keywords)
            or may_be_job(env, self.rules.vendor_domains, self.rules.context)
        ):
            return None
        at = min(env.date or record.internaldate or now, now)
        return Arrival(folder, record.uid, key, at, record.header, None, match)

    async def _classified(self, waiting: list[tuple[Arrival, int]]) -> list[Arrival]:
        """Each message with its body classified; the bodies are fetched several at a time,
        about BODY_BUDGET bytes per FETCH (a round trip per message cost more than the rest)."""
        done: list[Arrival] = []
        for chunk in _budgeted(waiting, BODY_BUDGET):
            bodies = await self.mailbox.fetch_messages([m.uid for m in chunk], MAX_BODY)
            done += [replace(m, cls=self._classify(m.uid, m.at, bodies.get(m.uid))) for m in chunk]
        return done

    def _classify(self, uid: int, at: datetime, raw: bytes | None) -> Classification | None:
        if raw is None:
            return None
        try:
            return classify(parse_message(raw), reference_time=at, job_rules=self.rules)
        except MessageRejected as exc:  # one unreadable message never stops the watcher
            log.warning("quarantined account=%s uid=%d: %s", self.account.name, uid, exc)
            with self.store.transaction():
                self.store.mail.quarantine(
                    self.account.name,
                    self._folder,
                    self._validity[self._folder],
                    uid,
                    None,
                    str(exc),
                )
            return None

    # --- applying -----------------------------------------------------------------------

    def _apply(self, passes: list[FolderPass], relevant: list[Arrival], now: datetime) -> int:
        count = 0
        with self.store.transaction():
            for message in relevant:
                count += self._apply_one(message, now)
                self.store.mail.mark_seen(self.account.name, message.folder, self._validity[message.folder],
                                     message.uid, message.key)  # fmt: skip
            for folder in passes:
                self._mark_folder(folder)
        return count

    def _apply_one(self, message: Arrival, now: datetime) -> int:
        if self.store.mail.seen_key(self.account.name, message.key):
            return 0  # the same message, read in another folder of this pass
        outbound = message.match is not None and message.match.outbound
        if not outbound and message.cls is None:
            return 0
        env = HeaderView(message.header)
        cls = message.cls
        if not outbound and cls is not None and cls.kind is Kind.INVITATION:
            confirmed = cls.job is not None and jobmail.confirms_interview(cls.job)
            count = self._invitation(message, cls, now, any_wording=confirmed)
            self._job(message, env, now, interviews=count)
            return count
        strangers = self.service.config.detection.max_strangers
        found = intake.revealed(env, message.match, message.cls, self._index, strangers)
        self._add_referrals(found, now)
        if outbound:
            result = intake.outbound(env, message.key, message.at, self._index, self._ours(env))
        else:
            assert message.cls is not None  # noqa: S101  (checked above)
            result = intake.inbound(
                message.cls, message.match, message.key, message.at, self._index
            )
        for delivery in result.deliveries:
            self.service.tick_contact(delivery.contact, message.at)
            self.service.apply(delivery.contact, delivery.event, now)
        if outbound:
            self.jobs.outbound(env, message.key, message.at, now)
        else:
            self._job(message, env, now, interviews=0)
        ours = self.store.outbox.by_message_id(env.message_id) if outbound else None
        if ours is not None:  # our draft went out from the user's own client
            self.store.outbox.move(ours.id, found_in_sent(ours.kind), now)
            if ours.step is Step.DEBRIEF:  # its answers are read after the pass (their body)
                where = Answered(message.folder, self._validity[message.folder], message.uid,
                                 message.key, message.at)  # fmt: skip
                self.store.marks.set(ANSWER_MARK + str(ours.id), where.encode())
        log.info("message account=%s folder=%s uid=%d key=%s events=%d reason=%r", self.account.name,
                 message.folder, message.uid, message.key, len(result.deliveries), result.reason)  # fmt: skip
        return len(result.deliveries)

    def _job(self, message: Arrival, env: HeaderView, now: datetime, *, interviews: int) -> None:
        """The message's job reading applied, if it has one (`interviews`: how many its
        invitation created)."""
        cls = message.cls
        if cls is not None and cls.job is not None:
            where = (message.folder, self._validity[message.folder], message.uid)
            self.jobs.inbound(cls.job, env, message.key, message.at, message.match, now,
                              interviews=interviews, where=where)  # fmt: skip

    def _invitation(
        self, message: Arrival, cls: Classification, now: datetime, *, any_wording: bool = False
    ) -> int:
        """An invitation's interviews (`any_wording`: job mail confirmed it is one, whatever
        its summary says)."""
        config = self.service.config
        detection = config.detection
        keywords = ("",) if any_wording else detection.interview_keywords
        found = intake.invitations(cls, keywords, self.own, config.identity.timezone,
                                   detection.max_attendees, skip_machines=True)  # fmt: skip
        for summary in intake.crowded(cls, detection.interview_keywords, detection.max_attendees):
            text = (f"The invitation '{summary}' invites more than {detection.max_attendees} "
                    "people: no interviews were created from it (add them with `followthru add "
                    "interview` if it is one).")  # fmt: skip
            self.store.notices.add(NoticeKind.CROWDED_INVITATION, text, now)
        count = 0
        senders = HeaderView(message.header).from_
        sender = senders[0].addr if senders else ""
        from_user = message.folder == self.sent and sender in self.own
        for seen in found:
            decision = from_invitation(self.service, seen, message.key, message.at, now,
                                       sender=sender, from_user=from_user)  # fmt: skip
            count += decision is not None and not decision.ignored
        if found:
            self._index = self.index()
        log.info(
            "invitation account=%s uid=%d interviews=%d", self.account.name, message.uid, len(found)
        )
        return count

    def _mark_folder(self, folder: FolderPass) -> None:
        every = zip(folder.uids, folder.keys, strict=True)
        self.store.mail.mark_seen_many(self.account.name, folder.folder, folder.uidvalidity, every)
        mark = Watermark(
            self.account.name,
            folder.folder,
            folder.uidvalidity,
            folder.last_uid,
            folder.highestmodseq,
        )
        self.store.mail.set_watermark(mark)

    def _add_referrals(self, found: tuple[intake.NewReferral, ...], now: datetime) -> None:
        """Register the referrals a message reveals, so that its events reach them too."""
        for referral in found:
            source = self.store.contacts.email_of(referral.source)
            try:
                contact_id = self.service.register_referral(
                    referral.email, source, now, name=referral.name
                )
            except UserError as exc:
                log.info("referral_not_added email=%s reason=%r", referral.email, str(exc))
                continue
            text = (
                f"{referral.email} was introduced by {source}: a referral, its intro is in Drafts."
            )
            self.store.notices.add(NoticeKind.REFERRAL_DETECTED, text, now, contact_id=contact_id)
            log.info("referral_detected contact=%s source=%s", contact_id, source)
        if found:
            self._index = self.index()

    # --- what is known ------------------------------------------------------------------

    def index(self) -> Index:
        """Contacts, their addresses, and the Message-IDs of everything sent to them."""
        contacts = tuple(
            KnownContact(row.id, row.addresses, row.company_domain, row.source_id)
            for row in self.store.contacts.known()
        )
        sent = {mid: SentRef(cid) for mid, cid in self.store.events.outbound_message_ids().items()}
        for mid, (cid, item) in self.store.outbox.message_ids().items():
            sent[mid] = SentRef(cid, str(item))
        mode = self.service.config.detection.same_company_replies
        return Index(contacts, sent, self.own, domain_mode=mode, forward_mode="flag")

    def _ours(self, env: HeaderView) -> intake.Ours | None:
        item = self.store.outbox.by_message_id(env.message_id)
        return intake.Ours(item.contact_id, item.step) if item is not None else None


def _budgeted(waiting: list[tuple[Arrival, int]], budget: int) -> Iterator[list[Arrival]]:
    """`waiting` (message, bytes to fetch) in order, in runs of about `budget` bytes."""
    chunk: list[Arrival] = []
    total = 0
    for message, size in waiting:
        if chunk and total + size > budget:
            yield chunk
            chunk, total = [], 0
        chunk.append(message)
        total += size
    if chunk:
        yield chunk
