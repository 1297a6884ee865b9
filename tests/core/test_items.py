"""core/items.py: the queue item's life as a table, and what no order of events can break."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from followthru.core.items import (
    CLOSED,
    IN_FLIGHT,
    ITEM_TRANSITIONS,
    OPEN,
    WAITING,
    ItemEvent,
    ItemStatus,
    first_status,
    item_transitions_markdown,
    next_status,
)

S, E = ItemStatus, ItemEvent
USER_DECISIONS = {E.APPROVED, E.REJECTED}
"""What only the user does (a flag, a command, a deleted draft)."""


def walk(
    start: ItemStatus, events: list[ItemEvent]
) -> list[tuple[ItemStatus, ItemEvent, ItemStatus]]:
    """The moves the table allows along `events` (refused ones change nothing)."""
    moves, status = [], start
    for event in events:
        to = next_status(status, event)
        if to is not None:
            moves.append((status, event, to))
            status = to
    return moves


def test_the_groups_cover_the_nine_statuses_once() -> None:
    assert len(ItemStatus) == 9
    assert set(ItemStatus) == WAITING | IN_FLIGHT | CLOSED
    assert not (WAITING & IN_FLIGHT or WAITING & CLOSED or IN_FLIGHT & CLOSED)
    assert {S.PENDING, S.APPROVED, S.UNCERTAIN} == OPEN


def test_a_new_item_waits_for_the_user_unless_auto_send_approved_it() -> None:
    assert first_status(approved=False) is S.PENDING
    assert first_status(approved=True) is S.APPROVED


def test_sent_is_final_and_only_a_send_or_sent_evidence_reaches_it() -> None:
    assert not [key for key in ITEM_TRANSITIONS if key[0] is S.SENT]
    into_sent = {event for (_, event), rule in ITEM_TRANSITIONS.items() if rule.to is S.SENT}
    assert into_sent == {E.DELIVERED, E.SEEN_IN_SENT}


def test_sending_is_entered_only_from_approved() -> None:
    into = {status for (status, _), rule in ITEM_TRANSITIONS.items() if rule.to is S.SENDING}
    assert into == {S.APPROVED}


def test_closed_items_never_move_again() -> None:
    for (status, event), rule in ITEM_TRANSITIONS.items():
        if status in CLOSED:
            raise AssertionError(f"{status} --{event}--> {rule.to}")


@given(st.sampled_from(list(ItemStatus)), st.lists(st.sampled_from(list(ItemEvent)), max_size=40))
def test_uncertain_is_left_only_by_the_user_or_by_sent_evidence(
    start: ItemStatus, events: list[ItemEvent]
) -> None:
    for was, event, to in walk(start, events):
        if was is S.UNCERTAIN:
            assert event in USER_DECISIONS or (event is E.SEEN_IN_SENT and to is S.SENT)
        if was is S.SENT:
            raise AssertionError(f"left sent by {event}")


@given(st.sampled_from(list(ItemStatus)), st.lists(st.sampled_from(list(ItemEvent)), max_size=60))
def test_an_item_is_sent_at_most_once_per_approval_whatever_the_order(
    start: ItemStatus, events: list[ItemEvent]
) -> None:
    """Every hand-over (`sending`) needs an approval of its own after the last one, and once
    a hand-over may have gone through (uncertain) or did (sent), nothing but the user's new
    approval leads to another."""
    approvals = 1 if start is S.APPROVED else 0
    for _, event, to in walk(start, events):
        if event is E.APPROVED:
            approvals += 1
        if to is S.SENDING:
            assert approvals >= 1, "a send without an approval"
            approvals -= 1
        if event in {E.NOT_SENT, E.STOPPED_BEFORE_DATA}:  # nothing was handed over: it stands
            approvals += 1


def test_only_a_send_that_never_reached_the_data_goes_back_to_approved() -> None:
    """From `sending`, the way back to `approved` is a failure before the hand-over (or a stop
    before it); a stop that may have come after it is `uncertain` (SPEC invariant 5)."""
    back = {
        e for (s, e), rule in ITEM_TRANSITIONS.items() if s is S.SENDING and rule.to is S.APPROVED
    }
    assert back == {E.NOT_SENT, E.STOPPED_BEFORE_DATA}
    assert next_status(S.SENDING, E.INTERRUPTED) is S.UNCERTAIN
    assert next_status(S.UNCERTAIN, E.STOPPED_BEFORE_DATA) is None


def test_every_row_says_why_and_the_table_reads_as_markdown() -> None:
    assert all(rule.does for rule in ITEM_TRANSITIONS.values())
    table = item_transitions_markdown()
    assert table.startswith("| status | event | next status | why |")
    assert "| uncertain | approved | approved | the user decided to send it again |" in table
