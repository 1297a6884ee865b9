"""The parsed-message value the core reads: what classification and correlation need.

Invariants: every value here is immutable (frozen, slotted dataclasses, tuples); addresses
are lowercased and stripped; Message-IDs keep their angle brackets; datetimes are aware;
text is already decoded to str and bounded by the parser (adapters/mime.py). Nothing in
this module does I/O or knows how the bytes were parsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox: `addr` lowercased (may be empty when unparseable), `name` as displayed."""

    addr: str
    name: str = ""

    @property
    def local(self) -> str:
        return self.addr.rpartition("@")[0]

    @property
    def domain(self) -> str:
        return self.addr.rpartition("@")[2] if "@" in self.addr else ""


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """One per-recipient block of an RFC 3464 delivery-status part (fields as written)."""

    final_recipient: str = ""
    original_recipient: str = ""
    action: str = ""
    status: str = ""
    diagnostic: str = ""
    remote_mta: str = ""


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One VEVENT of a text/calendar part, as plain values.

    `start`/`end` are aware. A floating time (no zone in the invite) carries the wall-clock
    time with tzinfo=UTC and `floating=True`: the caller re-reads it in the user's zone
    with `.replace(tzinfo=zone)`. An all-day event is midnight, floating, `all_day=True`.
    `method` is the calendar's METHOD (the MIME `method=` parameter when it has none, ""
    when neither says); `part_method` is the MIME parameter as written.
    """

    method: str
    uid: str
    sequence: int = 0
    status: str = ""
    summary: str = ""
    description: str = ""
    location: str = ""
    organizer: str = ""
    attendees: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    floating: bool = False
    all_day: bool = False
    part_method: str = ""


@dataclass(frozen=True, slots=True)
class Headers:
    """Header fields as (lowercased name, decoded value) pairs, in message order."""

    items: tuple[tuple[str, str], ...] = ()

    def get(self, name: str, default: str = "") -> str:
        """The first value of `name` (case-insensitive), or `default`."""
        key = name.lower()
        for k, v in self.items:
            if k == key:
                return v
        return default

    def get_all(self, name: str) -> tuple[str, ...]:
        key = name.lower()
        return tuple(v for k, v in self.items if k == key)

    def has(self, name: str) -> bool:
        key = name.lower()
        return any(k == key for k, _ in self.items)


@dataclass(frozen=True, slots=True)
class MessageHeaders:
    """The cheap header-only view used on the IMAP hot path (no body, no policy.default)."""

    message_id: str = ""
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    from_: tuple[Address, ...] = ()
    reply_to: tuple[Address, ...] = ()
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    subject: str = ""
    date: datetime | None = None
    headers: Headers = field(default_factory=Headers)

    def get(self, name: str, default: str = "") -> str:
        """The first value of header `name`, decoded."""
        return self.headers.get(name, default)


@dataclass(frozen=True, slots=True)
class Message:
    """A whole parsed message.

    `text` is the message's own readable text (text/plain parts, or HTML rendered to text,
    quoted HTML blocks prefixed with "> "), not the text of an embedded original message.
    `original_headers` are the headers of the message a bounce or forward carries
    (message/rfc822 or text/rfc822-headers part), empty when there is none.
    `part_types` lists every MIME type seen, depth-first. `defects` names parse problems.
    """

    message_id: str = ""
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    from_: tuple[Address, ...] = ()
    reply_to: tuple[Address, ...] = ()
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    subject: str = ""
    date: datetime | None = None
    headers: Headers = field(default_factory=Headers)
    content_type: str = "text/plain"
    report_type: str = ""
    text: str = ""
    delivery_status: tuple[DeliveryStatus, ...] = ()
    delivery_fields: Headers = field(default_factory=Headers)
    original_headers: Headers = field(default_factory=Headers)
    part_types: tuple[str, ...] = ()
    calendar: tuple[CalendarEvent, ...] = ()
    defects: tuple[str, ...] = ()

    @property
    def sender(self) -> Address | None:
        """The first From address, if any."""
        return self.from_[0] if self.from_ else None

    def header(self, name: str) -> str:
        return self.headers.get(name)
