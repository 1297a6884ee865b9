"""What the dashboard shows and does: the board, a contact's page, the queue, the plan, the
numbers; and the queue's actions, through the same Outbox calls (and checks) as the commands.

Invariants:
- Reading only reads: snapshots, the event log and the queue, as `contacts`, `show`, `queue`
  and `plan` read them; nothing is written by looking.
- Every action goes through service/outbox.py's Outbox, exactly like `approve`, `reject`,
  `snooze`, `done` and `edit`: the same checks, the same one transaction, the same log lines.
- The draft text shown is the daemon's own rendered letter, never a message body it read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from email import message_from_bytes, policy

from followthru.adapters.store.notices import Notice
from followthru.adapters.store.outbox import OutboxRow
from followthru.core.events import OutboundSeen, ReplyReceived, event_name
from followthru.core.items import OPEN
from followthru.core.model import Contact, ContactId, ContactState
from followthru.core.overview import BOARD_STATES, Facts, Numbers, company, numbers, whose_move
from followthru.core.plan import PlannedStep
from followthru.core.schedule import next_due
from followthru.errors import UserError
from followthru.service.contacts import Service
from followthru.service.outbox import Outbox

PLAN_DAYS = 30
COLUMN_CARDS = 50  # cards per column on the board; the column's own page shows them all


@dataclass(frozen=True, slots=True)
class Card:
    contact: Contact
    tries: int  # the configured number of tries
    whose: str
    next_step: str | None  # a step's name, "gives up", or None: nothing planned
    next_at: datetime | None

    @property
    def label(self) -> str:
        return self.contact.name or self.contact.email

    @property
    def position(self) -> str:
        return self.contact.interview.role if self.contact.interview else ""

    @property
    def company(self) -> str:
        return company(self.contact) if self.contact.state is not ContactState.SOURCE else ""


@dataclass(frozen=True, slots=True)
class Column:
    state: ContactState
    cards: list[Card]
    total: int  # contacts in this state (more than the cards when the column is cut)


@dataclass(frozen=True, slots=True)
class Moment:
    """One line of a contact's timeline."""

    at: datetime
    type: str
    reason: str
    message_id: str | None
    sender: str | None
    subject: str | None


@dataclass(frozen=True, slots=True)
class Draft:
    item: OutboxRow
    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class ContactPage:
    card: Card
    timeline: list[Moment]
    drafts: list[Draft]
    notes: list[str]
    notices: list[Notice]  # what the user was told about this contact, newest first


