"""Instructions from the core to the shell, in the imperative, and the Decision carrying them.

Invariants:
- Effects are immutable values; the shell carries them out in the order given, in
  the same transaction that stores the new contact.
- An effect always concerns the contact whose decision produced it (its "owner");
  `QueueStep.to` may name another contact (a note to a referral's source).
- A `Decision` that is `ignored` has no effects and the contact unchanged, except that
  the event's Message-ID is remembered (`Contact.seen`).
- `QueueStep.approved` is true only for steps listed in `Policy.auto_send`
  (SPEC invariant 4); everything else waits for the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from followthru.core.items import ItemEvent
from followthru.core.model import Contact, ContactId, Step, StepKind


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueStep:
    """Render `step` as a draft (or a task note) and put it in the approval queue."""

    step: Step
    kind: StepKind
    due_at: datetime  # send at the first send-window opening after this (schedule.send_at)
    to: ContactId
    cc: tuple[ContactId, ...] = ()
    follows_message_id: str | None = None  # reply in this thread (In-Reply-To/References)
    approved: bool = False  # auto_send: may go out without the user's approval


@dataclass(frozen=True, slots=True, kw_only=True)
class WithdrawPending:
    """Take the queued item for `step` back (remove our draft); never send it. `how` is what
    happens to the item (items.py): withdrawn by the flow, or expired unseen by the user."""

    step: Step
    reason: str
    how: ItemEvent = ItemEvent.WITHDRAWN


@dataclass(frozen=True, slots=True, kw_only=True)
class Reschedule:
    """Move the queued item for `step` to a new due time (out-of-office, min gap)."""

    step: Step
    due_at: datetime
    reason: str


class NoticeKind(StrEnum):
    """What a notice is about (SPEC "Notices and the digest": "the user is told")."""

    MOVED_ON = "moved_on"
    UNREACHABLE = "unreachable"
    SOURCE_GONE = "source_gone"
    EXPIRED = "expired"
    UNCERTAIN = "uncertain"
    APPROVAL_REFUSED = "approval_refused"
    RECIPIENT_CHANGED = "recipient_changed"
    REFERRAL_DETECTED = "referral_detected"
    CROWDED_INVITATION = "crowded_invitation"
    INTERVIEW_MOVE_REFUSED = "interview_move_refused"
    DRAFTS_HELD = "drafts_held"
    YOUR_MOVE = "your_move"
    JOB_NEWS = "job_news"
    JOB_UNCONFIRMED = "job_unconfirmed"
    BOUNCE = "bounce"
    AWAY = "away"
    INTERVIEW_FROM_INVITATION = "interview_from_invitation"
    DEBRIEF_UNREADABLE = "debrief_unreadable"


@dataclass(frozen=True, slots=True, kw_only=True)
class NotifyUser:
    """Tell the user something they should know (moved on, unreachable, expired)."""

    kind: NoticeKind
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTimer:
    """Wake the contact up at `at` with a `TimerFired`; replaces its earlier timer."""

    at: datetime
    why: str


Effect = QueueStep | WithdrawPending | Reschedule | NotifyUser | SetTimer


@dataclass(frozen=True, slots=True)
class Decision:
    """What `machine.decide` concluded: the new contact, what to do, and why.

    `ignored` is true for events that change nothing (out of order, irrelevant, already
    processed); then `effects` is empty and `contact` is the input contact, its message
    remembered in `seen` (so the same message is ignored if it comes again).
    """

    contact: Contact
    effects: tuple[Effect, ...]
    reason: str
    ignored: bool = False
