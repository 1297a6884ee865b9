"""A job-search message's reading -> what it does to the process it is about (SPEC "Reading
job-search mail", the table of events).

Invariants:
- Pure: the shell has read the message (`JobReading`) and found the people of its company;
  this decides.
- A `low` reading never changes a process: it is a notice asking the user to confirm.
- A "no" reaches the people the user met (their machine queues `keep_in_mind`), never the
  ATS or a no-reply address: events go to known contacts only, and attendees that are
  machines never become contacts.
- Every event is keyed by the message (suffixed per kind, the same suffix the personal-mail
  path uses for an outcome), so the same message applied twice changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from followthru.core.effects import NoticeKind
from followthru.core.events import (
    Event,
    MoveMade,
    MoveOwed,
    OutcomeRecorded,
    ProcessPaused,
)
from followthru.core.model import Contact, ContactId, Outcome
from followthru.core.reading.jobs import JobReading

USERS_MOVE = frozenset({"interview_request", "assessment", "info_request"})
"""Events after which the user owes the next message."""
CONFIRMABLE = USERS_MOVE | {"rejection", "offer", "paused"}
"""Events a low reading asks the user to confirm (they would change the process)."""
CONFIRM_WITHIN = timedelta(days=30)
"""How long a flag on the message still confirms a low reading."""
_WHAT = {
    "interview_request": "asks you for a time or your availability",
    "assessment": "sent you a test or take-home to complete",
    "info_request": "asks you for something (references, documents)",
    "rejection": "said no",
    "offer": "made you an offer",
    "paused": "paused the process",
    "interview_scheduled": "confirmed an interview",
}
_SUFFIXES = re.compile(
    r"\b(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|plc|gmbh|ag|se|sa|sas"
    r"|sarl|bv|nv|srl|sl|oy|ab|as|group|holdings?|the)\b\.?"
)


@dataclass(frozen=True, slots=True)
class Notice:
    kind: NoticeKind
    text: str


@dataclass(frozen=True, slots=True)
class ApplicationNews:
    """What to record of the process: its company, role, ATS and latest event."""

    company: str
    role: str | None
    ats: str | None
    event: str


@dataclass(frozen=True, slots=True)
class JobAction:
    """What one message does: events for the process's people, a notice, the record."""

    deliveries: tuple[tuple[ContactId, Event], ...] = ()
    notice: Notice | None = None
    news: ApplicationNews | None = None
    reason: str = ""


def confirms_interview(reading: JobReading) -> bool:
    """A confirmed interview time, surely: its invitation's events are interviews whatever
    their wording."""
    return reading.event == "interview_scheduled" and reading.confidence == "high"


