"""SPEC's six invariants, as properties over random event sequences.

A small pure "world" stands in for the shell: it keeps the queue the effects describe,
lets the user approve, reject, send drafts from their own client, mark tasks done and
write their own mail; people reply, auto-reply and bounce; the clock jumps; the daemon
fires timers and sends approved items at `schedule.send_at`. The world keeps its own
record of every message (the truth), and after every step checks:

1. no follow-up email goes out within min_gap of any earlier message to that person;
2. no more tries since the person's last human reply than `tries` has entries;
3. after a human reply, no follow-up is queued or sent until the user acts;
4. nothing goes out without approval unless auto_send lists the step;
5. each item is sent at most once;
6. replaying the logs gives the same contacts, and re-running gives the same world.

The cast: bob interviews and is the source of carol (a referral); eve is only a source,
of dan. So one person can be an interviewer and a source at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthru.core.effects import Decision, QueueStep, Reschedule, WithdrawPending
from followthru.core.events import (
    AutoReplyReceived,
    BounceReceived,
    ContactAdded,
    Discarded,
    DraftApproved,
    DraftRejected,
    Event,
    EventKey,
    InterviewCancelled,
    InterviewRegistered,
    MoveMade,
    MoveOwed,
    OutboundSeen,
    OutcomeRecorded,
    ProcessPaused,
    ReferralRegistered,
    ReferralSuggested,
    ReplyReceived,
    TaskDone,
    TimerFired,
    event_key,
)
from followthru.core.machine import TRANSITIONS, decide, new_contact, replay
from followthru.core.model import (
    FOLLOW_UPS,
    GAP_HELD,
    TRIES,
    Contact,
    ContactId,
    Interview,
    Outcome,
    Policy,
    Step,
    StepKind,
    TryKind,
)
from followthru.core.schedule import next_wakeup, send_at, try_count

EXAMPLES = int(os.environ.get("FOLLOWTHRU_HYPOTHESIS_EXAMPLES", "2000"))
BOB, CAROL, DAN, EVE = ContactId("bob"), ContactId("carol"), ContactId("dan"), ContactId("eve")
PEOPLE = (BOB, CAROL, DAN, EVE)
SOURCE_OF = {CAROL: BOB, DAN: EVE}
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)

BERLIN = Policy.default(ZoneInfo("Europe/Berlin"))
POLICIES = [
    BERLIN,
    replace(
        BERLIN,
        auto_send=frozenset(
            {Step.THANK_YOU, Step.CHECK_IN, Step.STAY_IN_TOUCH, Step.KEEP_IN_MIND}
            | {Step.REFERRAL_CHECK_IN, Step.SOURCE_CONNECTED, Step.SOURCE_UNREACHABLE}
        ),
    ),
    replace(
        Policy.default(ZoneInfo("America/Santiago")),
        tries=(TryKind.EMAIL, TryKind.EMAIL, TryKind.EMAIL),
        min_gap=3 * DAY,
        check_in_after=2 * DAY,
        give_up_after=2 * DAY,
        nurture_every=10 * DAY,
        draft_expires_after=2 * DAY,
        send_days=frozenset(range(7)),
        send_end=None,
        auto_send=frozenset({Step.CHECK_IN, Step.STAY_IN_TOUCH, Step.REFERRAL_CHECK_IN}),
    ),
    replace(BERLIN, tries=(TryKind.EMAIL,), referral_check_ins=3, nurture_every=timedelta(0)),
]
OPEN = ("pending", "approved")


@dataclass
class Item:
    """A queue row as the shell keeps it."""

    id: int
    owner: ContactId
    step: Step
    to: ContactId
    cc: tuple[ContactId, ...]
    status: str
    user_approved: bool = False


@dataclass
class World:
    policy: Policy
    clock: datetime
    contacts: dict[ContactId, Contact] = field(default_factory=dict)
    logs: dict[ContactId, list[Event]] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    delivered: list[tuple[ContactId, Event]] = field(default_factory=list)
    sent_to: dict[ContactId, list[datetime]] = field(default_factory=dict)  # the truth
    replied: dict[ContactId, tuple[int, datetime]] = field(default_factory=dict)  # (seq, at)
    acted: dict[ContactId, int] = field(default_factory=dict)  # seq of the user's last act
    tries: dict[ContactId, int] = field(default_factory=dict)
    sends: int = 0

    # --- the shell's part ------------------------------------------------------------------

    def deliver(self, cid: ContactId, event: Event) -> Decision:
        before = self.contacts[cid]
        decision = decide(before, event, self.clock, self.policy)
        self.logs[cid].append(event)
        self.delivered.append((cid, event))
        self.contacts[cid] = decision.contact
        self._check_decision(before, event, decision)
        for effect in decision.effects:
            self._carry_out(cid, effect)
        return decision

    def _carry_out(self, owner: ContactId, effect: object) -> None:
        if isinstance(effect, QueueStep):
            status = "approved" if effect.approved else "pending"
            item = Item(len(self.items), owner, effect.step, effect.to, effect.cc, status)
            self.items.append(item)
        elif isinstance(effect, WithdrawPending):
            self._open(owner, effect.step).status = "withdrawn"
        elif isinstance(effect, Reschedule):
            self._open(owner, effect.step)  # must exist

    def _open(self, owner: ContactId, step: Step) -> Item:
        (item,) = [
            i for i in self.items if i.owner == owner and i.step == step and i.status in OPEN
        ]
        return item

    def open_items(self) -> list[Item]:
        return [i for i in self.items if i.status in OPEN]

    def message(self, event: OutboundSeen) -> None:
        """A message leaves: the truth records it, every contact concerned hears of it."""
        for person in event.to | event.cc:
            self.sent_to[person].append(self.clock)
        owner = {event.owner} if event.owner else set()
        for cid in sorted(event.to | event.cc | owner):
            self.deliver(cid, event)

    def send(self, item: Item, *, by_daemon: bool) -> None:
        assert item.status in OPEN, "invariant 5: an item is sent at most once"
        auto = item.step in self.policy.auto_send and not item.user_approved
        if by_daemon:
            self._check_send(item)
        item.status = "sent"
        self.sends += 1
        if item.step in TRIES:
            self.tries[item.to] += 1
        if not (by_daemon and auto):
            self.act_on(item.to, *item.cc)
        event = OutboundSeen(
            at=self.clock,
            message_id=f"<item{item.id}@world>",
            to=frozenset({item.to}),
            cc=frozenset(item.cc),
            step=item.step,
            owner=item.owner,
            auto_sent=by_daemon and auto,
        )
        self.message(event)

    def tick(self) -> None:
        for _ in range(50):
            if not (self._fire_timers() or self._send_due()):
                return
        raise AssertionError("the daemon never settles")

    def _fire_timers(self) -> bool:
        fired = False
        for cid in PEOPLE:
            wake = next_wakeup(self.contacts[cid], self.policy)
            if wake is not None and wake <= self.clock:
                decision = self.deliver(cid, TimerFired(at=self.clock))
                assert not decision.ignored, f"a timer due at {wake} did nothing: {decision.reason}"
                fired = True
        return fired

    def _send_due(self) -> bool:
        for item in self.open_items():
            if item.status != "approved" or item.step not in _EMAILS:
                continue
            owner = self.contacts[item.owner]
            pending = owner.pending_step(item.step)
            assert pending is not None
            if send_at(pending, owner, self.policy, self.clock) <= self.clock:
                self.send(item, by_daemon=True)
                return True
        return False

    # --- the checks ----------------------------------------------------------------------------

    def act_on(self, *people: ContactId) -> None:
        """The user acted toward them: a message of their own (or approved), an outcome."""
        for person in people:
            self.acted[person] = len(self.delivered)

    def hushed(self, person: ContactId) -> bool:
        """A human reply newer than the user's last act toward them (and their interview)."""
        if person not in self.replied:
            return False
        seq, at = self.replied[person]
        interview = self.contacts[person].interview
        met_since = interview is not None and at < interview.end <= self.clock
        return not met_since and self.acted.get(person, -1) < seq

    def _check_send(self, item: Item) -> None:
        assert item.user_approved or item.step in self.policy.auto_send, "invariant 4"
        if item.step in GAP_HELD:
            earlier = [t for t in self.sent_to[item.to] if t > self.clock - self.policy.min_gap]
            assert not earlier, f"invariant 1: {item.step} to {item.to} within min_gap of {earlier}"
        if item.step in FOLLOW_UPS:
            assert not self.hushed(item.to), f"invariant 3: {item.step} sent after a reply"

    def _check_decision(self, before: Contact, event: Event, decision: Decision) -> None:
        if decision.ignored:
            assert replace(decision.contact, seen=before.seen) == before and not decision.effects
            return
        rule = TRANSITIONS[(before.state, event_key(event))]
        assert decision.contact.state in rule.targets(before.state)
        for effect in decision.effects:
            if isinstance(effect, QueueStep) and effect.step in FOLLOW_UPS:
                assert not self.hushed(effect.to), (
                    f"invariant 3: {effect.step} queued after a reply"
                )
            if isinstance(effect, QueueStep):
                assert effect.approved == (effect.step in self.policy.auto_send), "invariant 4"
            if isinstance(effect, QueueStep) and effect.step in FOLLOW_UPS:
                assert not decision.contact.owes_move, f"{effect.step} queued on the user's move"

    def check(self) -> None:
        for cid, contact in self.contacts.items():
            limit = len(self.policy.tries)
            assert contact.tries_used <= try_count(contact, self.policy) <= limit, "invariant 2"
            assert self.tries[cid] <= limit, f"invariant 2: {self.tries[cid]} tries to {cid}"
            if (contact.state, EventKey.TIMER) not in TRANSITIONS:  # new, source, closed
                assert contact.pending == (), f"{contact.state} with items pending"
            mine = sorted(
                (i.step, i.status == "approved") for i in self.open_items() if i.owner == cid
            )
            assert mine == sorted((p.step, p.approved) for p in contact.pending), "queue mirrors"

    def snapshot(self) -> tuple[object, ...]:
        return (
            tuple(sorted(self.contacts.items())),
            tuple((i.owner, i.step, i.to, i.status) for i in self.items),
        )


