"""The referral flow's own steps: intro with the source in Cc, check-ins, notes to the source.

Invariants:
- The intro goes to the referral with the source in Cc; reaching out without the
  source queues one `source_attempted` note instead.
- Each note to the source (`source_attempted`, `source_connected`, `source_met`,
  `source_unreachable`) and the `referral_thank_you` is queued at most once
  (`Contact.once`); `source_unreachable` only when the referral was never reached.
- A reply-all from the source in the referral's thread never moves the referral.
- Intro plus check-ins never exceed `len(tries)` (`Policy.referral_check_ins_allowed`).
"""

from __future__ import annotations

from datetime import datetime

from followthru.core.effects import Decision, NoticeKind, NotifyUser
from followthru.core.events import (
    OutboundSeen,
    OutcomeRecorded,
    ReferralRegistered,
    ReplyReceived,
)
from followthru.core.history import (
    NOT_NOTES,
    Change,
    count_own_try,
    ignore,
    queue,
    record_reply,
    withdraw,
)
from followthru.core.model import CADENCE, Contact, ContactState, Policy, Role, Step, replace
from followthru.core.schedule import hold
from followthru.core.window import next_opening

_CALLED_OFF = CADENCE | {Step.SOURCE_UNREACHABLE}


def start_referral(contact: Contact, event: ReferralRegistered, policy: Policy) -> Decision:
    """`referred`: the intro is drafted at once, with the source in Cc."""
    contact = replace(
        contact,
        roles=contact.roles | {Role.REFERRAL},
        source=event.source,
        state=ContactState.REFERRED,
        next_try=0,
        thread=event.message_id or contact.thread,
    )
    return _draft_intro(contact, event.at, policy, "referred: intro drafted with the source in Cc")


def redraft_intro(contact: Contact, event: ReferralRegistered, policy: Policy) -> Decision:
    """Registered again before any outreach: the intro is drafted again if it lapsed."""
    if contact.pending_step(Step.REFERRAL_INTRO) is not None:
        return ignore(contact, "already referred: the intro is waiting for approval")
    contact = replace(contact, source=event.source, next_try=0)
    return _draft_intro(contact, event.at, policy, "referred again: intro drafted again")


def _draft_intro(contact: Contact, at: datetime, policy: Policy, reason: str) -> Decision:
    cc = (contact.source,) if contact.source is not None else ()
    due = next_opening(at, policy)
    contact, queued = queue(contact, Step.REFERRAL_INTRO, due, policy, cc=cc, at=at)
    return Decision(contact, queued, reason)


def _tell_source(contact: Contact, step: Step, at: datetime, policy: Policy) -> Change:
    if contact.source is None:
        return contact, ()
    return queue(contact, step, next_opening(at, policy), policy, to=contact.source, at=at)


def reached(contact: Contact, event: OutboundSeen, had_intro: bool, policy: Policy) -> Change:
    """The first message to the referral: `reached_out`; tell the source if left out of Cc."""
    if contact.state is not ContactState.REFERRED or contact.id not in event.to:
        return contact, ()
    if not had_intro:
        contact = count_own_try(contact, event.at)
    contact = replace(contact, state=ContactState.REACHED_OUT)
    if contact.source is None or contact.source in event.to | event.cc:
        return contact, ()
    return _tell_source(contact, Step.SOURCE_ATTEMPTED, event.at, policy)


def from_source(contact: Contact, event: ReplyReceived) -> bool:
    """Whether a reply in the referral's thread was written by its source."""
    return event.sender is not None and event.sender == contact.source


SOURCE_REPLY = "a reply-all from the source: logged as the source's activity"


def connect(contact: Contact, event: ReplyReceived, policy: Policy) -> Decision:
    """The referral replied: `connected`, and the source hears that things are moving."""
    if from_source(contact, event):
        return ignore(contact, SOURCE_REPLY)
    contact, gone = withdraw(record_reply(contact, event), _CALLED_OFF, "the referral replied")
    contact, note = _tell_source(contact, Step.SOURCE_CONNECTED, event.at, policy)
    contact = replace(contact, state=ContactState.CONNECTED)
    return Decision(contact, gone + note, "the referral replied: connected, the source is told")


def met(contact: Contact, event: OutcomeRecorded, policy: Policy) -> Decision:
    """`met`: a thank-you to the referral and a note to the source."""
    contact, gone = withdraw(contact, _CALLED_OFF, "you met")
    due = hold(event.at, Step.REFERRAL_THANK_YOU, contact, policy)
    contact, thanks = queue(contact, Step.REFERRAL_THANK_YOU, due, policy, at=event.at)
    contact, note = _tell_source(contact, Step.SOURCE_MET, event.at, policy)
    contact = replace(contact, state=ContactState.MET)
    return Decision(contact, gone + thanks + note, "met: thank-you and a note to the source")


def give_up(contact: Contact, at: datetime, policy: Policy, why: str,
            kind: NoticeKind = NoticeKind.UNREACHABLE) -> Decision:  # fmt: skip
    """`unreachable`; the source hears what was tried, once, if the referral was never reached."""
    never_reached = contact.state in (ContactState.REFERRED, ContactState.REACHED_OUT)
    contact, gone = withdraw(contact, NOT_NOTES, why)
    told: Change = (contact, ())
    if never_reached:
        told = _tell_source(contact, Step.SOURCE_UNREACHABLE, at, policy)
    contact = replace(told[0], state=ContactState.UNREACHABLE)
    note = NotifyUser(
        kind=kind,
        text=f"{contact.email} is unreachable ({why}); nothing more goes there.",
    )
    return Decision(contact, (*gone, *told[1], note), f"{why}: unreachable")