class Dashboard:
    """The dashboard's one way into the store, over a Service (the daemon's, or its own)."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.store = service.store
        self._cached: tuple[tuple[int, int], list[Contact]] | None = None

    def everyone(self) -> list[Contact]:
        """Every contact, decoded once per change of the store (10,000 snapshots take about
        0.2 s to decode; a page view that follows no change reuses them)."""
        mark = self.store.change_mark()
        if self._cached is None or self._cached[0] != mark:
            self._cached = (mark, self.service.contacts())
        return self._cached[1]

    # --- reading ------------------------------------------------------------------------

    def board(self, state: ContactState | None = None) -> list[Column]:
        """A column per state (in flow order, empty ones left out), a card per contact: the
        user's move first, then the newest; COLUMN_CARDS per column unless one `state` is
        asked for (then that column whole)."""
        people = self.everyone()
        columns = []
        for one in BOARD_STATES if state is None else (state,):
            members = sorted((c for c in people if c.state is one),
                             key=lambda c: (whose_move(c) != "you", -int(c.id)))  # fmt: skip
            shown = members if state is not None else members[:COLUMN_CARDS]
            if members:
                columns.append(Column(one, self.cards(shown), len(members)))
        return columns

    def cards(self, people: list[Contact]) -> list[Card]:
        tries = len(self.service.policy.tries)
        return [Card(c, tries, whose_move(c), *self.next_step(c)) for c in people]

    def next_step(self, contact: Contact) -> tuple[str | None, datetime | None]:
        """The contact's first pending item, else what its own timer does next (the core's
        `next_due`: per contact, without running the whole plan)."""
        if contact.pending:
            item = min(contact.pending, key=lambda p: p.due_at)
            return item.step.value, item.due_at
        due = next_due(contact, self.service.policy)
        if due is None:
            return None, None
        return (due.step.value if due.step else "gives up"), due.at

    def contact(self, key: str) -> ContactPage:
        row = self.store.contacts.find(key)
        if row is None:
            raise UserError(f"no contact {key!r}")
        contact = self.service.replay(row.id)
        notes = self.store.contacts.notes_of(row.id)
        if contact.interview and contact.interview.notes:
            notes.append(contact.interview.notes)
        drafts = [self.draft(item) for item in self.store.outbox.items(contact_id=row.id)]
        told = [n for n in self.store.notices.listed(unread_only=False) if n.contact_id == row.id]
        return ContactPage(self.cards([contact])[0], self.timeline(row.id), drafts, notes, told)

    def timeline(self, contact_id: ContactId) -> list[Moment]:
        emails = self.store.contacts.emails()
        moments = []
        for e in self.store.events.rows(contact_id):
            sender = _sender(e.type, e.data, emails)
            subject = self.store.outbox.subject_of(e.message_id) if e.message_id else None
            moments.append(
                Moment(e.at, event_name(e.type), e.reason, e.message_id, sender, subject)
            )
        return sorted(moments, key=lambda m: m.at)

    def draft(self, item: OutboxRow) -> Draft:
        raw = self.store.outbox.rendered(item.id)
        if raw is None:
            return Draft(item, item.subject or "", "")
        msg = message_from_bytes(raw, policy=policy.default)
        body = msg.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        return Draft(item, str(msg["Subject"] or ""), str(text))

    def queue(self, *, show_all: bool = False) -> list[tuple[OutboxRow, str]]:
        """Open items (or every one), each with its contact's address."""
        emails = self.store.contacts.emails()
        items = self.store.outbox.items(statuses=None if show_all else OPEN)
        return [(i, i.to[0] if i.to else emails.get(i.contact_id, "")) for i in items]

    def plan(self, now: datetime, days: int = PLAN_DAYS) -> list[tuple[PlannedStep, str]]:
        emails = self.store.contacts.emails()
        return [(s, emails.get(s.contact, s.contact)) for s in self.service.plan(now, days)]

    def numbers(self, now: datetime) -> Numbers:
        firsts = self.store.events.firsts((OutboundSeen.__name__, ReplyReceived.__name__))
        emails = self.store.contacts.emails()
        facts = [
            Facts(
                c,
                emails.get(c.source) if c.source else None,
                firsts.get((c.id, OutboundSeen.__name__)),
                firsts.get((c.id, ReplyReceived.__name__)),
            )
            for c in self.everyone()
        ]
        return numbers(facts, self.service.policy.give_up_after, now)

    # --- acting (the commands' code paths) ----------------------------------------------

    def act(self, item_id: int, action: str, now: datetime, until: str = "") -> OutboxRow:
        outbox = Outbox(self.service)
        if action == "approve":
            return outbox.approve(item_id, now)
        if action == "reject":
            return outbox.reject(item_id, now)
        if action == "done":
            return outbox.done(item_id, now)
        if action == "snooze":
            return outbox.snooze(item_id, self._until(until), now)
        raise UserError(f"no such action {action!r}")

    def edit(self, item_id: int, subject: str, body: str, now: datetime) -> OutboxRow:
        return Outbox(self.service).edit(item_id, subject.strip(), body.replace("\r\n", "\n"), now)

    def _until(self, text: str) -> datetime:
        """A date (the send window's start that day) or a local time, as `snooze --until`."""
        tz = self.service.config.identity.timezone
        try:
            if len(text.strip()) == 10:
                start = self.service.config.cadence.send_window.start or time(9)
                return datetime.combine(date.fromisoformat(text.strip()), start, tz)
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            raise UserError(
                f"{text!r} is not a date (2026-03-09) or a time (2026-03-09T10:00)"
            ) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _sender(type_: str, data: dict[str, object], emails: dict[ContactId, str]) -> str | None:
    """Who wrote the message an event cites: the user, or the contact the store knows."""
    if type_ == OutboundSeen.__name__:
        return "you"
    if type_ == ReplyReceived.__name__:
        sender = data.get("sender")
        return emails.get(ContactId(str(sender)), "a colleague") if sender else "a colleague"
    return None