_EMAILS = frozenset(s for s in Step if s not in (Step.PHONE_MESSAGE, Step.CLOSING_CHECKLIST))

# --- what can happen -------------------------------------------------------------------------

Op = tuple[str, int, int]
WAITS = [timedelta(minutes=30), timedelta(hours=3), DAY, 3 * DAY, 8 * DAY, 20 * DAY, 95 * DAY]
KINDS = [
    *["wait"] * 5, *["approve"] * 3, "diligent", "diligent", "client", "done", "reject", "own",
    "reply", "colleague", "auto", "bounce", "outcome", "redeliver", "interview", "cancel",
    "suggest", "refer", "owe", "made", "pause",
]  # fmt: skip
ops = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, 999), st.integers(0, 999)),
    min_size=8,
    max_size=40,
)


def start(policy: Policy, offset: int, interview_hours: int, reply_by: int) -> World:
    world = World(policy, T0 + timedelta(minutes=offset))
    for cid in PEOPLE:
        world.contacts[cid] = new_contact(
            ContactAdded(at=world.clock, contact=cid, email=f"{cid}@x.example")
        )
        world.logs[cid] = [ContactAdded(at=world.clock, contact=cid, email=f"{cid}@x.example")]
        world.sent_to[cid] = []
        world.tries[cid] = 0
    begin = world.clock + timedelta(hours=interview_hours)
    rb = (begin + reply_by * DAY).date() if reply_by else None
    world.deliver(BOB, InterviewRegistered(at=world.clock, interview=_interview(begin, rb)))
    for referral, source in SOURCE_OF.items():
        world.deliver(source, ReferralSuggested(at=world.clock, referral=referral))
        world.deliver(referral, ReferralRegistered(at=world.clock, source=source))
    world.tick()
    world.check()
    return world


