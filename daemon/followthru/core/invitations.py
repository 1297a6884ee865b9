"""What a calendar invitation means for an attendee's interview (read by intake.invitations).

Invariants: pure and light (no reading rules imported: `plan` and the commands load it); an
older revision (lower SEQUENCE for the same UID) arriving late changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from followthru.core.events import Event, InterviewCancelled, InterviewRegistered
from followthru.core.model import Interview

DEFAULT_LENGTH = timedelta(hours=1)
"""How long an interview from an invitation without a later end lasts."""


@dataclass(frozen=True, slots=True)
class InvitationSeen:
    """An interview found in a calendar invitation, for one attendee who is not the user."""

    email: str
    uid: str
    sequence: int
    cancelled: bool
    start: datetime | None
    end: datetime | None
    summary: str


def invitation_event(
    seen: InvitationSeen, key: str, at: datetime, known_sequence: int
) -> Event | None:
    """What an invitation means for its attendee's interview, by UID and SEQUENCE: an older
    revision arriving late changes nothing; a CANCEL cancels; a start time registers (or
    moves) it, lasting DEFAULT_LENGTH when the invitation gives no later end."""
    if seen.sequence < known_sequence:
        return None
    message_id = f"{key}#{seen.email}"
    if seen.cancelled:
        return InterviewCancelled(at=at, message_id=message_id)
    if seen.start is None:
        return None
    end = seen.end if seen.end and seen.end > seen.start else seen.start + DEFAULT_LENGTH
    return InterviewRegistered(at=at, interview=Interview(seen.start, end), message_id=message_id)
