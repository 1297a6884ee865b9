"""How many new drafts one pass writes to the user's Drafts, and when the user hears of the rest.

A flood of mail (invitations spread over many messages, each within the attendee cap) can
queue hundreds of items at once; writing them all would bury the user's Drafts folder. A pass
writes at most `max_drafts_per_pass` new drafts, the oldest due first; the rest stay queued,
rendered, for the next pass (never lost, never expired for it). The user is told once per
burst: by the first pass that holds some back, and again only after a pass that held none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

from followthru.core.effects import Decision
from followthru.core.events import DraftWritten
from followthru.core.history import ignore
from followthru.core.model import Contact, Policy

T = TypeVar("T")


def within_cap(new: Sequence[T], cap: int) -> tuple[Sequence[T], Sequence[T]]:
    """(written now, held for the next pass) of the new drafts, given oldest due first."""
    return new[:cap], new[cap:]


def held_notice(held: int, cap: int, told: bool) -> str | None:
    """What to tell the user about drafts held back, unless this burst was told already."""
    if held == 0 or told:
        return None
    return (
        f"Many drafts came at once: followthru writes at most {cap} to your Drafts folder per pass "
        f"(approval.max_drafts_per_pass), and {held} more wait for the next passes, oldest first. "
        "Nothing is lost; each one's approval time starts when it reaches Drafts. A flood like "
        "this often comes from mass or forged mail: check `followthru queue`."
    )


def draft_written(contact: Contact, event: DraftWritten, policy: Policy) -> Decision:
    """A held draft reached Drafts: its approval window (schedule.expires_at) counts from now,
    as for an item queued late (SPEC "Catch-up")."""
    item = contact.pending_step(event.step)
    if item is None or item.approved:
        return ignore(contact, "no unapproved item for that step is waiting")
    shown = replace(item, queued_at=max(item.queued_at or item.due_at, event.at))
    pending = tuple(shown if p is item else p for p in contact.pending)
    reason = "its draft reached Drafts only now: its approval window starts now"
    return Decision(replace(contact, pending=pending), (), reason)
