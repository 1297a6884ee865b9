"""`add interview`, `add referral`, `contacts`, `show`, `outcome`, `plan`: the pipeline by hand.

Output: readable text by default, the SPEC's JSON shapes with `--json` (times ISO 8601 with
offset, in the user's time zone).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from followthru.adapters.store import ContactRow, OutboxRow, Store
from followthru.adapters.store.jobs import Application
from followthru.config import Config, is_address
from followthru.config.reader import parse_duration
from followthru.core.events import event_name
from followthru.core.items import OPEN
from followthru.core.jobmail import company_key, domain_key
from followthru.core.model import Contact, ContactId, Outcome, Role
from followthru.core.plan import PlannedStep
from followthru.errors import UsageError, UserError
from followthru.service.contacts import NewInterview, Service


def open_service(config: Config) -> Service:
    return Service(Store.open(config.store_path), config)


def add_interview(service: Service, args: Any, now: datetime) -> int:
    tz = service.config.identity.timezone
    duration = parse_duration(args.duration)
    if duration is None or duration <= timedelta(0):
        raise UsageError(f"--duration {args.duration!r} is not a duration like 45m or 1h30m")
    email = _address("--email", args.email)
    if email in service.config.identity.addresses:
        raise UsageError(f"--email {email} is your own address (identity): give the interviewer's")
    if "T" not in args.at.upper() and " " not in args.at.strip():
        raise UsageError(
            f"--at {args.at!r} has no time of day: give when it starts, e.g. {args.at}T14:00"
        )
    new = NewInterview(
        email=email,
        start=parse_time("--at", args.at, tz),
        duration=duration,
        name=args.name or "",
        company=args.company or "",
        role=args.role or "",
        reply_by=_day("--reply-by", args.reply_by, tz) if args.reply_by else None,
        notes="\n".join(args.note),
    )
    contact_id = service.register_interview(new, now)
    print(_summary(service, contact_id))
    return 0


def add_referral(service: Service, args: Any, now: datetime) -> int:
    email, source = _address("--email", args.email), _address("--source", args.source)
    contact_id = service.register_referral(
        email,
        source,
        now,
        name=args.name or "",
        notes=tuple(args.note),
        source_name=args.source_name or "",
    )
    print(_summary(service, contact_id))
    return 0


def outcome(service: Service, args: Any, now: datetime) -> int:
    row = _row(service, args.contact)
    decision = service.record_outcome(row.id, Outcome(args.what), now)
    if decision.ignored:
        raise UserError(f"{row.email}: {args.what} changes nothing now ({decision.reason})")
    print(f"{row.email}: {args.what} recorded; now {decision.contact.state}")
    return 0


def contacts(service: Service, *, as_json: bool, now: datetime) -> int:
    everyone = service.contacts()
    upcoming = _next_steps(service, everyone, now)
    rows = [_contact_json(service, c, upcoming.get(c.id)) for c in everyone]
    if as_json:
        print(json.dumps(rows, indent=2))
        return 0
    tz = service.config.identity.timezone
    for row in rows:
        step = row["next_step"]
        nxt = (
            f"{step['step'] or 'moves on'} {_short(step['due_at'], tz)}"
            if step
            else "nothing planned"
        )
        last = _short(row["last_outreach_at"], tz) if row["last_outreach_at"] else "never"
        who = row["name"] or row["email"]
        print(
            f"{row['id']:>4}  {who:<24} {row['company'] or '-':<16} {row['state']:<16} last: {last:<16} next: {nxt}"
        )
    if not rows:
        print(
            "no contacts yet: add one with `followthru add interview` or `followthru add referral`"
        )
    applications = [_application_json(service, a) for a in service.store.jobs.listed()]
    if applications:
        print("applications (read from job mail):")
        print("\n".join(_application_line(a, tz) for a in applications))
    return 0


def _application_json(service: Service, app: Application) -> dict[str, Any]:
    return {
        "company": app.company,
        "role": app.role or None,
        "ats": app.ats,
        "status": app.status,
        "since": _iso(app.created_at, service),
        "updated_at": _iso(app.updated_at, service),
    }


def _application_line(app: dict[str, Any], tz: ZoneInfo) -> str:
    what = f"{app['company']}" + (f", {app['role']}" if app["role"] else "")
    via = f" via {app['ats']}" if app["ats"] else ""
    return f"      {what:<40} {app['status']:<22} {_short(app['updated_at'], tz)}{via}"


def show(service: Service, args: Any, *, as_json: bool, now: datetime) -> int:
    row = _row(service, args.contact)
    contact = service.replay(row.id)
    upcoming = _next_steps(service, [contact], now)
    events = [
        {
            "at": _iso(e.at, service),
            "type": event_name(e.type),
            "reason": e.reason,
            "message_id": e.message_id,
        }
        for e in service.store.events.rows(row.id)
    ]
    queue = [queue_json(service, item) for item in service.store.outbox.items(contact_id=row.id)]
    keys = {company_key(contact.company), domain_key(contact.company_domain)} - {""}
    applications = [
        _application_json(service, a)
        for a in service.store.jobs.listed()
        if company_key(a.company) in keys
    ]
    data = {
        "contact": _contact_json(service, contact, upcoming.get(contact.id)),
        "events": events,
        "queue": queue,
    }
    if as_json:  # the SPEC's shape exactly: applications are in the text only
        print(json.dumps(data, indent=2))
        return 0
    interview_notes = (
        [contact.interview.notes] if contact.interview and contact.interview.notes else []
    )
    notes = service.store.contacts.notes_of(row.id) + interview_notes
    if contact.owes_move:
        notes.append("their organisation awaits your answer: no follow-ups until you write")
    if contact.paused_until is not None:
        notes.append(f"their process is paused: no follow-ups before {contact.paused_until}")
    shown = {**data, "notes": notes, "applications": applications}
    print(_show_text(shown, service.config.identity.timezone))
    return 0


def plan(service: Service, *, days: int, as_json: bool, now: datetime) -> int:
    steps = service.plan(now, days)
    emails = service.store.contacts.emails()
    entries = [_plan_json(step, emails, service) for step in steps]
    if as_json:
        print(json.dumps(entries, indent=2))
        return 0
    tz = service.config.identity.timezone
    for entry, step in zip(entries, steps, strict=True):
        what = entry["step"] or (f"becomes {step.becomes}" if step.becomes else "-")
        print(f"{_short(entry['due_at'], tz):<16}  {what:<24} {entry['contact']}")
    if not entries:
        print(f"nothing planned in the next {days} days")
    return 0


def queue_json(service: Service, item: OutboxRow) -> dict[str, Any]:
    return {
        "id": item.id,
        "contact": item.to[0] if item.to else service.store.contacts.email_of(item.contact_id),
        "step": item.step,
        "kind": item.kind,
        "to": list(item.to),
        "cc": list(item.cc),
        "subject": item.subject,
        "status": item.status,
        "due_at": _iso(item.due_at, service),
        "message_id": item.message_id,
    }


def parse_time(flag: str, text: str, tz: ZoneInfo) -> datetime:
    """An ISO 8601 time; without an offset it is the user's local time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{flag} {text!r} is not an ISO 8601 time like 2026-03-02T14:00+01:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _day(flag: str, text: str, tz: ZoneInfo) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), tz)
    except ValueError:
        raise UsageError(f"{flag} {text!r} is not a date like 2026-03-05") from None