def _interview(begin: datetime, reply_by: date | None) -> Interview:
    return Interview(start=begin, end=begin + timedelta(hours=1), reply_by=reply_by)


def act(world: World, op: Op) -> None:
    kind, a, b = op
    person = PEOPLE[a % len(PEOPLE)]
    ACTIONS[kind](world, person, a, b, f"<{kind}{len(world.delivered)}@people>")
    world.tick()
    world.check()


def _wait(world: World, person: ContactId, a: int, b: int, mid: str) -> None:
    world.clock += WAITS[a % len(WAITS)]


def _diligent(world: World, person: ContactId, a: int, b: int, mid: str) -> None:
    """The user approves every draft and does every task."""
    for _ in world.open_items():
        _queue_act(world, "approve", 0, b)
        _queue_act(world, "done", 0, b)


def _own(world: World, person: ContactId, a: int, b: int, mid: str) -> None:
    other = PEOPLE[b % len(PEOPLE)]
    cc = frozenset({other} if other != person and b % 2 else ())
    world.act_on(person, *cc)
    world.message(OutboundSeen(at=world.clock, message_id=mid, to=frozenset({person}), cc=cc))


def _auto(world: World, person: ContactId, a: int, b: int, mid: str) -> None:
    back = (world.clock + (b % 30) * DAY).date() if b % 3 else None
    event = AutoReplyReceived(
        at=world.clock, message_id=mid, return_date=back, left_company=b % 7 == 0
    )
    world.deliver(person, event)


