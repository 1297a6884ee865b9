"""Orchestration, one step at a time: load a contact, ask the core, store what it decided.

Invariants:
- Every event goes through `apply`: the core decides, and the event row, the contact's cached
  state and timer, and the outbox changes are written in ONE transaction.
- The event log is the truth: `contact()` replays it; replaying gives what was decided live.
  `contacts()` reads the snapshots kept beside it (the same value, without the replay), and
  replays only a contact that has none (a store from before snapshots).
- Ignored events are logged only when they carry a message (so `show` lists every message
  seen); an ignored timer leaves no trace.
- One canonical log line per transition and per queued, withdrawn or moved item.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from followthru.adapters.store.outbox import NewItem
from followthru.config import Config
from followthru.core import debrief
from followthru.core import effects as fx
from followthru.core.correlate import company_domain
from followthru.core.effects import Decision, NoticeKind
from followthru.core.events import (
    ContactAdded,
    Event,
    InterviewRegistered,
    OutcomeRecorded,
    ReferralRegistered,
    ReferralSuggested,
    TimerFired,
)
from followthru.core.items import WAITING, ItemEvent, ItemStatus, first_status
from followthru.core.machine import decide, new_contact, replay
from followthru.core.model import (
    Contact,
    ContactId,
    Interview,
    Outcome,
    Policy,
    Step,
    StepKind,
    TryKind,
)
from followthru.core.plan import PlannedStep, PlanStuck, steps
from followthru.core.schedule import next_wakeup
from followthru.errors import FollowthruError, UserError
from followthru.service.ports import Records

log = logging.getLogger(__name__)
DEBRIEF_MARK = "debrief:"  # + the interview's panel key -> the debrief item's id
MAX_TIMER_ROUNDS = 100  # per contact and pass: a safety net against a timer that keeps firing


def policy_of(config: Config) -> Policy:
    """The core's view of the configured cadence."""
    cadence, window = config.cadence, config.cadence.send_window
    return Policy(
        timezone=config.identity.timezone,
        thank_you_after=cadence.thank_you_after,
        check_in_after=cadence.check_in_after,
        min_gap=cadence.min_gap,
        tries=tuple(TryKind(t) for t in cadence.tries),
        give_up_after=cadence.give_up_after,
        nurture_every=cadence.nurture_every,
        referral_reach_out_within=cadence.referral_reach_out_within,
        referral_check_ins=cadence.referral_check_ins,
        send_days=window.days,
        send_start=window.start,
        send_end=window.end,
        draft_expires_after=cadence.draft_expires_after,
        auto_send=frozenset(Step(s) for s in config.approval.auto_send),
    )


@dataclass(frozen=True, slots=True)
class NewInterview:
    email: str
    start: datetime
    duration: timedelta
    name: str = ""
    company: str = ""
    role: str = ""
    reply_by: datetime | None = None
    notes: str = ""


