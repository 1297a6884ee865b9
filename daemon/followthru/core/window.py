"""The user's clock: local days, business days and the send window, in the policy's zone.

Invariants:
- Every instant computed here is aware and in UTC; local wall times are turned into instants through
  `local_instant`, which resolves daylight-saving edges the same way everywhere:
  an ambiguous wall time (the clock goes back) is its first occurrence (fold=0); a
  wall time that does not exist (the clock jumps forward) becomes the instant of the
  jump, the first moment at which the clock reads that time or later.
- `next_opening(t)` is the earliest instant >= t inside the send window.
- Business days are Monday to Friday (SPEC knows no holidays).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from followthru.core.model import Policy

_ONE_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)


def local_instant(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The first instant at which the clock in `tz` on `day` reads `wall` or later (in UTC).

    UTC, because an aware datetime in a DST fold never compares equal to one in another
    zone (PEP 495); the shell converts to the user's zone for display.
    """
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=tz).astimezone(UTC)  # fold=0: the earlier reading
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first
    return _jump_over(naive, tz)


def _jump_over(naive: datetime, tz: ZoneInfo) -> datetime:
    """The instant the clock jumps over the nonexistent wall time `naive` (bisection)."""
    before = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)  # still reads earlier
    after = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)  # already reads later
    while after - before > _TICK:
        middle = before + (after - before) // 2
        if middle.astimezone(tz).replace(tzinfo=None) >= naive:
            after = middle
        else:
            before = middle
    return after


def local_date(t: datetime, tz: ZoneInfo) -> date:
    """The date on the user's calendar at instant `t`."""
    return t.astimezone(tz).date()


def day_start(day: date, policy: Policy) -> datetime:
    """The first instant of `day` in the user's zone."""
    return local_instant(day, time(0, 0), policy.timezone)


def is_business_day(day: date) -> bool:
    """Monday to Friday."""
    return day.weekday() < 5


def next_business_day(day: date) -> date:
    """The first business day after `day`."""
    day += _ONE_DAY
    while not is_business_day(day):
        day += _ONE_DAY
    return day


def add_business_days(day: date, count: int) -> date:
    """`day` moved `count` business days later."""
    for _ in range(count):
        day = next_business_day(day)
    return day


def is_open(t: datetime, policy: Policy) -> bool:
    """Whether the send window is open at instant `t`."""
    local = t.astimezone(policy.timezone)
    wall = local.time()
    if local.weekday() not in policy.send_days or wall < policy.send_start:
        return False
    return policy.send_end is None or wall < policy.send_end


def next_opening(t: datetime, policy: Policy) -> datetime:
    """The earliest instant at or after `t` inside the send window.

    Raises:
        ValueError: the window never opens (no days, or hours lost in a DST gap all week).
    """
    if is_open(t, policy):
        return t
    today = local_date(t, policy.timezone)
    for offset in range(8):
        day = today + offset * _ONE_DAY
        if day.weekday() not in policy.send_days:
            continue
        opening = local_instant(day, policy.send_start, policy.timezone)
        if opening >= t and is_open(opening, policy):
            return opening
    msg = "the send window never opens"
    raise ValueError(msg)