def _bounce(world: World, person: ContactId, a: int, b: int, mid: str) -> None:
    world.deliver(person, BounceReceived(at=world.clock, message_id=mid, permanent=b % 2 == 0))


def _outcome(world: World, person: ContactId, a: int, b: int, mid: str) -> None:
    world.act_on(person)
    outcome = list(Outcome)[b % len(Outcome)]
    world.deliver(person, OutcomeRecorded(at=world.clock, outcome=outcome))


def _new_interview(world: World, person: ContactId, a: int, b: int, mid: str) -> None:
    world.act_on(person)
    world.tries[person] = 0  # a new interview is contact with a human
    begin = world.clock + timedelta(hours=(b % 120) - 48)
    world.deliver(person, InterviewRegistered(at=world.clock, interview=_interview(begin, None)))


def _cancel(world: World, person: ContactId, a: int, b: int, mid: str) -> None:
    world.deliver(person, InterviewCancelled(at=world.clock))


def _suggest(world: World, person: ContactId, a: int, b: int, mid: str) -> None:
    referral = PEOPLE[b % len(PEOPLE)]
    world.deliver(person, ReferralSuggested(at=world.clock, referral=referral))


def _refer(world: World, person: ContactId, a: int, b: int, mid: str) -> None:
    if person in SOURCE_OF:
        world.deliver(person, ReferralRegistered(at=world.clock, source=SOURCE_OF[person]))


def _owe(world: World, person: ContactId, a: int, b: int, mid: str) -> None:
    """Their organisation asks the user for something (job mail: the user's move)."""
    world.deliver(person, MoveOwed(at=world.clock, message_id=mid))


def _made(world: World, person: ContactId, a: int, b: int, mid: str) -> None:
    world.deliver(person, MoveMade(at=world.clock, message_id=mid))


def _pause(world: World, person: ContactId, a: int, b: int, mid: str) -> None:
    until = (world.clock + (b % 60) * DAY).date()
    world.deliver(person, ProcessPaused(at=world.clock, message_id=mid, until=until))