class Service:
    """The daemon's and the commands' one way to change a contact's state."""

    def __init__(self, store: Records, config: Config) -> None:
        self.store = store
        self.config = config
        self.policy = policy_of(config)

    # --- reading ------------------------------------------------------------------------

    def replay(self, contact_id: ContactId) -> Contact:
        """The contact as its event log folds: the truth, read for every change."""
        return replay(self.store.events.of(contact_id), self.policy)

    def snapshot(self, contact_id: ContactId) -> Contact | None:
        """The contact from its cached fold (its log replayed when there is none); None when
        there is no such contact."""
        if not contact_id.isdigit():
            return None
        found = self.store.contacts.snapshots(contact_id=contact_id)
        if not found:
            return None
        return found[0][1] or self.replay(found[0][0])

    def contacts(self, *, waking: bool = False) -> list[Contact]:
        """Every contact (`waking`: those that may wake on their own), from the snapshots."""
        return [
            contact if contact is not None else self.replay(contact_id)
            for contact_id, contact in self.store.contacts.snapshots(waking=waking)
        ]

    def plan(self, now: datetime, days: int) -> list[PlannedStep]:
        """The dry run; contacts that cannot wake are read only when a send reaches them."""
        return list(self.steps(now, days))

    def steps(self, now: datetime, days: int) -> Iterator[PlannedStep]:
        """`plan` one entry at a time (stop early when the first few are enough)."""
        waking = self.contacts(waking=True)
        try:
            yield from steps(waking, self.policy, now, now + timedelta(days=days), self.snapshot)
        except PlanStuck as exc:  # a bug in the rules: say so in one line, not a traceback
            raise FollowthruError(f"the plan cannot go on ({exc}); please report this") from exc

    # --- changing -----------------------------------------------------------------------

    def apply(self, contact_id: ContactId, event: Event, now: datetime) -> Decision:
        """Decide on one event and store the outcome, all in one transaction."""
        with self.store.transaction():
            before = self.replay(contact_id)
            decision = decide(before, event, now, self.policy)
            if decision.ignored and event.message_id is None:
                return decision
            self.store.events.record(contact_id, event, decision.reason)
            if decision.ignored:
                self.store.contacts.save_snapshot(contact_id, decision.contact)
            else:
                self._carry_out(contact_id, decision, now)
                if (ended := debrief.ended(before, decision.contact)) is not None:
                    self._ask_debrief(contact_id, ended, now)
        _log_transition(contact_id, event, before, decision)
        return decision

    def register_interview(self, new: NewInterview, now: datetime) -> ContactId:
        """A new interview, all or nothing (one transaction)."""
        with self.store.transaction():
            return self._register_interview(new, now)

    def _register_interview(self, new: NewInterview, now: datetime) -> ContactId:
        contact_id = self.find_or_add(new.email, now, name=new.name, company=new.company)
        if self.replay(contact_id).interview is not None:
            raise UserError(
                f"{new.email} already has an interview registered (one per interviewer)"
            )
        reply_by = new.reply_by.date() if new.reply_by else None
        interview = Interview(
            new.start, new.start + new.duration, new.role, new.company, reply_by, new.notes
        )
        self.apply(contact_id, InterviewRegistered(at=now, interview=interview), now)
        return contact_id

    def register_referral(self, email: str, source_email: str, now: datetime, *, name: str = "",
                          notes: tuple[str, ...] = (), source_name: str = "") -> ContactId:  # fmt: skip
        """A new referral and its source, all or nothing (one transaction)."""
        with self.store.transaction():
            return self._register_referral(email, source_email, now, name, notes, source_name)

    def _register_referral(self, email: str, source_email: str, now: datetime, name: str,
                           notes: tuple[str, ...], source_name: str) -> ContactId:  # fmt: skip
        if email.lower() == source_email.lower():
            raise UserError(f"{email} cannot be their own source")
        source_id = self.find_or_add(source_email, now, name=source_name)
        referral_id = self.find_or_add(email, now, name=name)
        if self.replay(referral_id).source is not None:
            raise UserError(f"{email} is already registered as a referral")
        self.store.contacts.set_source(referral_id, source_id)
        if notes:
            self.store.contacts.add_notes(referral_id, list(notes))
        self.apply(referral_id, ReferralRegistered(at=now, source=source_id), now)
        self.apply(source_id, ReferralSuggested(at=now, referral=referral_id), now)
        return referral_id

    def refresh_store(self, now: datetime) -> None:
        """What the daemon does to the store when it starts or reloads: write the snapshots
        that are missing (a store from before them) and `retime`."""
        stale = self.store.contacts.stale_snapshots()
        with self.store.transaction():
            for contact_id in stale:
                self.store.contacts.save_snapshot(contact_id, self.replay(contact_id))
        if stale:
            log.info("snapshots_written contacts=%d", len(stale))
        self.retime(now)

    def retime(self, now: datetime) -> int:
        """Set every stored timer to what the configured cadence says now (after the config
        changed: a shorter `check_in_after` moves timers earlier, a longer one later).
        Returns how many moved; with an unchanged cadence none do."""
        stored = self.store.contacts.timers()
        moved = 0
        with self.store.transaction():
            for contact in self.contacts(waking=True):
                wake, was = next_wakeup(contact, self.policy), stored.get(contact.id)
                if wake == was or (wake is not None and was is not None and max(wake, was) <= now):
                    continue  # the same, or due either way
                self.store.contacts.set_timer(contact.id, wake)
                moved += 1
                log.info("retimed contact=%s from=%s to=%s", contact.id,
                         was.isoformat() if was else None, wake.isoformat() if wake else None)  # fmt: skip
        return moved

    def record_outcome(self, contact_id: ContactId, outcome: Outcome, now: datetime) -> Decision:
        return self.apply(contact_id, OutcomeRecorded(at=now, outcome=outcome), now)

    def tick(self, now: datetime) -> list[Decision]:
        """Fire every timer that is due at `now` (one transaction per contact and firing)."""
        decisions: list[Decision] = []
        for contact_id in self.store.contacts.due_timers(now):
            decisions += self.tick_contact(contact_id, now)
        self._lapse_debriefs(now)
        return decisions

    def _lapse_debriefs(self, now: datetime) -> None:
        """Debriefs nobody answered in time are taken back (their draft leaves Drafts)."""
        waiting = self.store.outbox.items(statuses=WAITING, step=Step.DEBRIEF, limit=100)
        for item in waiting:
            if not debrief.lapsed(item.due_at, self.policy, now):
                break
            when = item.due_at.astimezone(self.policy.timezone)
            with self.store.transaction():
                self.store.outbox.move(item.id, ItemEvent.EXPIRED, now)
                self.store.notices.add(NoticeKind.EXPIRED, f"The debrief of your interview on "
                                       f"{when:%a %d %b} was not sent back; it left Drafts.", now,
                                       contact_id=item.contact_id, item_id=item.id)  # fmt: skip
            log.info("expired item=%d step=debrief", item.id)

    def tick_contact(self, contact_id: ContactId, now: datetime) -> list[Decision]:
        """Fire one contact's timer while it is due at `now` (before a message of that time:
        an interview that ended at 15:00 has ended for a reply written at 15:10)."""
        decisions: list[Decision] = []
        for _ in range(MAX_TIMER_ROUNDS):
            if not self.store.contacts.timer_due(contact_id, now):
                break
            decision = self.apply(contact_id, TimerFired(at=now), now)
            decisions.append(decision)
            if decision.ignored:
                break
        return decisions

    # --- helpers ------------------------------------------------------------------------

    def find_or_add(
        self, email: str, now: datetime, *, name: str = "", company: str = ""
    ) -> ContactId:
        row = self.store.contacts.find(email)
        if row is not None:
            return row.id
        domain = company_domain(email, self.config.detection.free_mail_domains)
        with self.store.transaction():
            contact_id = self.store.contacts.create(
                email, now, name=name, company=company, company_domain=domain
            )
            added = ContactAdded(
                at=now, contact=contact_id, email=email.lower(),
                name=name, company=company, company_domain=domain,
            )  # fmt: skip
            self.store.events.record(contact_id, added, "a new contact")
            self.store.contacts.save(contact_id, new_contact(added), None, now)
        log.info("contact_added contact=%s email=%s", contact_id, email.lower())
        return contact_id

    def _carry_out(self, contact_id: ContactId, decision: Decision, now: datetime) -> None:
        timer_at: datetime | None = None
        for effect in decision.effects:
            if isinstance(effect, fx.QueueStep):
                self._queue(contact_id, effect, now)
            elif isinstance(effect, fx.WithdrawPending):
                moved = self.store.outbox.move_step(contact_id, effect.step, effect.how, now)
                for item in moved:
                    log.info("%s item=%d contact=%s step=%s reason=%r", effect.how, item,
                             contact_id, effect.step, effect.reason)  # fmt: skip
            elif isinstance(effect, fx.Reschedule):
                self.store.outbox.reschedule(contact_id, effect.step, effect.due_at, now)
                log.info("rescheduled contact=%s step=%s due=%s reason=%r", contact_id, effect.step,
                         effect.due_at.isoformat(), effect.reason)  # fmt: skip
            elif isinstance(effect, fx.NotifyUser):
                self.store.notices.add(effect.kind, effect.text, now, contact_id=contact_id)
                log.warning("notice contact=%s kind=%s %s", contact_id, effect.kind, effect.text)
            else:
                timer_at = effect.at
        self.store.contacts.save(contact_id, decision.contact, timer_at, now)

    def _ask_debrief(self, contact_id: ContactId, interview: Interview, now: datetime) -> None:
        """The debrief note for an interview that ended: one per interview time and company
        (a panel's interviewers share it), kept in the marks so that it is asked once."""
        key = DEBRIEF_MARK + debrief.panel_key(interview)
        if self.store.marks.get(key) is not None:
            return
        me = self.config.identity.email
        new = NewItem(Step.DEBRIEF, StepKind.TASK, ItemStatus.PENDING, interview.end, [me], [])
        item = self.store.outbox.add(contact_id, new, now)
        self.store.marks.set(key, str(item))
        log.info("queued item=%d contact=%s step=debrief due=%s", item, contact_id,
                 interview.end.isoformat())  # fmt: skip

    def _queue(self, contact_id: ContactId, effect: fx.QueueStep, now: datetime) -> None:
        to = [self.store.contacts.email_of(effect.to)]
        cc = [self.store.contacts.email_of(c) for c in effect.cc]
        status = first_status(effect.approved)
        new = NewItem(effect.step, effect.kind, status, effect.due_at, to, cc,
                      effect.follows_message_id)  # fmt: skip
        item = self.store.outbox.add(contact_id, new, now)
        log.info("queued item=%d contact=%s step=%s due=%s status=%s", item, contact_id, effect.step,
                 effect.due_at.isoformat(), status)  # fmt: skip


def _log_transition(
    contact_id: ContactId, event: Event, before: Contact, decision: Decision
) -> None:
    name = type(event).__name__
    if decision.ignored:
        log.info("ignored contact=%s event=%s reason=%r", contact_id, name, decision.reason)
        return
    log.info(
        "transition contact=%s event=%s from=%s to=%s reason=%r",
        contact_id, name, before.state, decision.contact.state, decision.reason,
    )  # fmt: skip
