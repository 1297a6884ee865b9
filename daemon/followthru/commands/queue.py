"""`queue`, `approve`, `reject`, `snooze`, `done`: the approval queue from a shell."""

from __future__ import annotations

import contextlib
import json
import shlex
import subprocess
import tempfile
from collections.abc import Mapping
from datetime import date, datetime, time
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from followthru.adapters.store import OutboxRow
from followthru.commands.contacts import queue_json
from followthru.core.items import OPEN, ItemStatus
from followthru.core.schedule import release_at
from followthru.errors import UsageError, UserError
from followthru.service.contacts import Service
from followthru.service.outbox import Outbox


def queue(service: Service, *, show_all: bool, as_json: bool) -> int:
    items = service.store.outbox.items(statuses=None if show_all else OPEN)
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
            if item.last_error and item.status in (ItemStatus.UNCERTAIN, ItemStatus.PENDING)
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
            f"approved #{item.id} ({item.step} to {', '.join(item.to)}): {_when(service, item, now)}"
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


def _when(service: Service, item: OutboxRow, now: datetime) -> str:
    """When the approved email goes out, in the user's zone (the daemon sends it then)."""
    contact = service.replay(item.contact_id)
    at = release_at(item.step, item.due_at, contact, service.policy, now)
    if at is None:
        return "it will not go out: the contact's flow no longer holds it"
    local = at.astimezone(service.config.identity.timezone)
    when = "now" if at <= now else local.strftime("%a %d %b %Y %H:%M")
    return f"it goes out {when} ({service.config.identity.timezone.key}), on the daemon's next pass then"


def _until(text: str, service: Service) -> datetime:
    """A date means the send window's start that day; a time without an offset is local."""
    tz = service.config.identity.timezone
    with contextlib.suppress(ValueError):  # first: datetime.fromisoformat takes dates too
        start = service.config.cadence.send_window.start
        return datetime.combine(date.fromisoformat(text), start or time(9), tz)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--until {text!r} is not a date (2026-03-09) or a time (2026-03-09T10:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def edit(service: Service, item_id: int, now: datetime, env: Mapping[str, str]) -> int:
    """Open the item's text in $VISUAL/$EDITOR; store what was saved (re-checked)."""
    item = service.store.outbox.item(item_id)
    raw = service.store.outbox.rendered(item_id) if item else None
    if item is None or raw is None:
        raise UserError(f"no draft to edit for item {item_id} (see `followthru queue`)")
    msg = message_from_bytes(raw, policy=policy.default)
    body = msg.get_body(("plain",))
    text = f"Subject: {msg['Subject']}\n\n{body.get_content() if body is not None else ''}"
    with tempfile.TemporaryDirectory(prefix="followthru-edit-") as folder:
        path = Path(folder) / f"item-{item_id}.txt"
        path.write_text(text, encoding="utf-8")
        editor = env.get("VISUAL") or env.get("EDITOR") or "vi"
        if subprocess.run([*shlex.split(editor), str(path)], check=False).returncode != 0:
            raise UserError(f"the editor ({editor}) failed; item {item_id} is unchanged")
        edited = path.read_text(encoding="utf-8")
    if edited == text:
        print(f"item {item_id} is unchanged")
        return 0
    head, _, new_body = edited.partition("\n\n")
    if not head.lower().startswith("subject:"):
        raise UserError("the first line must stay 'Subject: ...'; the item is unchanged")
    Outbox(service).edit(item_id, head.split(":", 1)[1].strip(), new_body, now)
    print(f"item {item_id} edited; its draft is replaced on the daemon's next pass")
    return 0