def _queue_act(world: World, kind: str, a: int, b: int) -> None:
    wanted = StepKind.TASK if kind == "done" else StepKind.EMAIL
    items = [i for i in world.open_items() if (i.step in _EMAILS) == (wanted is StepKind.EMAIL)]
    if kind == "approve":
        items = [i for i in items if i.status == "pending"]
    if not items:
        return
    item = items[a % len(items)]
    if kind == "approve":
        item.user_approved = True
        item.status = "approved"
        world.deliver(item.owner, DraftApproved(at=world.clock, step=item.step))
    elif kind == "reject":
        item.status = "rejected"
        why = list(Discarded)[b % len(Discarded)]
        world.deliver(item.owner, DraftRejected(at=world.clock, step=item.step, why=why))
    elif kind == "client":
        item.user_approved = True
        world.send(item, by_daemon=False)
    else:
        item.status = "done"
        world.tries[item.to] += int(item.step in TRIES)
        world.deliver(item.owner, TaskDone(at=world.clock, step=item.step))


def _reply(
    world: World, person: ContactId, a: int, b: int, mid: str, *, colleague: bool = False
) -> None:
    world.replied[person] = (len(world.delivered), world.clock)
    world.tries[person] = 0
    sender = None if colleague else person
    event = ReplyReceived(at=world.clock, message_id=mid, sender=sender)
    world.deliver(person, event)
    referrals = [r for r, s in SOURCE_OF.items() if s == person]
    if sender is not None and b % 2 == 0 and referrals:  # a reply-all in the referral's thread
        world.deliver(referrals[0], event)


def _colleague(world: World, person: ContactId, a: int, b: int, mid: str) -> None:
    _reply(world, person, a, b, mid, colleague=True)


def _redeliver(world: World, person: ContactId, a: int, b: int, mid: str) -> None:
    if not world.delivered:
        return
    cid, event = world.delivered[b % len(world.delivered)]
    if event.message_id is None:
        return
    before = world.contacts[cid]
    decision = decide(before, event, world.clock, world.policy)
    assert decision.ignored, "invariant 6: a message applied twice"
    assert decision.contact is before


def _on_queue(kind: str) -> Action:
    def run(world: World, person: ContactId, a: int, b: int, mid: str) -> None:
        _queue_act(world, kind, a, b)

    return run


Action = Callable[[World, ContactId, int, int, str], None]
ACTIONS: dict[str, Action] = {
    "wait": _wait,
    "approve": _on_queue("approve"),
    "reject": _on_queue("reject"),
    "client": _on_queue("client"),
    "done": _on_queue("done"),
    "diligent": _diligent,
    "own": _own,
    "reply": _reply,
    "colleague": _colleague,
    "auto": _auto,
    "bounce": _bounce,
    "outcome": _outcome,
    "redeliver": _redeliver,
    "interview": _new_interview,
    "cancel": _cancel,
    "suggest": _suggest,
    "refer": _refer,
    "owe": _owe,
    "made": _made,
    "pause": _pause,
}


def simulate(policy: Policy, offset: int, hours: int, reply_by: int, script: list[Op]) -> World:
    world = start(policy, offset, hours, reply_by)
    for op in script:
        act(world, op)
    return world


WORLDS = {  # what `simulate` takes, drawn at random (other tests draw worlds too)
    "policy": st.sampled_from(POLICIES),
    "offset": st.integers(0, 7 * 24 * 60),
    "hours": st.integers(-72, 96),
    "reply_by": st.integers(0, 6),
    "script": ops,
}
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=SLOW)
@given(**WORLDS)
def test_the_six_invariants_hold_whatever_happens(
    policy: Policy, offset: int, hours: int, reply_by: int, script: list[Op]
) -> None:
    world = simulate(policy, offset, hours, reply_by, script)
    for cid in PEOPLE:  # 6: the log folds into the same contact
        assert replay(world.logs[cid], policy) == world.contacts[cid]
    again = simulate(policy, offset, hours, reply_by, script)  # 6: same events, same world
    assert again.snapshot() == world.snapshot()