def _address(flag: str, text: str) -> str:
    if not is_address(text):
        raise UsageError(f"{flag} {text!r} is not an email address")
    return text.strip().lower()


def _row(service: Service, key: str) -> ContactRow:
    row = service.store.contacts.find(key)
    if row is None:
        raise UserError(f"no contact {key!r} (see `followthru contacts`)")
    return row


def _next_steps(service: Service, people: list[Contact], now: datetime) -> dict[str, PlannedStep]:
    """Each contact's next planned entry (a pending item or what its timer will do)."""
    owners = {c.id for c in people}
    first: dict[str, PlannedStep] = {}
    for contact in people:
        for item in sorted(contact.pending, key=lambda p: p.due_at):
            first.setdefault(contact.id, PlannedStep(item.to, item.step, item.kind, item.due_at))
    waiting = owners - first.keys()
    steps = service.steps(now, 366) if waiting else iter(())
    for step in steps:  # in time order: stop once everyone waiting has an entry (`show`)
        if step.contact in waiting:
            first[step.contact] = step
            waiting.discard(step.contact)
            if not waiting:
                break
    return first


def _contact_json(service: Service, contact: Contact, nxt: PlannedStep | None) -> dict[str, Any]:
    source = service.store.contacts.find(contact.source) if contact.source else None
    interview = contact.interview
    return {
        "id": int(contact.id),
        "email": contact.email,
        "name": contact.name or None,
        "company": contact.company or (interview.company if interview else "") or None,
        "role": _role(contact),
        "position": (interview.role or None) if interview else None,
        "state": contact.state.value,
        "source": source.email if source else None,
        "outreach_count": contact.outreach_count,
        "last_outreach_at": _iso(contact.last_outreach_at, service),
        "next_step": {
            "step": nxt.step.value if nxt.step else None,
            "due_at": _iso(nxt.due_at, service),
        }
        if nxt
        else None,
    }


