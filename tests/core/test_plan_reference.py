"""The fast plan (a heap of next happenings) lists exactly what the one-round-per-entry
reference lists, for worlds the invariants test builds at random; also when it is given only
the contacts that can wake and finds the others when a send reaches them."""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import event, given, settings
from hypothesis import strategies as st

from followthru.core.model import Contact, ContactId, Policy
from followthru.core.plan import plan
from followthru.core.schedule import can_wake, next_wakeup
from tests.core.plan_reference import plan as reference_plan
from tests.core.test_invariants import POLICIES, SLOW, WORLDS, Op, simulate

EXAMPLES = int(os.environ.get("FOLLOWTHRU_HYPOTHESIS_EXAMPLES", "2000")) // 4


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=SLOW)
@given(**WORLDS, days=st.sampled_from([1, 30, 120, 400]))
def test_the_plan_is_the_reference_plan(
    policy: Policy, offset: int, hours: int, reply_by: int, script: list[Op], days: int
) -> None:
    world = simulate(policy, offset, hours, reply_by, script)
    contacts = list(world.contacts.values())
    until = world.clock + timedelta(days=days)
    reference = reference_plan(contacts, policy, world.clock, until)
    assert plan(contacts, policy, world.clock, until) == reference
    waking = [c for c in contacts if can_wake(c)]
    asked: list[ContactId] = []

    def others(contact_id: ContactId) -> Contact | None:
        asked.append(contact_id)
        return world.contacts.get(contact_id)

    assert plan(waking, policy, world.clock, until, others) == reference
    assert {c.id for c in waking}.isdisjoint(asked)
    event(f"contacts found when a send reached them: {len(set(asked)) > 0}")
    assert list(world.contacts.values()) == contacts  # the plan changed nothing
    for contact in contacts:  # what can_wake promises, under every policy
        if not can_wake(contact):
            assert all(next_wakeup(contact, p) is None for p in POLICIES)
