"""Parsed message -> what kind of mail it is and what it says, in SPEC order.

Order: bounce, auto-reply, invitation, automated, personal; the first kind whose rules
fire wins, and its reason says which rule. One exception runs before the auto-reply rules:
a person's answer sent through a helpdesk that stamps Auto-Submitted on every reply is
personal (autoreply.helpdesk_answer says when). Personal mail also carries signals
(rejection, offer, scheduling) and a reply-by date, read from the new text only. Every kind
but a bounce also gets a job reading (core.reading.jobs) when the caller passes the rules.

Invariants: pure (stdlib + core only); never reads the clock: relative dates are read
against the message's Date, else the caller's `reference_time`, else not at all;
`classification_json` produces the `followthru classify --json` object of the SPEC.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from followthru.core.reading import automated, autoreply, bounce, jobs, phrases, quotes
from followthru.core.reading.autoreply import AutoReplyInfo
from followthru.core.reading.bounce import BouncedRecipient, BounceInfo
from followthru.core.reading.jobrules import JobRules
from followthru.core.reading.jobs import JobReading
from followthru.core.reading.message import CalendarEvent, Message

__all__ = [
    "AutoReplyInfo",
    "BounceInfo",
    "BouncedRecipient",
    "Classification",
    "InvitationInfo",
    "JobReading",
    "Kind",
    "classification_json",
    "classify",
    "quarantined",
]


class Kind(StrEnum):
    BOUNCE = "bounce"
    AUTO_REPLY = "auto-reply"
    INVITATION = "invitation"
    AUTOMATED = "automated"
    PERSONAL = "personal"
    QUARANTINE = "quarantine"  # could not be parsed; only adapters produce it


@dataclass(frozen=True, slots=True)
class InvitationInfo:
    """The calendar events of an invitation; `method` is REQUEST or CANCEL."""

    method: str
    events: tuple[CalendarEvent, ...]


@dataclass(frozen=True, slots=True)
class Classification:
    kind: Kind
    reason: str
    bounce: BounceInfo | None = None
    auto_reply: AutoReplyInfo | None = None
    invitation: InvitationInfo | None = None
    signals: tuple[str, ...] = ()
    reply_by: date | None = None
    job: JobReading | None = None


def quarantined(error: str) -> Classification:
    """The result for a message that could not be parsed."""
    return Classification(Kind.QUARANTINE, f"unparseable: {error}")


def _reference(msg: Message, reference_time: datetime | None) -> date | None:
    when = msg.date or reference_time
    return when.date() if when is not None else None


def _bounce(msg: Message) -> Classification | None:
    reason = bounce.detect(msg)
    if reason is None:
        return None
    return Classification(Kind.BOUNCE, reason, bounce=bounce.read_bounce(msg))


def _auto_reply(msg: Message, new: str, ref: date | None) -> Classification | None:
    reason = autoreply.detect(msg, new)
    if reason is None:
        return None
    info = autoreply.read_auto_reply(msg, new, ref)
    return Classification(Kind.AUTO_REPLY, reason, auto_reply=info)


_INVITING_METHODS = ("REQUEST", "CANCEL", "ADD")


def _inviting(ev: CalendarEvent) -> bool:
    """REQUEST/CANCEL/ADD invite. So does an event with a start time whose calendar has no
    METHOD at all (ATS attachments), or says PUBLISH inside a part sent as method=REQUEST
    (scheduling tools): what is sent to a person with a time is an invitation. A bare
    PUBLISH (a shared calendar, an event listing) is not."""
    if ev.method in _INVITING_METHODS:
        return True
    if ev.start is None:
        return False
    return ev.method == "" or (ev.method == "PUBLISH" and ev.part_method == "REQUEST")


def _invitation_method(ev: CalendarEvent) -> str:
    if ev.method == "CANCEL" or (ev.method not in _INVITING_METHODS and ev.status == "CANCELLED"):
        return "CANCEL"
    return "REQUEST"


def _invitation(msg: Message) -> Classification | None:
    wanted = [ev for ev in msg.calendar if _inviting(ev)]
    if not wanted:
        return None
    first = wanted[0]
    method = _invitation_method(first)
    written = f"METHOD:{first.method}" if first.method else "no METHOD"
    said = "" if first.method == method else f" ({written}, read as {method})"
    reason = f"text/calendar METHOD:{method}{said} (UID {first.uid}, SEQUENCE {first.sequence})"
    return Classification(Kind.INVITATION, reason, invitation=InvitationInfo(method, tuple(wanted)))


def _automated(msg: Message) -> Classification | None:
    reason = automated.detect(msg)
    return Classification(Kind.AUTOMATED, reason) if reason else None


def _personal(new: str, ref: date | None, why: str = "written by a person") -> Classification:
    found = phrases.signals_of(new)
    reason = why + (f"; signals: {', '.join(found)}" if found else "")
    return Classification(Kind.PERSONAL, reason, signals=found, reply_by=phrases.reply_by(new, ref))


def classify(
    msg: Message, *, reference_time: datetime | None = None, job_rules: JobRules | None = None
) -> Classification:
    """Classify one parsed message (SPEC "Reading messages"); with `job_rules`, read its job
    reading too (SPEC "Reading job-search mail")."""
    found = _bounce(msg)
    if found is not None:
        return found
    new = quotes.new_text(msg.text)
    ref = _reference(msg, reference_time)
    cls = _kind(msg, new, ref)
    if job_rules is None:
        return cls
    return replace(cls, job=jobs.read_job(msg, new, ref, job_rules))


def _kind(msg: Message, new: str, ref: date | None) -> Classification:
    helpdesk = autoreply.helpdesk_answer(msg, new)
    if helpdesk:
        return _personal(new, ref, helpdesk)
    return _auto_reply(msg, new, ref) or _invitation(msg) or _automated(msg) or _personal(new, ref)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _event_json(ev: CalendarEvent) -> dict[str, Any]:
    return {
        "method": ev.method,
        "uid": ev.uid,
        "sequence": ev.sequence,
        "status": ev.status or None,
        "summary": ev.summary,
        "description": ev.description,
        "location": ev.location,
        "organizer": ev.organizer or None,
        "attendees": list(ev.attendees),
        "start": _iso(ev.start),
        "end": _iso(ev.end),
        "floating": ev.floating,
        "all_day": ev.all_day,
    }


def _bounce_json(info: BounceInfo | None) -> dict[str, Any] | None:
    if info is None:
        return None
    recipients = [
        {
            "address": r.address,
            "permanent": r.permanent,
            "status": r.status or None,
            "policy_block": r.policy_block,
        }
        for r in info.recipients
    ]
    return {"recipients": recipients, "original_message_id": info.original_message_id}


def _job_json(job: JobReading | None) -> dict[str, Any] | None:
    if job is None:
        return None
    referral = job.referral
    return {
        "event": job.event,
        "ats": job.ats,
        "company": job.company,
        "role": job.role,
        "deadline": _iso(job.deadline),
        "confidence": job.confidence,
        "reason": job.reason,
        "referral": None
        if referral is None
        else {"address": referral.address, "name": referral.name or None},
    }


def classification_json(file: str, msg: Message | None, cls: Classification) -> dict[str, Any]:
    """The `followthru classify --json` object for one file (SPEC shape + reply_by, invitation)."""
    auto = cls.auto_reply
    invitation = cls.invitation
    return {
        "file": file,
        "kind": str(cls.kind),
        "reason": cls.reason,
        "message_id": (msg.message_id or None) if msg else None,
        "in_reply_to": list(msg.in_reply_to) if msg else [],
        "references": list(msg.references) if msg else [],
        "bounce": _bounce_json(cls.bounce),
        "auto_reply": None
        if auto is None
        else {"return_date": _iso(auto.return_date), "left_company": auto.left_company},
        "signals": list(cls.signals),
        "reply_by": _iso(cls.reply_by),
        "invitation": None
        if invitation is None
        else {"method": invitation.method, "events": [_event_json(e) for e in invitation.events]},
        "job": _job_json(cls.job),
    }
