"""The values the core decides about: contacts, their states, steps and the cadence policy.

Invariants:
- Every value is immutable (frozen, slotted dataclasses); a change is a new value.
- Every datetime is timezone-aware; dates (reply-by, return dates) are local to
  `Policy.timezone`.
- A `Contact` is one person at one address. Its `state` belongs to exactly one flow:
  the interviewer flow, the referral flow, or none (`new`, `source`). A person who is
  both an interviewer and a source follows the interviewer flow.
- `Contact.tries_used` never exceeds the length of the contact's try sequence
  (SPEC invariant 2); `Contact.next_try` counts the tries made *or skipped*.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, NewType, TypeVar
from zoneinfo import ZoneInfo

T = TypeVar("T")

if TYPE_CHECKING:  # type-checked as `dataclasses.replace`: field names and types included
    from dataclasses import replace as replace  # noqa: PLC0414  (an explicit re-export)
else:

    def replace(value: T, /, **changes: Any) -> T:
        """`dataclasses.replace` for the core's frozen, slotted values, about twice as fast:
        the fields are copied without running `__init__` (no core value has a
        `__post_init__`). An unknown field is a TypeError, as with `replace`."""
        cls = type(value)
        names, known = _field_names(cls)
        if not known.issuperset(changes):
            raise TypeError(f"{cls.__name__} has no field {sorted(set(changes) - known)}")
        new = object.__new__(cls)
        for name in names:
            _set(new, name, changes[name] if name in changes else getattr(value, name))
        return new

    _set = object.__setattr__

    @cache
    def _field_names(cls: type) -> tuple[tuple[str, ...], frozenset[str]]:
        names = tuple(f.name for f in fields(cls))
        return names, frozenset(names)


ContactId = NewType("ContactId", str)
"""Opaque, stable id of a contact, assigned by the store (never reused)."""


class Role(StrEnum):
    """Why a person is known: an interviewer, a referral, or the source of a referral."""

    INTERVIEWER = "interviewer"
    REFERRAL = "referral"
    SOURCE = "source"


class ContactState(StrEnum):
    """Where a contact stands. The values are stored and printed as they are."""

    NEW = "new"  # known address, no flow yet (only until its registration event)
    SOURCE = "source"  # only the source of a referral: no flow of its own
    SCHEDULED = "scheduled"
    INTERVIEWED = "interviewed"
    AWAITING_REPLY = "awaiting_reply"
    IN_CONVERSATION = "in_conversation"
    NURTURE = "nurture"
    MOVED_ON = "moved_on"
    REFERRED = "referred"
    REACHED_OUT = "reached_out"
    CONNECTED = "connected"
    MET = "met"
    UNREACHABLE = "unreachable"
    CLOSED = "closed"


INTERVIEWER_STATES = frozenset(
    {
        ContactState.SCHEDULED,
        ContactState.INTERVIEWED,
        ContactState.AWAITING_REPLY,
        ContactState.IN_CONVERSATION,
        ContactState.NURTURE,
        ContactState.MOVED_ON,
    }
)
REFERRAL_STATES = frozenset(
    {ContactState.REFERRED, ContactState.REACHED_OUT, ContactState.CONNECTED, ContactState.MET}
)


class Step(StrEnum):
    """Everything the daemon can queue; each email step has a template of the same name."""

    CLOSING_CHECKLIST = "closing_checklist"
    THANK_YOU = "thank_you"
    PHONE_MESSAGE = "phone_message"
    CHECK_IN = "check_in"
    KEEP_IN_MIND = "keep_in_mind"
    STAY_IN_TOUCH = "stay_in_touch"
    REFERRAL_INTRO = "referral_intro"
    REFERRAL_CHECK_IN = "referral_check_in"
    REFERRAL_THANK_YOU = "referral_thank_you"
    SOURCE_ATTEMPTED = "source_attempted"
    SOURCE_CONNECTED = "source_connected"
    SOURCE_MET = "source_met"
    SOURCE_UNREACHABLE = "source_unreachable"
    DEBRIEF = "debrief"


class StepKind(StrEnum):
    """An email (a draft to approve) or a task (a note to self, closed with `done`)."""

    EMAIL = "email"
    TASK = "task"


class TryKind(StrEnum):
    """One entry of `Policy.tries`: an email or a phone call (a manual task)."""

    EMAIL = "email"
    PHONE = "phone"


class Outcome(StrEnum):
    """What the user (or the classifier) learned outside the cadence."""

    REJECTED = "rejected"
    OFFER = "offer"
    WITHDRAWN = "withdrawn"
    MET = "met"


TASKS = frozenset({Step.CLOSING_CHECKLIST, Step.PHONE_MESSAGE, Step.DEBRIEF})
SOURCE_NOTES = frozenset(
    {Step.SOURCE_ATTEMPTED, Step.SOURCE_CONNECTED, Step.SOURCE_MET, Step.SOURCE_UNREACHABLE}
)
"""Notes to a referral's source (the item's recipient is the source, not its owner)."""
REFERRAL_STEPS = frozenset({Step.REFERRAL_INTRO, Step.REFERRAL_CHECK_IN, Step.REFERRAL_THANK_YOU})
"""Letters to a referral (the source is named in them)."""
TRIES = frozenset(
    {Step.THANK_YOU, Step.PHONE_MESSAGE, Step.CHECK_IN, Step.REFERRAL_INTRO, Step.REFERRAL_CHECK_IN}
)
"""Steps that use up a try (SPEC invariant 2): the interviewer's three, the referral's."""
FOLLOW_UPS = frozenset(
    {Step.PHONE_MESSAGE, Step.CHECK_IN, Step.REFERRAL_CHECK_IN, Step.STAY_IN_TOUCH}
)
"""Nudges after silence: never queued after a reply until the user acts (invariant 3)."""
GAP_HELD = frozenset({Step.CHECK_IN, Step.REFERRAL_CHECK_IN, Step.STAY_IN_TOUCH})
"""Follow-up *emails*: held until `min_gap` after any earlier message (invariant 1)."""
CADENCE = TRIES | {Step.KEEP_IN_MIND, Step.STAY_IN_TOUCH}
"""While one of these is pending, nothing further is queued for the contact."""


def step_kind(step: Step) -> StepKind:
    """Whether a step is an email or a manual task."""
    return StepKind.TASK if step in TASKS else StepKind.EMAIL


@dataclass(frozen=True, slots=True)
class Interview:
    """One interview with one interviewer (a panel is one Interview per interviewer)."""

    start: datetime
    end: datetime
    role: str = ""
    company: str = ""
    reply_by: date | None = None  # the agreed "who moves next, by when" date, if any
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Pending:
    """A queued item the contact's flow waits on: a draft not yet sent or a task not done.

    `to` is the recipient (for source notes: the source, not the owner of the item).
    """

    step: Step
    due_at: datetime
    to: ContactId
    cc: tuple[ContactId, ...] = ()
    approved: bool = False
    queued_at: datetime | None = None  # when it reached the queue (None: as due)

    @property
    def kind(self) -> StepKind:
        """Email or task."""
        return step_kind(self.step)


@dataclass(frozen=True, slots=True)
class Contact:
    """One person and everything the schedule needs to know about them."""

    id: ContactId
    email: str
    name: str = ""
    company: str = ""
    company_domain: str = ""
    also: frozenset[str] = frozenset()  # alternate addresses of the same person
    roles: frozenset[Role] = frozenset()
    state: ContactState = ContactState.NEW
    source: ContactId | None = None  # for a referral: who suggested them
    interview: Interview | None = None
    pending: tuple[Pending, ...] = ()  # items this contact's flow queued, in queue order
    last_outreach_at: datetime | None = None  # latest message the user sent them (To or Cc)
    outreach_count: int = 0
    last_reply_at: datetime | None = None  # latest human reply from them
    user_to_act: bool = False  # they replied after the user last wrote, approved or decided
    last_try_at: datetime | None = None  # when the latest try was made or skipped
    next_try: int = 0  # position in the try sequence (tries made or skipped)
    tries_used: int = 0  # tries made since the last human reply
    away_until: date | None = None  # stated out-of-office return date
    paused_until: date | None = None  # their organisation paused the process until then
    owes_move: bool = False  # their organisation awaits the user's message (the user's move)
    once: frozenset[Step] = frozenset()  # once-only steps already queued (source notes, ...)
    thread: str | None = None  # Message-ID of the latest message with them, to reply to
    seen: frozenset[str] = field(default=frozenset(), repr=False)  # Message-IDs applied

    def pending_step(self, step: Step) -> Pending | None:
        """The pending item for `step`, if any."""
        return next((p for p in self.pending if p.step == step), None)

    @property
    def is_referral(self) -> bool:
        """Whether the contact follows the referral flow (an interview takes precedence)."""
        return Role.REFERRAL in self.roles and Role.INTERVIEWER not in self.roles

    @property
    def cadence_pending(self) -> bool:
        """Whether a try or nurture letter is waiting (then nothing further is queued)."""
        return any(p.step in CADENCE for p in self.pending)


_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Policy:
    """The cadence of SPEC "Configuration" (`cadence:` and `approval.auto_send`).

    Field names follow the YAML keys; `send_window` is split into `send_days`
    (weekday numbers, Monday = 0), `send_start` and `send_end` (None means 24:00).
    A zero `nurture_every` means "never".
    """

    timezone: ZoneInfo
    thank_you_after: timedelta = timedelta(0)
    check_in_after: timedelta = 7 * _DAY
    min_gap: timedelta = 7 * _DAY
    tries: tuple[TryKind, ...] = (TryKind.EMAIL, TryKind.PHONE, TryKind.EMAIL)
    give_up_after: timedelta = 7 * _DAY
    nurture_every: timedelta = 90 * _DAY
    referral_reach_out_within: timedelta = 3 * _DAY
    referral_check_ins: int = 2
    send_days: frozenset[int] = frozenset(range(5))
    send_start: time = time(9, 0)
    send_end: time | None = time(17, 0)
    draft_expires_after: timedelta = 5 * _DAY
    auto_send: frozenset[Step] = frozenset()

    @classmethod
    def default(cls, tz: ZoneInfo) -> Policy:
        """The SPEC defaults in the user's time zone."""
        return cls(timezone=tz)

    @property
    def referral_check_ins_allowed(self) -> int:
        """Check-ins after the intro, capped so that intro + check-ins <= len(tries)."""
        return max(0, min(self.referral_check_ins, len(self.tries) - 1))

    def problems(self) -> list[str]:
        """What is wrong with this policy, each as "key: what" (empty when usable)."""
        found: list[str] = []
        if not self.tries or self.tries[0] != TryKind.EMAIL:
            found.append("tries: the first try is the thank-you letter and must be `email`")
        if not self.send_days or not self.send_days <= frozenset(range(7)):
            found.append("send_window.days: name at least one day, mon..sun")
        if self.send_end is not None and self.send_end <= self.send_start:
            found.append("send_window.hours: the end must be after the start")
        negative = [n for n in _DURATIONS if getattr(self, n) < timedelta(0)]
        found += [f"{name}: must not be negative" for name in negative]
        if self.referral_check_ins < 0:
            found.append("referral_check_ins: must not be negative")
        return found


_DURATIONS = (
    "thank_you_after",
    "check_in_after",
    "min_gap",
    "give_up_after",
    "nurture_every",
    "referral_reach_out_within",
    "draft_expires_after",
)
