"""core/pacing.py: at most N new drafts per pass, the user told once per burst, and a held
draft's approval window counted from when it reached Drafts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from followthru.core.events import DraftWritten
from followthru.core.model import Contact, ContactId, Pending, Policy, Step
from followthru.core.pacing import draft_written, held_notice, within_cap
from followthru.core.schedule import expires_at

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
POLICY = Policy(timezone=UTC)


def test_the_first_n_oldest_due_are_written_the_rest_held() -> None:
    assert within_cap([1, 2, 3, 4, 5], 3) == ([1, 2, 3], [4, 5])
    assert within_cap([1, 2], 3) == ([1, 2], [])


def test_the_user_is_told_once_per_burst() -> None:
    first = held_notice(7, 20, told=False)
    assert first is not None and "7 more" in first and "approval.max_drafts_per_pass" in first
    assert held_notice(7, 20, told=True) is None  # the same burst, a later pass
    assert held_notice(0, 20, told=False) is None  # nothing held: no burst


def test_a_held_draft_expires_counting_from_when_it_reached_drafts() -> None:
    item = Pending(step=Step.THANK_YOU, due_at=T0, to=ContactId("1"), queued_at=T0)
    contact = Contact(ContactId("1"), "bob@acme.example", pending=(item,))
    shown_at = T0 + timedelta(days=2)
    decision = draft_written(contact, DraftWritten(at=shown_at, step=Step.THANK_YOU), POLICY)
    [after] = decision.contact.pending
    assert expires_at(item, POLICY) == T0 + POLICY.draft_expires_after
    assert expires_at(after, POLICY) == shown_at + POLICY.draft_expires_after
    assert not decision.ignored and decision.effects == ()


def test_an_approved_or_missing_item_is_not_touched() -> None:
    approved = Pending(step=Step.THANK_YOU, due_at=T0, to=ContactId("1"), approved=True)
    contact = Contact(ContactId("1"), "bob@acme.example", pending=(approved,))
    event = DraftWritten(at=T0 + timedelta(days=1), step=Step.THANK_YOU)
    assert draft_written(contact, event, POLICY).ignored
    other = DraftWritten(at=T0, step=Step.CHECK_IN)
    assert draft_written(Contact(ContactId("1"), "b@x.example"), other, POLICY).ignored
