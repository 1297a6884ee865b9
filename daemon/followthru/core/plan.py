"""The dry run: what will happen, to whom and when, if nobody answers.

It simulates the world with no replies: every queued email is approved at once and
goes out at its send time (`schedule.send_at`), every task is done when due, every
timer fires on time. Each simulated fact goes through `machine.decide()`, so the plan
follows the same rules as the daemon; nothing here decides on its own.

The simulation keeps each contact's next happenings (its timer, its queued items) in one
heap; a happening recomputes only the contacts it touched (the flow's contact, the
recipient and the people in Cc), so a plan costs O((contacts + entries) log contacts).
Contacts that can never wake on their own (`schedule.can_wake` false) may be left out of
`contacts` and handed over by `others` when a send reaches them (a source in Cc): the plan
is the same, and a store need not load them.

Invariants:
- Entries come in time order; nothing before `now` or after `until` is listed.
- The input contacts are values: the plan changes nothing.
- A step without a send (a flow ending: moved on, unreachable) is an entry with
  `step` None and the state it `becomes`.
- The plan is complete up to `until`: it ends there, never after a number of rounds. A
  contact that would keep happening at one instant (a bug in the rules) raises PlanStuck
  rather than being cut short in silence.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from followthru.core.effects import Decision, SetTimer
from followthru.core.events import DraftApproved, Event, OutboundSeen, TaskDone, TimerFired
from followthru.core.machine import decide
from followthru.core.model import Contact, ContactId, ContactState, Pending, Policy, Step, StepKind
from followthru.core.schedule import next_wakeup, send_at

Lookup = Callable[[ContactId], Contact | None]

MAX_AT_ONE_INSTANT = 1_000
"""Happenings of one contact at one instant before the plan is declared stuck."""


class PlanStuck(RuntimeError):
    """A contact keeps happening at the same instant: the rules never move it on."""


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """One entry of the plan: `step` to `contact` at `due_at` (step None: a state change).

    `contact` is the recipient (for a note to a source: the source); `becomes` is the
    state the flow's contact enters with this entry, if it changes.
    """

    contact: ContactId
    step: Step | None
    kind: StepKind | None
    due_at: datetime
    becomes: ContactState | None = None
    reason: str = ""


# A heap entry: (at, order, owner, position, version, item). `order` puts timers (0) before
# sends and tasks (1) at the same instant; `position` keeps a contact's own order (its timer,
# then its items in queue order); `version` tells a current entry from one that a later
# change of its contact made stale.
_Entry = tuple[datetime, int, ContactId, int, int, Pending | None]


class _Simulation:
    def __init__(
        self, contacts: Iterable[Contact], others: Lookup, policy: Policy, now: datetime
    ) -> None:
        self.policy = policy
        self.others = others
        self.world = {c.id: c for c in contacts}
        self.versions = dict.fromkeys(self.world, 0)
        self.heap: list[_Entry] = []
        self.quiet_timer: set[ContactId] = set()  # its timer fired and changed nothing
        # The timer the latest decision set, for the contact it decided and the time it was
        # decided at (`max(next_wakeup, then)`): refresh need not work it out again.
        self.timers: dict[ContactId, tuple[Contact, datetime, datetime | None]] = {}
        for owner in self.world:
            self.refresh(owner, now)

    def refresh(self, owner: ContactId, clock: datetime) -> None:
        """Approve the contact's waiting emails at `clock` and queue its next happenings."""
        for item in self.world[owner].pending:
            if item.kind is StepKind.EMAIL and not item.approved:
                self.apply(owner, DraftApproved(at=clock, step=item.step), clock)
        contact = self.world[owner]
        version = self.versions[owner] = self.versions[owner] + 1
        if owner not in self.quiet_timer and (wake := self.wakeup(contact, clock)) is not None:
            heapq.heappush(self.heap, (wake, 0, owner, 0, version, None))
        for position, item in enumerate(contact.pending, start=1):
            at = self.when(item, contact, clock)
            heapq.heappush(self.heap, (at, 1, owner, position, version, item))

    def wakeup(self, contact: Contact, clock: datetime) -> datetime | None:
        """When the contact's timer fires next, seen from `clock`."""
        known = self.timers.get(contact.id)
        if known is not None and known[0] is contact and known[1] == clock:
            return known[2]
        wake = next_wakeup(contact, self.policy)
        return None if wake is None else max(wake, clock)

    def when(self, item: Pending, contact: Contact, clock: datetime) -> datetime:
        if item.kind is StepKind.TASK:
            return max(item.due_at, clock)
        return send_at(item, contact, self.policy, clock)

    def next(self) -> _Entry | None:
        """The next current happening (stale entries are dropped)."""
        while self.heap:
            entry = heapq.heappop(self.heap)
            if entry[4] == self.versions[entry[2]]:
                return entry
        return None

    def happen(self, owner: ContactId, item: Pending | None, at: datetime) -> list[PlannedStep]:
        if item is None:
            return self.fire(owner, at)
        before = self.world[owner].state
        if item.kind is StepKind.TASK:
            self.apply(owner, TaskDone(at=at, step=item.step), at)
            touched = {owner}
        else:
            touched = self.send(owner, item, at)
        after = self.world[owner].state
        for contact_id in sorted(touched):
            self.refresh(contact_id, at)
        becomes = after if after is not before else None
        return [PlannedStep(item.to, item.step, item.kind, at, becomes, f"{item.step} due")]

    def fire(self, owner: ContactId, at: datetime) -> list[PlannedStep]:
        """A timer: listed only when it changes the state without queueing (moving on)."""
        before = self.world[owner].state
        decision = self.apply(owner, TimerFired(at=at), at)
        if decision.ignored:
            self.quiet_timer.add(owner)  # as the daemon: it stays due and changes nothing
        self.refresh(owner, at)
        after = decision.contact.state
        if decision.ignored or after is before:
            return []
        return [PlannedStep(owner, None, None, at, after, decision.reason)]

    def send(self, owner: ContactId, item: Pending, at: datetime) -> set[ContactId]:
        message_id = f"<plan.{owner}.{item.step}.{at.isoformat()}@followthru>"
        event = OutboundSeen(
            at=at,
            message_id=message_id,
            to=frozenset({item.to}),
            cc=frozenset(item.cc),
            step=item.step,
            owner=owner,
        )
        touched = {c for c in {owner, item.to, *item.cc} if self.known(c)}
        for contact_id in sorted(touched):
            self.apply(contact_id, event, at)
        return touched

    def known(self, contact_id: ContactId) -> bool:
        """Whether the contact is in the world (asking `others` the first time)."""
        if contact_id in self.world:
            return True
        contact = self.others(contact_id)
        if contact is None:
            return False
        self.world[contact_id], self.versions[contact_id] = contact, 0
        return True

    def apply(self, contact_id: ContactId, event: Event, at: datetime) -> Decision:
        decision = decide(self.world[contact_id], event, at, self.policy)
        if not decision.ignored:
            self.quiet_timer.discard(contact_id)
            timer = next((e.at for e in decision.effects if isinstance(e, SetTimer)), None)
            self.timers[contact_id] = (decision.contact, at, timer)
        self.world[contact_id] = decision.contact
        return decision


def plan(
    contacts: Iterable[Contact],
    policy: Policy,
    now: datetime,
    until: datetime,
    others: Lookup = lambda _: None,
) -> list[PlannedStep]:
    """Simulate from `now` to `until` with nobody answering; list what would happen.

    `contacts` must hold every contact that can wake on its own (`schedule.can_wake`);
    `others` gives any other contact by id when a send reaches it (None: not a contact).
    """
    return list(steps(contacts, policy, now, until, others))


def steps(
    contacts: Iterable[Contact],
    policy: Policy,
    now: datetime,
    until: datetime,
    others: Lookup = lambda _: None,
) -> Iterator[PlannedStep]:
    """`plan`, one entry at a time: a caller that needs only the first few stops early."""
    simulation = _Simulation(contacts, others, policy, now)
    instant, counts = now, dict[ContactId, int]()
    while (entry := simulation.next()) is not None and entry[0] <= until:
        at, _, owner, _, _, item = entry
        if at != instant:
            instant, counts = at, {}
        counts[owner] = counts.get(owner, 0) + 1
        if counts[owner] > MAX_AT_ONE_INSTANT:
            raise PlanStuck(f"contact {owner} keeps happening at {at.isoformat()}")
        yield from simulation.happen(owner, item, at)
