"""The plan as first written, kept as the reference for `core.plan`: one round per entry,
every contact approved and asked for its next happening in every round (O(entries x contacts)).
Slow, obviously right; `test_plan_reference.py` checks the fast plan against it.

The dry run: what will happen, to whom and when, if nobody answers.

It simulates the world with no replies: every queued email is approved at once and
goes out at its send time (`schedule.send_at`), every task is done when due, every
timer fires on time. Each simulated fact goes through `machine.decide()`, so the plan
follows the same rules as the daemon; nothing here decides on its own.

Invariants:
- Entries come in time order; nothing before `now` or after `until` is listed.
- The input contacts are values: the plan changes nothing.
- A step without a send (a flow ending: moved on, unreachable) is an entry with
  `step` None and the state it `becomes`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from followthru.core.effects import Decision
from followthru.core.events import DraftApproved, Event, OutboundSeen, TaskDone, TimerFired
from followthru.core.machine import decide
from followthru.core.model import Contact, ContactId, Pending, Policy, StepKind
from followthru.core.plan import PlannedStep
from followthru.core.schedule import next_wakeup, send_at

_MAX_ROUNDS = 100_000  # the reference: it must never be what ends a plan here


@dataclass(frozen=True, slots=True)
class _Next:
    at: datetime
    order: int  # timers first, then sends and tasks, at the same instant
    owner: ContactId
    item: Pending | None  # None: a timer


def plan(
    contacts: Iterable[Contact], policy: Policy, now: datetime, until: datetime
) -> list[PlannedStep]:
    """Simulate from `now` to `until` with nobody answering; list what would happen."""
    world = {c.id: c for c in contacts}
    entries: list[PlannedStep] = []
    clock = now
    for _ in range(_MAX_ROUNDS):  # pragma: no branch
        _approve_all(world, clock, policy)
        upcoming = _next(world, clock, policy)
        if upcoming is None or upcoming.at > until:
            break
        clock = upcoming.at
        entries += _happen(world, upcoming, policy)
    else:
        raise AssertionError("the reference plan ran out of rounds")
    return entries


def _approve_all(world: dict[ContactId, Contact], clock: datetime, policy: Policy) -> None:
    for owner, contact in list(world.items()):
        for item in contact.pending:
            if item.kind is StepKind.EMAIL and not item.approved:
                event = DraftApproved(at=clock, step=item.step)
                world[owner] = decide(world[owner], event, clock, policy).contact


def _next(world: dict[ContactId, Contact], clock: datetime, policy: Policy) -> _Next | None:
    candidates: list[_Next] = []
    for owner, contact in world.items():
        wake = next_wakeup(contact, policy)
        if wake is not None:
            candidates.append(_Next(max(wake, clock), 0, owner, None))
        for item in contact.pending:
            at = _when(item, contact, policy, clock)
            candidates.append(_Next(at, 1, owner, item))
    return min(candidates, key=lambda n: (n.at, n.order, n.owner), default=None)


def _when(item: Pending, contact: Contact, policy: Policy, clock: datetime) -> datetime:
    if item.kind is StepKind.TASK:
        return max(item.due_at, clock)
    return send_at(item, contact, policy, clock)


def _happen(world: dict[ContactId, Contact], upcoming: _Next, policy: Policy) -> list[PlannedStep]:
    owner, item, at = upcoming.owner, upcoming.item, upcoming.at
    if item is None:
        return _fire(world, owner, at, policy)
    before = world[owner].state
    if item.kind is StepKind.TASK:
        _apply(world, owner, TaskDone(at=at, step=item.step), at, policy)
    else:
        _send(world, owner, item, at, policy)
    after = world[owner].state
    becomes = after if after is not before else None
    return [PlannedStep(item.to, item.step, item.kind, at, becomes, f"{item.step} due")]


def _fire(
    world: dict[ContactId, Contact], owner: ContactId, at: datetime, policy: Policy
) -> list[PlannedStep]:
    """A timer: listed only when it changes the state without queueing (moving on)."""
    before = world[owner].state
    decision = _apply(world, owner, TimerFired(at=at), at, policy)
    after = decision.contact.state
    if decision.ignored or after is before:
        return []
    return [PlannedStep(owner, None, None, at, after, decision.reason)]


def _send(
    world: dict[ContactId, Contact], owner: ContactId, item: Pending, at: datetime, policy: Policy
) -> None:
    message_id = f"<plan.{owner}.{item.step}.{at.isoformat()}@followthru>"
    event = OutboundSeen(
        at=at,
        message_id=message_id,
        to=frozenset({item.to}),
        cc=frozenset(item.cc),
        step=item.step,
        owner=owner,
    )
    for contact_id in sorted({owner, item.to, *item.cc}):
        if contact_id in world:
            _apply(world, contact_id, event, at, policy)


def _apply(
    world: dict[ContactId, Contact],
    contact_id: ContactId,
    event: Event,
    at: datetime,
    policy: Policy,
) -> Decision:
    decision = decide(world[contact_id], event, at, policy)
    world[contact_id] = decision.contact
    return decision
