"""Facts the core is told about, in the past tense; one contact's log is a list of them.

Invariants:
- Events are immutable values; `at` is an aware datetime (when it happened, not when
  the daemon noticed).
- Events that come from a message carry its `message_id` (or the shell's stable hash
  when the message has none); the core ignores a message it has already applied.
- A contact's log starts with `ContactAdded`; `machine.replay()` folds the rest.
- The shell delivers a message event to every known contact it concerns: an
  `OutboundSeen` to each contact in To and Cc and to the `owner` of the queued item
  it carries; a `ReplyReceived` to the contact it correlates with (and, for a
  reply-all from a source in a referral thread, to the source as well).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from followthru.core.model import ContactId, Interview, Outcome, Step


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactAdded:
    """A person became known (by a command, a referral detection or an invitation)."""

    at: datetime
    contact: ContactId
    email: str
    name: str = ""
    company: str = ""
    company_domain: str = ""
    also: frozenset[str] = frozenset()
    message_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressLearned:
    """Another address of this contact: a colleague the user wrote to in their place (their
    replies then count for this contact's process)."""

    at: datetime
    address: str
    message_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InterviewRegistered:
    """An interview with this contact was added (a command or a calendar invitation)."""

    at: datetime
    interview: Interview
    message_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DebriefAnswered:
    """The user's debrief of this contact's interview: their notes (values, `concern:` lines)
    and the date they were given, if any (it becomes the interview's reply-by date)."""

    at: datetime
    notes: tuple[str, ...] = ()
    reply_by: date | None = None
    message_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InterviewHeld:
    """The interview's end time passed."""

    at: datetime
    message_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InterviewCancelled:
    """The interview was called off (a calendar CANCEL) before it took place."""

    at: datetime
    message_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferralRegistered:
    """This contact was suggested as a referral by `source`."""

    at: datetime
    source: ContactId
    message_id: str | None = None  # the introducing message, when detected from one


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferralSuggested:
    """This contact suggested `referral`: it becomes a source."""

    at: datetime
    referral: ContactId
    message_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboundSeen:
    """A message from the user was sent (by us) or seen in Sent (whoever sent it).

    `to`/`cc` are the known contacts among the recipients. `step` and `owner` are set
    when it was one of our queued items (`owner` is the contact whose flow queued it);
    `auto_sent` when it went out under `auto_send`, without the user approving it.
    """

    at: datetime
    message_id: str
    to: frozenset[ContactId]
    cc: frozenset[ContactId] = frozenset()
    step: Step | None = None
    owner: ContactId | None = None
    auto_sent: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplyReceived:
    """A human reply from the contact or their organisation.

    `sender` is the known contact who wrote it (None: a colleague at the same company).
    """

    at: datetime
    message_id: str
    sender: ContactId | None = None
    reply_by: date | None = None  # a date they stated ("we'll get back to you by ...")


@dataclass(frozen=True, slots=True, kw_only=True)
class AutoReplyReceived:
    """An automatic reply (RFC 3834 or out-of-office)."""

    at: datetime
    message_id: str
    return_date: date | None = None
    left_company: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class BounceReceived:
    """A delivery failure naming the contact's address."""

    at: datetime
    message_id: str
    permanent: bool
    status: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeRecorded:
    """What the user (or the classifier) learned: rejected, offer, withdrawn, met."""

    at: datetime
    outcome: Outcome
    message_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TimerFired:
    """A due time the shell was asked to wake up for has passed (`at` is the clock)."""

    at: datetime
    message_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftApproved:
    """The user approved the pending draft for `step` (flag or `followthru approve`)."""

    at: datetime
    step: Step
    message_id: str | None = None


class Discarded(StrEnum):
    """How a queued item was discarded."""

    REJECTED = "rejected"  # `followthru reject`
    DELETED = "deleted"  # the user deleted our draft in their mail client
    EXPIRED = "expired"  # nobody acted on it within its time


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftRejected:
    """The pending item for `step` was discarded; the cadence goes on as if skipped."""

    at: datetime
    step: Step
    why: Discarded = Discarded.REJECTED
    message_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskDone:
    """The user marked the pending task for `step` as done (`followthru done`)."""

    at: datetime
    step: Step
    message_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftWritten:
    """The pending item for `step` reached the user's Drafts only now, later than it was
    queued (held back by the per-pass cap on drafts): its approval window starts now."""

    at: datetime
    step: Step
    message_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MoveOwed:
    """Their organisation asked the user for something (a time, a test, documents): the user
    owes the next message, so no follow-up goes to them until the user writes (SPEC "Reading
    job-search mail": the user's move)."""

    at: datetime
    message_id: str
    deadline: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MoveMade:
    """The user wrote to their organisation (its recruiter, the ATS's thread), or a time was
    confirmed: the user's move is made and the clock for the next try starts again."""

    at: datetime
    message_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessPaused:
    """Their organisation paused the process (a hiring freeze, on hold, a decision delayed):
    no follow-up before `until`. Not a "no"."""

    at: datetime
    message_id: str
    until: date


Event = (
    ContactAdded
    | AddressLearned
    | InterviewRegistered
    | InterviewHeld
    | InterviewCancelled
    | ReferralRegistered
    | ReferralSuggested
    | OutboundSeen
    | ReplyReceived
    | AutoReplyReceived
    | BounceReceived
    | OutcomeRecorded
    | TimerFired
    | DraftApproved
    | DraftRejected
    | TaskDone
    | DraftWritten
    | MoveOwed
    | MoveMade
    | ProcessPaused
    | DebriefAnswered
)


class EventKey(StrEnum):
    """The column of the transition table: an event type, split where SPEC splits it."""

    CONTACT_ADDED = "contact_added"
    ADDRESS_LEARNED = "address_learned"
    INTERVIEW_REGISTERED = "interview_registered"
    INTERVIEW_HELD = "interview_held"
    INTERVIEW_CANCELLED = "interview_cancelled"
    REFERRAL_REGISTERED = "referral_registered"
    REFERRAL_SUGGESTED = "referral_suggested"
    OUTBOUND_SEEN = "outbound_seen"
    REPLY = "reply"
    AUTO_REPLY = "auto_reply"
    LEFT_COMPANY = "auto_reply_left_company"
    BOUNCE = "bounce"
    SOFT_BOUNCE = "bounce_temporary"
    OUTCOME_REJECTED = "outcome_rejected"
    OUTCOME_OFFER = "outcome_offer"
    OUTCOME_WITHDRAWN = "outcome_withdrawn"
    OUTCOME_MET = "outcome_met"
    TIMER = "timer"
    APPROVED = "approved"
    REJECTED_DRAFT = "rejected_draft"
    TASK_DONE = "task_done"
    DRAFT_WRITTEN = "draft_written"
    MOVE_OWED = "move_owed"
    MOVE_MADE = "move_made"
    PAUSED = "paused"
    DEBRIEF_ANSWERED = "debrief_answered"


_KEYS: dict[type[Event], EventKey] = {
    ContactAdded: EventKey.CONTACT_ADDED,
    AddressLearned: EventKey.ADDRESS_LEARNED,
    InterviewRegistered: EventKey.INTERVIEW_REGISTERED,
    InterviewHeld: EventKey.INTERVIEW_HELD,
    InterviewCancelled: EventKey.INTERVIEW_CANCELLED,
    ReferralRegistered: EventKey.REFERRAL_REGISTERED,
    ReferralSuggested: EventKey.REFERRAL_SUGGESTED,
    OutboundSeen: EventKey.OUTBOUND_SEEN,
    ReplyReceived: EventKey.REPLY,
    TimerFired: EventKey.TIMER,
    DraftApproved: EventKey.APPROVED,
    DraftRejected: EventKey.REJECTED_DRAFT,
    TaskDone: EventKey.TASK_DONE,
    DraftWritten: EventKey.DRAFT_WRITTEN,
    MoveOwed: EventKey.MOVE_OWED,
    MoveMade: EventKey.MOVE_MADE,
    ProcessPaused: EventKey.PAUSED,
    DebriefAnswered: EventKey.DEBRIEF_ANSWERED,
}


def event_key(event: Event) -> EventKey:
    """The transition-table column for `event`."""
    if isinstance(event, AutoReplyReceived):
        return EventKey.LEFT_COMPANY if event.left_company else EventKey.AUTO_REPLY
    if isinstance(event, BounceReceived):
        return EventKey.BOUNCE if event.permanent else EventKey.SOFT_BOUNCE
    if isinstance(event, OutcomeRecorded):
        return EventKey(f"outcome_{event.outcome.value}")
    return _KEYS[type(event)]


EVENT_NAMES: dict[str, str] = {
    ContactAdded.__name__: "contact_added",
    AddressLearned.__name__: "address_learned",
    InterviewRegistered.__name__: "interview_registered",
    InterviewHeld.__name__: "interview_held",
    InterviewCancelled.__name__: "interview_cancelled",
    ReferralRegistered.__name__: "referral_registered",
    ReferralSuggested.__name__: "referral_suggested",
    OutboundSeen.__name__: "outbound_seen",
    ReplyReceived.__name__: "reply",
    AutoReplyReceived.__name__: "auto_reply",
    BounceReceived.__name__: "bounce",
    OutcomeRecorded.__name__: "outcome",
    TimerFired.__name__: "timer",
    DraftApproved.__name__: "approved",
    DraftRejected.__name__: "rejected_draft",
    TaskDone.__name__: "task_done",
    DraftWritten.__name__: "draft_written",
    MoveOwed.__name__: "move_owed",
    MoveMade.__name__: "move_made",
    ProcessPaused.__name__: "paused",
    DebriefAnswered.__name__: "debrief_answered",
}
"""An event's public name (SPEC "Events"; `show --json` prints it), by its type tag."""


def event_name(tag: str) -> str:
    """The lowercase snake_case name of the event stored under `tag`, never a class name."""
    known = EVENT_NAMES.get(tag)
    if known is not None:
        return known
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in tag).lstrip("_")
