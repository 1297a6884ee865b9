"""A queued item's life: the SPEC's nine statuses and ITEM_TRANSITIONS, the table that moves them.

Rule 1: every status change of an item, anywhere, is a row of ITEM_TRANSITIONS: (status,
event) -> the next status, with a line saying why. A pair that is not a row is refused
(`next_status` gives None) and the item keeps its status; the caller says so in its log.
Rule 2: `sent` is final. `uncertain` (a send that may have been delivered) is left only by
the user's decision (`approved` again: send it again; `rejected`) or by the evidence that
it was sent (its Message-ID seen in Sent): never towards a send on the daemon's own.
Rule 3: `sending` is entered only from `approved`, so an item goes out at most once for each
time it was approved; after a send that may have gone through it is `uncertain`, and only
the user approves it again (SPEC invariant 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from followthru.core.model import StepKind


class ItemStatus(StrEnum):
    """Where a queued item stands; the values are stored and printed as they are."""

    PENDING = "pending"  # waiting for the user (a draft to approve, a task to do)
    APPROVED = "approved"  # goes out at its time, inside the send window
    SENDING = "sending"  # committed right before the first byte goes out
    SENT = "sent"
    DONE = "done"  # a task the user did
    UNCERTAIN = "uncertain"  # the send may have gone through: the user decides
    WITHDRAWN = "withdrawn"  # the contact's flow let go of it (a reply, an outcome)
    REJECTED = "rejected"  # the user discarded it, or the server refused it for good
    EXPIRED = "expired"  # nobody acted on it in time


class ItemEvent(StrEnum):
    """What can happen to an item."""

    APPROVED = "approved"  # the user approved it (flag, `approve`); from uncertain: send again
    REJECTED = "rejected"  # the user discarded it (`reject`, the draft deleted)
    DONE = "done"  # the user did the task
    WITHDRAWN = "withdrawn"  # the contact's flow no longer holds it
    EXPIRED = "expired"  # its approval window passed
    HELD = "held"  # approved, but it cannot go out as it is (a placeholder left)
    SEND_STARTED = "send_started"  # the sender is about to hand it over
    DELIVERED = "delivered"  # the server took it (250 after the data)
    NOT_SENT = "not_sent"  # it failed before the data was handed over: it waits again
    REFUSED = "refused"  # the server refused it for good (5xx)
    SEND_UNKNOWN = "send_unknown"  # no answer after the data: it may have been delivered
    INTERRUPTED = "interrupted"  # the daemon stopped during the send
    SEEN_IN_SENT = "seen_in_sent"  # its Message-ID is in the user's Sent folder
    NOTE_SENT = "note_sent"  # a task's note to self, sent to themselves from the mail client
    STOPPED_BEFORE_DATA = "stopped_before_data"  # the daemon stopped before the data went


S, E = ItemStatus, ItemEvent

WAITING = frozenset({S.PENDING, S.APPROVED})
"""The contact's flow holds these; their draft stays in Drafts."""
OPEN = WAITING | {S.UNCERTAIN}
"""What `followthru queue` lists and the user can act on."""
IN_FLIGHT = frozenset({S.SENDING, S.UNCERTAIN})
"""A send that started and whose end is not known: its draft stays until it is settled."""
CLOSED = frozenset(S) - WAITING - IN_FLIGHT
"""Over: their draft, if any, leaves Drafts."""


@dataclass(frozen=True, slots=True)
class ItemRule:
    """One row: the next status and why."""

    to: ItemStatus
    does: str


def _rows() -> dict[tuple[ItemStatus, ItemEvent], ItemRule]:
    rows: dict[tuple[ItemStatus, ItemEvent], ItemRule] = {}

    def on(states: frozenset[ItemStatus] | set[ItemStatus], event: ItemEvent, to: ItemStatus,
           does: str) -> None:  # fmt: skip
        rows.update({(state, event): ItemRule(to, does) for state in states})

    on({S.PENDING}, E.APPROVED, S.APPROVED, "approved: it goes out at its time")
    on({S.UNCERTAIN}, E.APPROVED, S.APPROVED, "the user decided to send it again")
    on(OPEN, E.REJECTED, S.REJECTED, "discarded by the user: never sent")
    on({S.PENDING}, E.DONE, S.DONE, "the task is done")
    on(WAITING, E.WITHDRAWN, S.WITHDRAWN, "the contact's flow let go of it: never sent")
    on({S.PENDING}, E.EXPIRED, S.EXPIRED, "nobody acted on it in time: skipped")
    on({S.APPROVED}, E.HELD, S.PENDING, "it cannot go out as it is: back to the user")
    on({S.APPROVED}, E.SEND_STARTED, S.SENDING, "handed to the sender")
    on({S.SENDING}, E.DELIVERED, S.SENT, "the server took it")
    on({S.SENDING}, E.NOT_SENT, S.APPROVED, "not handed over: it waits for the next try")
    on({S.SENDING}, E.REFUSED, S.REJECTED, "refused by the server for good: never sent")
    on({S.SENDING}, E.SEND_UNKNOWN, S.UNCERTAIN, "it may have been delivered: the user decides")
    on({S.SENDING}, E.INTERRUPTED, S.UNCERTAIN, "the daemon stopped mid-send: the user decides")
    on({S.SENDING}, E.STOPPED_BEFORE_DATA, S.APPROVED,
       "the daemon stopped before handing the data over: it cannot have gone, it waits again")  # fmt: skip
    on(WAITING | IN_FLIGHT, E.SEEN_IN_SENT, S.SENT, "found in Sent: it went out")
    on({S.PENDING}, E.NOTE_SENT, S.DONE, "the note to self was sent from the mail client: done")
    return rows


ITEM_TRANSITIONS: dict[tuple[ItemStatus, ItemEvent], ItemRule] = _rows()
"""(status, event) -> ItemRule. Pairs not in the table are refused."""


def next_status(status: ItemStatus, event: ItemEvent) -> ItemStatus | None:
    """The status `event` moves an item in `status` to, or None when the table refuses it."""
    rule = ITEM_TRANSITIONS.get((status, event))
    return None if rule is None else rule.to


def found_in_sent(kind: StepKind) -> ItemEvent:
    """What our message found in Sent means: an email went out; a task's note to self sent to
    oneself from the mail client marks the task done (SPEC "Notes the user answers")."""
    return E.NOTE_SENT if kind is StepKind.TASK else E.SEEN_IN_SENT


def first_status(approved: bool) -> ItemStatus:
    """A new item waits for the user, unless `auto_send` approved it (SPEC invariant 4)."""
    return S.APPROVED if approved else S.PENDING


def item_transitions_markdown() -> str:
    """The table as Markdown, rows merged where statuses share a rule."""
    merged: dict[tuple[ItemEvent, ItemStatus, str], list[ItemStatus]] = {}
    for (status, event), rule in ITEM_TRANSITIONS.items():
        merged.setdefault((event, rule.to, rule.does), []).append(status)
    order = list(ItemStatus)
    lines = ["| status | event | next status | why |", "|---|---|---|---|"]
    for (event, to, does), states in sorted(
        merged.items(),
        key=lambda row: (min(map(order.index, row[1])), list(ItemEvent).index(row[0][0])),
    ):
        names = ", ".join(s.value for s in sorted(states, key=order.index))
        lines.append(f"| {names} | {event.value} | {to.value} | {does} |")
    return "\n".join(lines) + "\n"
