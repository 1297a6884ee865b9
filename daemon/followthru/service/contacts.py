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
from typing import TYPE_CHECKING

from followthru.adapters.store import Store, records
from followthru.config import Config
from followthru.core import effects as fx
from followthru.core.effects import Decision
from followthru.core.events import (
    ContactAdded,
    Event,
    InterviewCancelled,
    InterviewRegistered,
    OutcomeRecorded,
    ReferralRegistered,
    ReferralSuggested,
    TimerFired,
)
from followthru.core.machine import decide, new_contact, replay
from followthru.core.model import Contact, ContactId, Interview, Outcome, Policy, Step, TryKind
from followthru.core.plan import PlannedStep, PlanStuck, steps
from followthru.core.schedule import next_wakeup
from followthru.errors import FollowthruError, UserError

if TYPE_CHECKING:  # the mail-reading rules are not needed to list or plan
    from followthru.core.intake import InvitationSeen

log = logging.getLogger(__name__)
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
    """The daemon's and the commands' one way to change state."""

    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config
        self.policy = policy_of(config)

    # --- reading ------------------------------------------------------------------------

    def contact(self, contact_id: int) -> Contact:
        return replay(records.contact_events(self.store, contact_id), self.policy)

    def contacts(self, *, waking: bool = False) -> list[Contact]:
        """Every contact (`waking`: those that may wake on their own), from the snapshots."""
        return [
            contact if contact is not None else self.contact(contact_id)
            for contact_id, contact in records.snapshots(self.store, waking=waking)
        ]

    def known(self, contact_id: ContactId) -> Contact | None:
        """One contact by its core id, from its snapshot; None if there is no such contact."""
        if not contact_id.isdigit():
            return None
        found = records.snapshots(self.store, contact_id=int(contact_id))
        if not found:
            return None
        return found[0][1] or self.contact(found[0][0])

    def plan(self, now: datetime, days: int) -> list[PlannedStep]:
        """The dry run; contacts that cannot wake are read only when a send reaches them."""
        return list(self.steps(now, days))

    def steps(self, now: datetime, days: int) -> Iterator[PlannedStep]:
        """`plan` one entry at a time (stop early when the first few are enough)."""
        waking = self.contacts(waking=True)
        try:
            yield from steps(waking, self.policy, now, now + timedelta(days=days), self.known)
        except PlanStuck as exc:  # a bug in the rules: say so in one line, not a traceback
            raise FollowthruError(f"the plan cannot go on ({exc}); please report this") from exc

    # --- changing -----------------------------------------------------------------------

    def apply(self, contact_id: int, event: Event, now: datetime) -> Decision:
        """Decide on one event and store the outcome, all in one transaction."""
        with self.store.transaction():
            before = self.contact(contact_id)
            decision = decide(before, event, now, self.policy)
            if decision.ignored and event.message_id is None:
                return decision
            records.record_event(self.store, contact_id, event, decision.reason)
            if decision.ignored:
                records.save_snapshot(self.store, contact_id, decision.contact)
            else:
                self._carry_out(contact_id, decision, now)
        _log_transition(contact_id, event, before, decision)
        return decision

    def register_interview(self, new: NewInterview, now: datetime) -> int:
        """A new interview, all or nothing (one transaction)."""
        with self.store.transaction():
            return self._register_interview(new, now)

    def _register_interview(self, new: NewInterview, now: datetime) -> int:
        contact_id = self.find_or_add(new.email, now, name=new.name, company=new.company)
        if self.contact(contact_id).interview is not None:
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
                          notes: tuple[str, ...] = (), source_name: str = "") -> int:  # fmt: skip
        """A new referral and its source, all or nothing (one transaction)."""
        with self.store.transaction():
            return self._register_referral(email, source_email, now, name, notes, source_name)

    def _register_referral(self, email: str, source_email: str, now: datetime, name: str,
                           notes: tuple[str, ...], source_name: str) -> int:  # fmt: skip
        if email.lower() == source_email.lower():
            raise UserError(f"{email} cannot be their own source")
        source_id = self.find_or_add(source_email, now, name=source_name)
        referral_id = self.find_or_add(email, now, name=name)
        if self.contact(referral_id).source is not None:
            raise UserError(f"{email} is already registered as a referral")
        records.set_source(self.store, referral_id, source_id)
        if notes:
            records.add_notes(self.store, referral_id, list(notes))
        self.apply(referral_id, ReferralRegistered(at=now, source=ContactId(str(source_id))), now)
        self.apply(source_id, ReferralSuggested(at=now, referral=ContactId(str(referral_id))), now)
        return referral_id

    def from_invitation(
        self, seen: InvitationSeen, key: str, at: datetime, now: datetime
    ) -> Decision | None:
        """An interview announced, moved or cancelled by a calendar invitation (by UID and
        SEQUENCE: an older revision arriving late changes nothing)."""
        contact_id = self.find_or_add(seen.email, now)
        if seen.sequence < records.invitation_sequence(self.store, contact_id, seen.uid):
            return None
        mid = f"{key}#{seen.email}"
        if seen.cancelled:
            event: Event = InterviewCancelled(at=at, message_id=mid)
        elif seen.start is not None:
            end = (
                seen.end if seen.end and seen.end > seen.start else seen.start + timedelta(hours=1)
            )
            event = InterviewRegistered(at=at, interview=Interview(seen.start, end), message_id=mid)
        else:
            return None
        with self.store.transaction():
            records.set_invitation_sequence(self.store, contact_id, seen.uid, seen.sequence)
            return self.apply(contact_id, event, now)

    def refresh_store(self, now: datetime) -> None:
        """What the daemon does to the store when it starts or reloads: write the snapshots
        that are missing (a store from before them) and `retime`."""
        stale = records.stale_snapshots(self.store)
        with self.store.transaction():
            for contact_id in stale:
                records.save_snapshot(self.store, contact_id, self.contact(contact_id))
        if stale:
            log.info("snapshots_written contacts=%d", len(stale))
        self.retime(now)

    def retime(self, now: datetime) -> int:
        """Set every stored timer to what the configured cadence says now (after the config
        changed: a shorter `check_in_after` moves timers earlier, a longer one later).
        Returns how many moved; with an unchanged cadence none do."""
        stored = records.timers(self.store)
        moved = 0
        with self.store.transaction():
            for contact in self.contacts(waking=True):
                contact_id = int(contact.id)
                wake, was = next_wakeup(contact, self.policy), stored.get(contact_id)
                if wake == was or (wake is not None and was is not None and max(wake, was) <= now):
                    continue  # the same, or due either way
                records.set_timer(self.store, contact_id, wake)
                moved += 1
                log.info("retimed contact=%d from=%s to=%s", contact_id,
                         was.isoformat() if was else None, wake.isoformat() if wake else None)  # fmt: skip
        return moved

    def record_outcome(self, contact_id: int, outcome: Outcome, now: datetime) -> Decision:
        return self.apply(contact_id, OutcomeRecorded(at=now, outcome=outcome), now)

    def tick(self, now: datetime) -> list[Decision]:
        """Fire every timer that is due at `now` (one transaction per contact and firing)."""
        decisions: list[Decision] = []
        for contact_id in records.due_timers(self.store, now):
            decisions += self.tick_contact(contact_id, now)
        return decisions

    def tick_contact(self, contact_id: int, now: datetime) -> list[Decision]:
        """Fire one contact's timer while it is due at `now` (before a message of that time:
        an interview that ended at 15:00 has ended for a reply written at 15:10)."""
        decisions: list[Decision] = []
        for _ in range(MAX_TIMER_ROUNDS):
            if not records.timer_due(self.store, contact_id, now):
                break
            decision = self.apply(contact_id, TimerFired(at=now), now)
            decisions.append(decision)
            if decision.ignored:
                break
        return decisions

    # --- helpers ------------------------------------------------------------------------

    def find_or_add(self, email: str, now: datetime, *, name: str = "", company: str = "") -> int:
        row = records.find_contact(self.store, email)
        if row is not None:
            return row.id
        domain = email.rsplit("@", 1)[-1].lower()
        company_domain = "" if domain in self.config.detection.free_mail_domains else domain
        with self.store.transaction():
            contact_id = records.create_contact(
                self.store, email, now, name=name, company=company, company_domain=company_domain
            )
            added = ContactAdded(
                at=now, contact=ContactId(str(contact_id)), email=email.lower(),
                name=name, company=company, company_domain=company_domain,
            )  # fmt: skip
            records.record_event(self.store, contact_id, added, "a new contact")
            records.save_contact(self.store, contact_id, new_contact(added), None, now)
        log.info("contact_added contact=%d email=%s", contact_id, email.lower())
        return contact_id

    def _carry_out(self, contact_id: int, decision: Decision, now: datetime) -> None:
        timer_at: datetime | None = None
        for effect in decision.effects:
            if isinstance(effect, fx.QueueStep):
                self._queue(contact_id, effect, now)
            elif isinstance(effect, fx.WithdrawPending):
                # An item nobody acted on in time is `expired` (the user is asked again).
                status = "expired" if effect.reason.startswith("expired") else "withdrawn"
                moved = records.set_status(self.store, contact_id, effect.step.value, status, now)
                if moved:
                    log.info(
                        "withdrawn contact=%d step=%s reason=%r",
                        contact_id,
                        effect.step,
                        effect.reason,
                    )
            elif isinstance(effect, fx.Reschedule):
                records.reschedule(self.store, contact_id, effect.step.value, effect.due_at, now)
                log.info("rescheduled contact=%d step=%s due=%s reason=%r", contact_id, effect.step,
                         effect.due_at.isoformat(), effect.reason)  # fmt: skip
            elif isinstance(effect, fx.NotifyUser):
                log.warning("notice contact=%d %s", contact_id, effect.text)
            else:
                timer_at = effect.at
        records.save_contact(self.store, contact_id, decision.contact, timer_at, now)

    def _queue(self, contact_id: int, effect: fx.QueueStep, now: datetime) -> None:
        to = [records.email_of(self.store, int(effect.to))]
        cc = [records.email_of(self.store, int(c)) for c in effect.cc]
        status = "approved" if effect.approved else "pending"
        new = records.NewItem(
            effect.step.value,
            effect.kind.value,
            status,
            effect.due_at,
            to,
            cc,
            effect.follows_message_id,
        )
        item = records.queue_item(self.store, contact_id, new, now)
        log.info("queued item=%d contact=%d step=%s due=%s status=%s", item, contact_id, effect.step,
                 effect.due_at.isoformat(), status)  # fmt: skip


def _log_transition(contact_id: int, event: Event, before: Contact, decision: Decision) -> None:
    name = type(event).__name__
    if decision.ignored:
        log.info("ignored contact=%d event=%s reason=%r", contact_id, name, decision.reason)
        return
    log.info(
        "transition contact=%d event=%s from=%s to=%s reason=%r",
        contact_id, name, before.state, decision.contact.state, decision.reason,
    )  # fmt: skip