def company_key(name: str) -> str:
    """A company name as compared: case, accents, punctuation and legal suffixes dropped
    ("ACME Corp." and "Acme" are one company)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", _SUFFIXES.sub(" ", plain))


def domain_key(domain: str) -> str:
    """A company domain as a company key: its first label ("acme-robotics.example" ->
    "acmerobotics")."""
    return re.sub(r"[^a-z0-9]", "", domain.lower().split(".")[0]) if domain else ""


def belongs(contact: Contact, key: str) -> bool:
    """Whether `contact` works at the company whose key is `key` (by the company they were
    registered with, or their address's company domain)."""
    return key in company_keys(contact.company, contact.company_domain)


def people_of(contacts: Iterable[Contact], keys: Iterable[str]) -> tuple[ContactId, ...]:
    """The contacts at any of the companies `keys`, in order."""
    wanted = set(keys)
    return tuple(c.id for c in contacts if company_keys(c.company, c.company_domain) & wanted)


def company_keys(company: str, company_domain: str) -> frozenset[str]:
    """The keys a contact's company is known by (`belongs` is true for exactly these)."""
    return frozenset({company_key(company), domain_key(company_domain)} - {""})


def act(
    reading: JobReading,
    key: str,
    at: datetime,
    people: tuple[ContactId, ...],
    *,
    paused_check_in_after: timedelta,
    interviews: int = 0,
    from_contact: bool = False,
) -> JobAction:
    """What `reading` (of the message `key`, dated `at`) does to the process whose known
    people are `people` (`interviews`: how many the message's invitation created;
    `from_contact`: a known contact wrote it, so a question in it is a human's question, the
    user's move whatever the wording's confidence)."""
    if from_contact and reading.event in USERS_MOVE and reading.confidence != "high":
        reading = replace(reading, confidence="high", reason=f"{reading.reason}; a contact asks")
    event = reading.event
    label = reading.company or "A company"
    news = (
        ApplicationNews(reading.company, reading.role, reading.ats, event)
        if reading.company
        else None
    )
    if event == "other_job":
        return JobAction(reason="job mail that asks nothing (an alert, a newsletter)")
    if event == "application_received":
        return JobAction(news=news, reason="an application received: recorded")
    if reading.confidence != "high" and event == "interview_scheduled":
        return JobAction(
            news=news, reason="a low reading of a confirmed time: the invitation decides"
        )
    if needs_confirmation(reading):
        return JobAction(notice=_unconfirmed(reading, label), reason="a low reading: asked")
    if reading.confidence != "high":
        return JobAction(news=news, reason=f"a low reading of {event}: recorded, nothing else")
    return _confirmed(reading, key, at, people, news, label, paused_check_in_after, interviews)


def _confirmed(reading: JobReading, key: str, at: datetime, people: tuple[ContactId, ...],
               news: ApplicationNews | None, label: str, paused_after: timedelta,
               interviews: int) -> JobAction:  # fmt: skip
    """A high reading that changes the process."""
    event = reading.event
    if event in USERS_MOVE:
        return _users_move(reading, key, at, people, news, label)
    if event in ("rejection", "offer"):
        return _outcome(reading, key, at, people, news, label)
    if event == "paused":
        until = _resumes(reading.deadline, at, paused_after)
        deliveries = tuple(
            (p, ProcessPaused(at=at, message_id=f"{key}#paused", until=until)) for p in people
        )
        text = f"{label} paused the process: no check-ins before {until} ({reading.reason})."
        return JobAction(deliveries, Notice(NoticeKind.JOB_NEWS, text), news, reason="paused")
    if event == "interview_scheduled":
        made = tuple((p, MoveMade(at=at, message_id=f"{key}#scheduled")) for p in people)
        notice = None if interviews else Notice(NoticeKind.JOB_NEWS, _scheduled_text(label))
        return JobAction(made, notice, news, reason="an interview confirmed")
    return JobAction(reason=f"{event}: nothing to do")


def _users_move(
    reading: JobReading,
    key: str,
    at: datetime,
    people: tuple[ContactId, ...],
    news: ApplicationNews | None,
    label: str,
) -> JobAction:
    deadline = reading.deadline
    owed = MoveOwed(at=at, message_id=f"{key}#move", deadline=deadline)
    by = f" by {deadline}" if deadline else ""
    held = " No check-ins go to them until you write." if people else ""
    text = f"Your move: {label} {_WHAT[reading.event]}{by}.{held}"
    notice = Notice(NoticeKind.YOUR_MOVE, text)
    return JobAction(tuple((p, owed) for p in people), notice, news, reason="the user's move")


def _outcome(
    reading: JobReading,
    key: str,
    at: datetime,
    people: tuple[ContactId, ...],
    news: ApplicationNews | None,
    label: str,
) -> JobAction:
    outcome = Outcome.REJECTED if reading.event == "rejection" else Outcome.OFFER
    suffix = "rejection" if outcome is Outcome.REJECTED else "offer"
    recorded = OutcomeRecorded(at=at, outcome=outcome, message_id=f"{key}#{suffix}")
    if outcome is Outcome.REJECTED:
        after = (
            f" keep_in_mind letters are drafted for the {len(people)} people you met there."
            if people
            else " Nobody you met there is known to followthru: nothing is drafted."
        )
    else:
        after = " Their follow-ups are closed."
    text = f"{label} {_WHAT[reading.event]} ({reading.reason}).{after}"
    return JobAction(
        tuple((p, recorded) for p in people),
        Notice(NoticeKind.JOB_NEWS, text),
        news,
        reason=suffix,
    )


def _unconfirmed(reading: JobReading, label: str) -> Notice:
    what = _WHAT.get(reading.event, reading.event.replace("_", " "))
    outcome = {"rejection": "rejected", "offer": "offer"}.get(reading.event)
    shell = f", or run `followthru outcome CONTACT {outcome}`" if outcome else ""
    text = (
        f"{label} may have {what}, but the wording alone says so ({reading.reason}). Nothing "
        f"was changed. If it did, flag (star) that message in your mail client{shell}: "
        f"followthru then acts on it (for {CONFIRM_WITHIN.days} days)."
    )
    return Notice(NoticeKind.JOB_UNCONFIRMED, text)


def needs_confirmation(reading: JobReading) -> bool:
    """A low reading that would change a process if it is what it seems: the user is asked,
    and their flag on the message confirms it (`confirmed`)."""
    return reading.confidence != "high" and reading.event in CONFIRMABLE


def confirmed(reading: JobReading) -> JobReading:
    """The reading as the user confirmed it (by flagging the message): it acts as a high one."""
    return replace(reading, confidence="high", reason=f"{reading.reason}; confirmed by your flag")


def confirmation_lapsed(asked_at: datetime, now: datetime) -> bool:
    """A question not answered within CONFIRM_WITHIN is dropped (a flag much later is about
    something else: the user marking it for themselves)."""
    return now - asked_at > CONFIRM_WITHIN


def _resumes(stated: date | None, at: datetime, after: timedelta) -> date:
    """The stated date when it is ahead, else `paused_check_in_after` from the message."""
    if stated is not None and stated > at.date():
        return stated
    return (at + after).date()


def _scheduled_text(label: str) -> str:
    return (
        f"{label} confirmed an interview, but named nobody followthru can write to. Add each "
        "interviewer with `followthru add interview` (or in the debrief note after it)."
    )
