"""What a process's news does to one of its people: the user's move, and a pause.

SPEC "Reading job-search mail": while the user owes the next message in a process (they asked
for a time, a test, documents), no follow-up goes to that company's people and the clock for
the next try starts again when the user writes; a paused process (a hiring freeze, on hold)
gets no follow-up before the stated date. Neither is a reply from the person (no try is
reset) nor a "no" (the process goes on).

Invariants: the letters the person's own news calls for (`keep_in_mind`, the source notes) and
the thank-you for an interview are never held; only follow-ups after a silence are.
"""

from __future__ import annotations

from followthru.core.effects import Decision
from followthru.core.events import MoveMade, MoveOwed, ProcessPaused
from followthru.core.history import ignore, reschedule_held, withdraw
from followthru.core.model import FOLLOW_UPS, Contact, Policy, replace


def owe_move(contact: Contact, event: MoveOwed, policy: Policy) -> Decision:
    """The user owes their organisation the next message: pending follow-ups withdrawn (not
    skipped: the same try comes back once the user has written), no new one queued."""
    if contact.owes_move:
        return Decision(contact, (), "the user's move was already awaited")
    why = "their organisation awaits your answer" + (
        f" (by {event.deadline})" if event.deadline else ""
    )
    contact, gone = withdraw(contact, FOLLOW_UPS, why)
    return Decision(replace(contact, owes_move=True), gone, f"{why}: follow-ups held")


def move_made(contact: Contact, event: MoveMade, policy: Policy) -> Decision:
    """The user wrote (or a time was confirmed): follow-ups may come again, counted from now."""
    if not contact.owes_move:
        return ignore(contact, "the user owed no move")
    last_try = contact.last_try_at
    restarted = last_try if last_try is None else max(last_try, event.at)
    contact = replace(contact, owes_move=False, last_try_at=restarted)
    return Decision(contact, (), "the user's move made: the clock for the next try restarts")


def paused(contact: Contact, event: ProcessPaused, policy: Policy) -> Decision:
    """The process is paused: follow-ups move past `until` (an earlier pause's date is kept
    when it is later)."""
    until = max(event.until, contact.paused_until or event.until)
    contact = replace(contact, paused_until=until)
    contact, moved = reschedule_held(contact, policy, f"the process is paused until {until}")
    return Decision(contact, moved, f"process paused until {until}: follow-ups move past it")
