"""What a calendar invitation means for an attendee's interview (read by intake.invitations).

Invariants: pure and light (no reading rules imported: `plan` and the commands load it); an
older revision (lower SEQUENCE for the same UID) arriving late changes nothing.

Mail must not steer the daemon: anyone can send an invitation that names a contact, with the
same UID and a higher SEQUENCE. An invitation that would change the time of an interview
already registered, or cancel it, is applied only when its sender has standing (`Standing`):
the ORGANIZER of the invitation that first registered it, a known contact of that process (an
interviewer or referral at that company, the attendee included), or the user (from Sent).
Otherwise nothing changes and the user is told (`MoveRefused`). A re-sent invitation of the
same time from someone without standing changes nothing either (it would restart the cadence).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from followthru.core.events import Event, InterviewCancelled, InterviewRegistered
from followthru.core.model import Contact, Interview, Role

DEFAULT_LENGTH = timedelta(hours=1)
"""How long an interview from an invitation without a later end lasts."""

PROCESS_ROLES = frozenset({Role.INTERVIEWER, Role.REFERRAL})
"""The records that make a sender a known contact of a process."""


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
    organizer: str = ""  # the event's ORGANIZER address, lowercased ("" when it names none)


@dataclass(frozen=True, slots=True)
class Standing:
    """What the rule knows of an invitation's sender, for one attendee's interview."""

    sender: str  # the From address, lowercased
    organizer: str = ""  # ORGANIZER of the invitation that first registered the interview
    from_user: bool = False  # the user's own message, read from Sent
    of_process: bool = False  # a known interviewer or referral at that company (`of_process`)

    @property
    def may_change(self) -> bool:
        by_organizer = bool(self.organizer) and self.sender == self.organizer
        return self.from_user or self.of_process or by_organizer


@dataclass(frozen=True, slots=True)
class MoveRefused:
    """An invitation without standing that would have moved or cancelled an interview:
    nothing changes; `text` tells the user."""

    email: str
    sender: str
    text: str


def of_process(sender: Contact | None, attendee: Contact) -> bool:
    """Whether the sender is a known contact of the attendee's process: the attendee, or an
    interviewer or referral record at the same company (by its domain, else by its name)."""
    if sender is None:
        return False
    if sender.id == attendee.id:
        return True
    if not sender.roles & PROCESS_ROLES:
        return False
    same_domain = bool(attendee.company_domain) and sender.company_domain == attendee.company_domain
    names = sender.company.strip().lower(), attendee.company.strip().lower()
    return same_domain or (bool(names[0]) and names[0] == names[1])


def invitation_event(
    seen: InvitationSeen,
    key: str,
    at: datetime,
    known_sequence: int,
    registered: Interview | None = None,
    standing: Standing | None = None,
) -> Event | MoveRefused | None:
    """What an invitation means for its attendee's interview, by UID and SEQUENCE: an older
    revision arriving late changes nothing; a CANCEL cancels; a start time registers (or
    moves) it, lasting DEFAULT_LENGTH when the invitation gives no later end. When an
    interview is `registered` already, only a sender with `standing` may change it."""
    if seen.sequence < known_sequence:
        return None
    event = _meaning(seen, key, at)
    if event is None or registered is None or (standing is not None and standing.may_change):
        return event
    if isinstance(event, InterviewRegistered) and _same_time(event.interview, registered):
        return None  # nothing to move; re-registering would restart the cadence
    return _refused(seen, standing, registered)


def _meaning(seen: InvitationSeen, key: str, at: datetime) -> Event | None:
    message_id = f"{key}#{seen.email}"
    if seen.cancelled:
        return InterviewCancelled(at=at, message_id=message_id)
    if seen.start is None:
        return None
    end = seen.end if seen.end and seen.end > seen.start else seen.start + DEFAULT_LENGTH
    return InterviewRegistered(at=at, interview=Interview(seen.start, end), message_id=message_id)


def _same_time(new: Interview, registered: Interview) -> bool:
    return (new.start, new.end) == (registered.start, registered.end)


def _refused(seen: InvitationSeen, standing: Standing | None, registered: Interview) -> MoveRefused:
    sender = standing.sender if standing is not None and standing.sender else "an unknown sender"
    change = "cancel" if seen.cancelled else f"move to {_when(seen.start)}"
    text = (
        f"An invitation from {sender} ('{seen.summary}') would {change} the interview with "
        f"{seen.email} registered for {_when(registered.start)}. It was not applied: its sender "
        "is neither the organizer of that interview nor a known contact of that process. If "
        "the change is real, it takes effect when the organizer sends it."
    )
    return MoveRefused(seen.email, sender, text)


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="minutes") if moment is not None else "an unknown time"
