"""text/calendar bytes to the core's CalendarEvent values, with icalendar.

Invariants: never raises (a broken calendar yields no events); times come out aware
(zone from TZID, including Windows zone names, from a VTIMEZONE, or UTC "Z"); floating
times and all-day dates are marked as such (see core.reading.message.CalendarEvent); sizes bounded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Any

import icalendar

from followthru.core.reading.message import CalendarEvent

MAX_ICS = 256 * 1024
MAX_EVENTS = 20
MAX_TEXT = 4000


def events(data: bytes, method_param: str = "") -> list[CalendarEvent]:
    """All VEVENTs of one calendar part; [] when it cannot be read."""
    try:
        cal = icalendar.Calendar.from_ical(data[:MAX_ICS])
        method = str(cal.get("METHOD", method_param) or method_param).upper()
        part_method = method_param.upper()
        return [_event(ev, method, part_method) for ev in cal.walk("VEVENT")[:MAX_EVENTS]]
    except Exception:  # icalendar raises many kinds (ValueError, KeyError, ...) on bad input
        return []


def _text(value: Any) -> str:
    return str(value)[:MAX_TEXT] if value is not None else ""


def _address(value: Any) -> str:
    text = str(value or "")
    return text[7:].lower() if text.lower().startswith("mailto:") else text.lower()


def _when(ev: Any, name: str) -> tuple[datetime | None, bool, bool]:
    """(aware datetime, floating, all_day) of DTSTART/DTEND."""
    prop = ev.get(name)
    if prop is None:
        return None, False, False
    value = prop.dt
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC), True, False
        return value, False, False
    if isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=UTC), True, True
    return None, False, False


def _attendees(ev: Any) -> tuple[str, ...]:
    raw = ev.get("ATTENDEE")
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    return tuple(_address(a) for a in items)


def _event(ev: Any, method: str, part_method: str = "") -> CalendarEvent:
    start, floating, all_day = _when(ev, "DTSTART")
    end, _, _ = _when(ev, "DTEND")
    try:
        sequence = int(str(ev.get("SEQUENCE", 0)))
    except ValueError:
        sequence = 0
    return CalendarEvent(
        method=method,
        uid=_text(ev.get("UID")),
        sequence=sequence,
        status=_text(ev.get("STATUS")).upper(),
        summary=_text(ev.get("SUMMARY")),
        description=_text(ev.get("DESCRIPTION")),
        location=_text(ev.get("LOCATION")),
        organizer=_address(ev.get("ORGANIZER")),
        attendees=_attendees(ev),
        start=start,
        end=end,
        floating=floating,
        all_day=all_day,
        part_method=part_method,
    )


def dedupe(found: Iterable[CalendarEvent]) -> tuple[CalendarEvent, ...]:
    """Drop repeats of the same (method, uid, sequence) (Google sends inline + .ics)."""
    seen: dict[tuple[str, str, int, datetime | None], CalendarEvent] = {}
    for ev in found:
        seen.setdefault((ev.method, ev.uid, ev.sequence, ev.start), ev)
    return tuple(seen.values())