def _plan_json(step: PlannedStep, emails: dict[ContactId, str], service: Service) -> dict[str, Any]:
    entry = {
        "contact": emails.get(step.contact, step.contact),
        "step": step.step.value if step.step else None,
        "kind": step.kind.value if step.kind else None,
        "due_at": _iso(step.due_at, service),
    }
    if step.becomes is not None:
        entry["becomes"] = step.becomes.value
    return entry


def _role(contact: Contact) -> str | None:
    """The contact's role in the flows (SPEC): an interviewer who is also a source is one."""
    for role in (Role.INTERVIEWER, Role.REFERRAL, Role.SOURCE):
        if role in contact.roles:
            return role.value
    return None


def _summary(service: Service, contact_id: ContactId) -> str:
    contact = service.replay(contact_id)
    lines = [f"{contact.email} (id {contact_id}): {contact.state}"]
    for item in service.store.outbox.items(contact_id=contact_id, statuses=OPEN):
        lines.append(
            f"  queued #{item.id}: {item.step} ({item.kind}) due {_short(_iso(item.due_at, service), service.config.identity.timezone)}"
        )
    return "\n".join(lines)


def _show_text(data: dict[str, Any], tz: ZoneInfo) -> str:
    c = data["contact"]
    lines = [f"{c['name'] or c['email']} <{c['email']}> (id {c['id']})", f"  state: {c['state']}"]
    for key in ("company", "position", "role", "source"):
        if c[key]:
            lines.append(f"  {key}: {c[key]}")
    lines += [f"  note: {line}" for note in data.get("notes", []) for line in note.splitlines()]
    lines.append("history:")
    lines += [f"  {_short(e['at'], tz)}  {e['type']:<20} {e['reason']}" for e in data["events"]]
    if data.get("applications"):
        lines.append("applications:")
        lines += [_application_line(a, tz) for a in data["applications"]]
    lines.append("queue:" if data["queue"] else "queue: empty")
    lines += [
        f"  #{q['id']} {q['step']:<18} {q['status']:<10} due {_short(q['due_at'], tz)}"
        for q in data["queue"]
    ]
    return "\n".join(lines)


def _iso(moment: datetime | None, service: Service) -> str | None:
    return moment.astimezone(service.config.identity.timezone).isoformat() if moment else None


def _short(iso: str | None, tz: ZoneInfo) -> str:
    return datetime.fromisoformat(iso).astimezone(tz).strftime("%a %d %b %H:%M") if iso else "-"
