"""`queue`, `approve`, `reject`, `snooze`, `done`: the approval queue from a shell."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from ..adapters import records
from ..errors import UsageError
from ..outbox import Outbox
from ..service import Service
from .contacts import queue_json

SHOWN = ("pending", "approved", "uncertain")


def queue(service: Service, *, show_all: bool, as_json: bool) -> int:
    items = records.outbox(service.store, statuses=None if show_all else SHOWN)
    rows = [queue_json(service, item) for item in items]
    if as_json:
        print(json.dumps(rows, indent=2))
        return 0
    tz = service.config.identity.timezone
    for row, item in zip(rows, items, strict=True):
        due = datetime.fromisoformat(row["due_at"]).astimezone(tz).strftime("%a %d %b %H:%M")
        what = f"{row['step']} ({row['kind']})"
        note = (
            f"  [{item.last_error}]"
            if item.last_error and row["status"] in ("uncertain", "pending")
            else ""
        )
        print(
            f"{row['id']:>4}  {row['status']:<9} {what:<28} to {row['contact']:<28} due {due}{note}"
        )
    if not rows:
        print(
            "the queue is empty"
            + ("" if show_all else " (`followthru queue --all` shows closed items too)")
        )
    return 0


def act(service: Service, args: Any, now: datetime) -> int:
    outbox = Outbox(service)
    command = args.command
    if command == "approve":
        item = outbox.approve(args.id, now)
        print(
            f"approved #{item.id} ({item.step} to {', '.join(item.to)}): it goes out at its due time"
        )
    elif command == "reject":
        item = outbox.reject(args.id, now)
        print(f"rejected #{item.id} ({item.step}): it will not be sent; the cadence goes on")
    elif command == "done":
        item = outbox.done(args.id, now)
        print(f"done: #{item.id} ({item.step})")
    else:
        until = _until(args.until, service)
        item = outbox.snooze(args.id, until, now)
        print(f"snoozed #{item.id} ({item.step}) until {until.isoformat()}")
    return 0


def _until(text: str, service: Service) -> datetime:
    tz = service.config.identity.timezone
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            start = service.config.cadence.send_window.start
            return datetime.combine(date.fromisoformat(text), start or time(9), tz)
        except ValueError:
            raise UsageError(
                f"--until {text!r} is not a date (2026-03-09) or a time (2026-03-09T10:00)"
            ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)
