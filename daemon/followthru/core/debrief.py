"""The debrief note (SPEC "Notes the user answers"): which interview it is for, and what the
user's answer says.

The note is a short form the user fills in and sends to themselves: who they met (name
<address>, one per line), what matters to them, any concern, when they will decide, what was
agreed. The answer comes back through whatever the user's client did to it: CRLF, wrapped
lines, labels in another case, `> ` quoting, a signature, HTML turned into text, `<mailto:>`
links. The reading is tolerant of all of these and never guesses: a name without an address
or a date that cannot be read is a problem for the user to see, never a contact or a date.

Invariants: pure (the reference date is the answer's own date); one debrief per interview
time and company, whatever the number of interviewers (a panel is one interview).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from followthru.core.model import Contact, ContactState, Interview, Policy
from followthru.core.reading import dates
from followthru.core.reading.quotes import cut_index

SECTIONS: dict[str, tuple[str, ...]] = {
    "met": ("who you met", "who did you meet", "who i met", "people", "interviewers"),
    "values": ("what matters to them", "what matters", "values"),
    "concerns": ("any concern", "concern", "worries"),
    "decide": ("when they will decide", "when will they decide", "decision", "decide by"),
    "agreed": ("what was agreed", "agreed", "next steps"),
}
"""Each answer's labels, lowercase; a line that starts with one of them and has a colon
opens that answer (the text after the colon belongs to it)."""
_LABEL = re.compile(
    r"^[\s*#_-]*(?P<label>"
    + "|".join(re.escape(label) for labels in SECTIONS.values() for label in labels)
    + r")s?\b[^:\n]{0,60}:[*_\s]*(?P<rest>.*)$",
    re.I,
)
_EMAIL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_MAILTO = re.compile(r"<?mailto:[^>\s]*>?", re.I)
_TRIM = " \t,;:-–—()<>\"'*_[]"
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_NEXT_WEEK = re.compile(r"\bnext\s+week\b", re.I)
MAX_DATE_TEXT = 200  # characters of the "when" answer searched for a date
_NOTHING = frozenset({"", "-", "n/a", "na", "none", "nothing", "no", "?", "tbd", "unknown"})


@dataclass(frozen=True, slots=True)
class Met:
    """A person the user names, with their address."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Answer:
    """What a filled-in debrief says; empty fields were left blank. `problems` are what
    could not be read, said for the user."""

    people: tuple[Met, ...] = ()
    values: tuple[str, ...] = ()
    concerns: tuple[str, ...] = ()
    reply_by: date | None = None
    agreed: str = ""
    problems: tuple[str, ...] = ()

    def notes(self) -> tuple[str, ...]:
        """The interview notes the letters read: values as they are, concerns marked."""
        return (*self.values, *(f"concern: {c}" for c in self.concerns))


def panel_key(interview: Interview) -> str:
    """One interview time at one company: every interviewer of a panel shares it."""
    return f"{interview.start.astimezone(UTC).isoformat()}|{interview.company.strip().lower()}"


def ended(before: Contact, after: Contact) -> Interview | None:
    """The interview whose end this change is (scheduled -> after the interview), if any: a
    debrief is asked for interviews that followthru saw end, not ones registered afterwards."""
    if before.state is not ContactState.SCHEDULED or after.state is ContactState.SCHEDULED:
        return None
    if after.state not in (ContactState.INTERVIEWED, ContactState.AWAITING_REPLY):
        return None
    return after.interview


def lapsed(due_at: datetime, policy: Policy, now: datetime) -> bool:
    """Whether an unanswered debrief is past its time (`draft_expires_after` after the
    interview ended, like any note): it is then taken back, asked once and never again."""
    return due_at + policy.draft_expires_after <= now


def merged_notes(old: str, new: tuple[str, ...]) -> str:
    """The interview's notes with the new lines added once (the user's words, as written)."""
    lines = [line for line in old.splitlines() if line.strip()]
    known = {line.strip().lower() for line in lines}
    lines += [n for n in new if n.strip().lower() not in known]
    return "\n".join(lines)


def read_answer(text: str, sent_on: date) -> Answer:
    """The answers in a debrief's text, read relative to the day it was sent."""
    sections = _sections(text)
    people, problems = _people(sections.get("met", []))
    reply_by, unreadable = _reply_by(" ".join(sections.get("decide", [])), sent_on)
    return Answer(
        people=people,
        values=_items(sections.get("values", [])),
        concerns=_items(sections.get("concerns", [])),
        reply_by=reply_by,
        agreed=" ".join(_items(sections.get("agreed", []))),
        problems=(*problems, *unreadable),
    )


def _sections(text: str) -> dict[str, list[str]]:
    """Label -> its lines, from the user's own text (no quoted part, no signature)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [_MAILTO.sub("", line) for line in lines[: cut_index(lines)]]
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        if line.lstrip().startswith(">"):
            continue  # a quoted line: the form as it was, not the answer
        m = _LABEL.match(line)
        if m is not None:
            current = found.setdefault(_section_of(m.group("label")), [])
        if current is not None:
            current.append((m.group("rest") if m else line).strip())
    return found


def _section_of(label: str) -> str:
    low = label.lower()
    return next(name for name, labels in SECTIONS.items() if low in labels)


def _items(lines: list[str]) -> tuple[str, ...]:
    """An answer's items: one per bullet or paragraph; wrapped lines joined again."""
    items: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        bullet = _BULLET.match(line)
        if (not line or bullet) and current:
            items.append(" ".join(current))
            current = []
        if line:
            current.append(line[bullet.end() :] if bullet else line)
    return tuple(i.strip() for i in items if i.strip().lower().strip(".") not in _NOTHING)


def _people(lines: list[str]) -> tuple[tuple[Met, ...], tuple[str, ...]]:
    """Name <address> per line (a line wrapped before its address joined again)."""
    joined: list[str] = []
    for line in (ln for ln in lines if ln):
        if joined and "@" not in joined[-1] and _EMAIL.match(line.lstrip("<")):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    people: list[Met] = []
    problems: list[str] = []
    for line in joined:
        address = _EMAIL.search(line)
        if address is None:
            name = line.strip(_TRIM)
            if name.lower() not in _NOTHING:
                problems.append(f"'{name}' has no address: add it as name <address>")
            continue
        name = " ".join((line[: address.start()] + line[address.end() :]).split()).strip(_TRIM)
        people.append(Met(name, address.group(0).lower()))
    return tuple(people), tuple(problems)


def _reply_by(text: str, sent_on: date) -> tuple[date | None, tuple[str, ...]]:
    """The stated date ("by Friday", "2026-12-18", "next week"); unreadable text is said."""
    said = " ".join(text.split())[:MAX_DATE_TEXT]
    if said.strip(".").lower() in _NOTHING:
        return None, ()
    for pos in range(len(said)):
        found = dates.date_at(said, pos, sent_on, window=0) or dates.relative_at(
            said, pos, sent_on, window=0
        )
        if found is not None:
            return found.value, ()
    if _NEXT_WEEK.search(said):
        monday = sent_on - timedelta(days=sent_on.weekday())
        return monday + timedelta(days=11), ()  # the Friday of next week
    return None, (f"the date '{said}' cannot be read: write it like 2026-12-18 or 'by Friday'",)
