"""The dashboard's judgements: whose move it is, how far each contact got, and the numbers.

Pure: contacts and times in, values out (no I/O, no clock: `now` is a parameter).

Invariants:
- A contact is "reached" once the user wrote to them; it "replied" when a human reply came
  after that first outreach. Rates count reached contacts only (nobody is faulted for not
  answering a letter never sent).
- The funnel is read from where each contact stands now: a contact counts at every stage up to
  the furthest its state implies (moved_on implies an awaiting reply, nurture a conversation).
- A silence past `give_up_after` is a contact whose last outreach is older than that, with no
  reply since.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from followthru.core.model import Contact, ContactState

S = ContactState
BOARD_STATES: tuple[ContactState, ...] = (
    S.SCHEDULED, S.INTERVIEWED, S.AWAITING_REPLY, S.IN_CONVERSATION, S.NURTURE, S.MOVED_ON,
    S.REFERRED, S.REACHED_OUT, S.CONNECTED, S.MET, S.UNREACHABLE, S.CLOSED, S.SOURCE,
)  # fmt: skip
# Stage -> the states that mean a contact got at least that far.
FUNNEL: tuple[tuple[str, frozenset[ContactState]], ...] = (
    ("interviewed", frozenset({S.INTERVIEWED, S.AWAITING_REPLY, S.IN_CONVERSATION, S.NURTURE,
                               S.MOVED_ON, S.CLOSED})),
    ("followed up", frozenset({S.AWAITING_REPLY, S.IN_CONVERSATION, S.NURTURE, S.MOVED_ON})),
    ("in conversation", frozenset({S.IN_CONVERSATION, S.NURTURE})),
    ("referred", frozenset({S.REFERRED, S.REACHED_OUT, S.CONNECTED, S.MET, S.UNREACHABLE})),
    ("reached out", frozenset({S.REACHED_OUT, S.CONNECTED, S.MET, S.UNREACHABLE})),
    ("connected", frozenset({S.CONNECTED, S.MET})),
    ("met", frozenset({S.MET})),
)  # fmt: skip
SILENT_STATES = frozenset({S.AWAITING_REPLY, S.MOVED_ON, S.REACHED_OUT, S.UNREACHABLE})


def whose_move(contact: Contact) -> str:
    """`you` (a reply, a queued item or their organisation's request waits for the user),
    `them` (the user waits for an answer or a meeting), or `nobody` (a closed flow, or a
    source without a flow)."""
    if contact.user_to_act or contact.pending or contact.owes_move:
        return "you"
    if contact.state in (S.AWAITING_REPLY, S.REACHED_OUT, S.SCHEDULED, S.INTERVIEWED, S.REFERRED):
        return "them"
    return "nobody"


@dataclass(frozen=True, slots=True)
class Facts:
    """What the numbers need of one contact (first outreach and first reply from its log)."""

    contact: Contact
    source: str | None  # the source's address: a referral; None: a cold contact
    first_outreach: datetime | None
    first_reply: datetime | None

    @property
    def replied(self) -> bool:
        return (
            self.first_outreach is not None
            and self.first_reply is not None
            and self.first_reply >= self.first_outreach
        )


@dataclass(frozen=True, slots=True)
class Rate:
    """Replies to the user's letters in one group of contacts."""

    group: str
    reached: int
    replied: int
    median_days: float | None  # time to first reply, for those who replied

    @property
    def percent(self) -> int:
        return round(100 * self.replied / self.reached) if self.reached else 0


@dataclass(frozen=True, slots=True)
class Numbers:
    by_company: tuple[Rate, ...]
    by_source: tuple[Rate, ...]
    referral_vs_cold: tuple[Rate, ...]
    funnel: tuple[tuple[str, int], ...]
    silences: tuple[tuple[str, int], ...]  # company -> silences past give_up_after
    silent_total: int


def numbers(facts: list[Facts], give_up_after: timedelta, now: datetime) -> Numbers:
    """Every figure of the numbers page, from the contacts' facts."""
    people = [f for f in facts if f.contact.state is not S.SOURCE]
    silent = [f for f in people if is_silent(f.contact, give_up_after, now)]
    return Numbers(
        by_company=rates(people, lambda f: company(f.contact)),
        by_source=rates([f for f in people if f.source], lambda f: f.source or ""),
        referral_vs_cold=rates(people, lambda f: "referral" if f.source else "cold"),
        funnel=tuple(
            (stage, sum(1 for f in people if f.contact.state in states)) for stage, states in FUNNEL
        ),
        silences=_counted(company(f.contact) for f in silent),
        silent_total=len(silent),
    )


def rates(facts: list[Facts], key: Callable[[Facts], str]) -> tuple[Rate, ...]:
    """Reply rate and median days to the first reply per group, biggest group first."""
    groups: dict[str, list[Facts]] = {}
    for fact in facts:
        if fact.first_outreach is not None:
            groups.setdefault(key(fact), []).append(fact)
    found = [_rate(group, members) for group, members in groups.items()]
    return tuple(sorted(found, key=lambda r: (-r.reached, r.group)))


def is_silent(contact: Contact, give_up_after: timedelta, now: datetime) -> bool:
    last = contact.last_outreach_at
    if contact.state not in SILENT_STATES or last is None or last + give_up_after > now:
        return False
    return contact.last_reply_at is None or contact.last_reply_at < last


def company(contact: Contact) -> str:
    """The company as registered, else the address's company domain (a referral's)."""
    interview = contact.interview
    named = contact.company or (interview.company if interview else "")
    return named or contact.company_domain or "(no company)"


def _rate(group: str, members: list[Facts]) -> Rate:
    waits = [
        (f.first_reply - f.first_outreach).total_seconds() / 86400
        for f in members
        if f.replied and f.first_reply and f.first_outreach
    ]
    replied = sum(1 for f in members if f.replied)
    return Rate(group, len(members), replied, round(median(waits), 1) if waits else None)


def _counted(keys: Iterable[str]) -> tuple[tuple[str, int], ...]:
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
