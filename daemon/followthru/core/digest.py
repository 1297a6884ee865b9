"""The daily digest: when it is due, and what it says (SPEC "Notices and the digest").

Invariants: pure (time passed in); at most one digest a local day, on `digest_days`, at or
after `digest_at`; a digest with nothing to say is never written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

URGENT_KINDS = frozenset({"uncertain", "approval_refused", "bounce"})
"""Notices the user must see at once, as a short note of their own (`notify.urgent`)."""
MARKER = "X-Followthru-Note"
"""The header on followthru's own digests and notes: never read as mail from anyone."""


@dataclass(frozen=True, slots=True)
class Line:
    """One row of a digest table: when (display text), what, about whom."""

    when: str
    what: str
    who: str


@dataclass(frozen=True, slots=True)
class Digest:
    """What waits for the user, what happened since the last digest, what is coming."""

    day: date
    waiting: tuple[Line, ...]
    happened: tuple[Line, ...]
    coming: tuple[Line, ...]
    waiting_count: int = 0  # every item that waits (`waiting` shows the first of them)

    @property
    def waiting_total(self) -> int:
        """How many items wait, shown or not."""
        return max(self.waiting_count, len(self.waiting))

    @property
    def empty(self) -> bool:
        """Nothing waits and nothing happened: no digest (what is coming alone is no news)."""
        return not self.waiting and not self.happened


def digest_due(now: datetime, zone: tzinfo, at: time | None, days: frozenset[int],
               last_day: date | None) -> bool:  # fmt: skip
    """Whether today's digest is due: a digest day, its time passed, none written today."""
    if at is None:
        return False
    local = now.astimezone(zone)
    return local.weekday() in days and local.time() >= at and last_day != local.date()
