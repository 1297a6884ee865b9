"""`model.replace`, the core's fast `dataclasses.replace`, gives the same values."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followthru.core.effects import Decision
from followthru.core.model import (
    Contact,
    ContactId,
    ContactState,
    Pending,
    Step,
    replace,
)

AT = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
BOB = Contact(id=ContactId("1"), email="bob@acme.example", seen=frozenset({"<a@x>"}))
ITEM = Pending(Step.THANK_YOU, AT, ContactId("1"))


@settings(max_examples=200)
@given(
    state=st.sampled_from(ContactState),
    tries=st.integers(0, 5),
    name=st.text(max_size=5),
    change=st.sets(st.sampled_from(["state", "next_try", "name"])),
)
def test_the_same_value_as_dataclasses_replace(
    state: ContactState, tries: int, name: str, change: set[str]
) -> None:
    changes = {
        k: v for k, v in {"state": state, "next_try": tries, "name": name}.items() if k in change
    }
    fast = replace(BOB, **changes)  # type: ignore[arg-type]
    assert fast == dataclasses.replace(BOB, **changes)  # type: ignore[arg-type]
    assert fast is not BOB and type(fast) is Contact
    assert fast.pending_step(Step.THANK_YOU) is None  # a whole Contact, methods and all
    assert (BOB.state, BOB.next_try, BOB.name) == (ContactState.NEW, 0, "")  # the original kept


def test_other_core_values_and_unknown_fields() -> None:
    assert replace(ITEM, approved=True) == dataclasses.replace(ITEM, approved=True)
    decision = Decision(BOB, (), "why")
    assert replace(decision, ignored=True) == Decision(BOB, (), "why", ignored=True)
    with pytest.raises(TypeError, match=r"Contact has no field \['stat'\]"):
        replace(BOB, stat=ContactState.CLOSED)  # type: ignore[call-arg]
    with pytest.raises(dataclasses.FrozenInstanceError):
        replace(BOB).state = ContactState.CLOSED  # type: ignore[misc]
