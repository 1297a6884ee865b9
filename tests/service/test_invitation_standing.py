"""Who may move an interview by calendar invitation, over the fakes (service/invitations.py).

The first invitation registers Bob's interview (organized by the recruiter). A stranger's
re-sent invitation (same UID, higher SEQUENCE, a new time) or CANCEL changes nothing: the time,
the drafts and their due times stay, and the user is told. The recruiter's own update, or one
from a known interviewer at Acme, moves it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from followthru.core.model import ContactState, Interview
from followthru.service.contacts import NewInterview, Service
from tests.service.conftest import ME
from tests.service.test_handover import World

BERLIN = ZoneInfo("Europe/Berlin")
BOB = "bob@acme.example"
RECRUITER = "recruiting@acme.example"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)


def invitation(sender: str, sequence: int, start: datetime, *, method: str = "REQUEST") -> bytes:
    stamp = start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    end = (start + timedelta(hours=1)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", f"METHOD:{method}",
             "BEGIN:VEVENT", "UID:onsite-1@acme.example", f"SEQUENCE:{sequence}",
             f"DTSTART:{stamp}", f"DTEND:{end}", "SUMMARY:Interview: Backend Engineer",
             f"ORGANIZER:mailto:{RECRUITER}", f"ATTENDEE:mailto:{BOB}", f"ATTENDEE:mailto:{ME}",
             "END:VEVENT", "END:VCALENDAR"]  # fmt: skip
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ME, "Interview: Backend Engineer"
    msg["Date"] = format_datetime(at(1, 10))
    msg["Message-ID"] = f"<invite-{method}-{sequence}@test.example>"
    msg.set_content("You are invited.")
    msg.add_attachment("\r\n".join(lines).encode(), maintype="text", subtype="calendar",
                       params={"method": method})  # fmt: skip
    return msg.as_bytes()


def bob(service: Service) -> tuple[Interview | None, ContactState, list[tuple[str, str]]]:
    row = service.store.contacts.find(BOB)
    assert row is not None
    contact = service.replay(row.id)
    items = [
        (str(i.step), i.due_at.isoformat()) for i in service.store.outbox.items(contact_id=row.id)
    ]
    return contact.interview, contact.state, items


async def test_a_strangers_invitation_neither_moves_nor_cancels_the_interview(
    service: Service,
) -> None:
    world = World(service)
    world.box.deliver("INBOX", invitation(f"Recruiting <{RECRUITER}>", 0, at(5, 14)), at(1, 10))
    await world.round(at(1, 11))
    before = bob(service)
    assert before[0] is not None and before[0].start == at(5, 14)
    assert before[1] is ContactState.SCHEDULED and len(before[2]) == 2  # thank-you, checklist
    drafts = world.box.raw("Drafts")

    world.box.deliver("INBOX", invitation("Mallory <mallory@evil.example>", 5, at(6, 9)), at(1, 12))
    world.box.deliver("INBOX", invitation("Mallory <mallory@evil.example>", 6, at(6, 9),
                                          method="CANCEL"), at(1, 12, 5))  # fmt: skip
    await world.round(at(1, 13))
    assert bob(service) == before  # the time, the state, the items and their due times
    assert world.box.raw("Drafts") == drafts
    told = [n for n in service.store.notices.listed() if n.kind != "interview_from_invitation"]
    assert [n.kind for n in told] == ["interview_move_refused"] * 2
    assert all("mallory@evil.example" in n.text and BOB in n.text for n in told)

    # The organizer's own update (a lower SEQUENCE than the stranger's) still moves it.
    world.box.deliver("INBOX", invitation(f"Recruiting <{RECRUITER}>", 1, at(5, 16)), at(1, 14))
    await world.round(at(1, 15))
    moved = bob(service)[0]
    assert moved is not None and moved.start == at(5, 16)


async def test_a_known_interviewer_at_that_company_may_move_it(service: Service) -> None:
    world = World(service)
    world.box.deliver("INBOX", invitation(f"Recruiting <{RECRUITER}>", 0, at(5, 14)), at(1, 10))
    alice = NewInterview("alice@acme.example", at(4, 10), timedelta(hours=1), company="Acme")
    service.register_interview(alice, at(1, 9))
    await world.round(at(1, 11))
    world.box.deliver("INBOX", invitation("Alice <alice@acme.example>", 1, at(5, 11)), at(1, 12))
    await world.round(at(1, 13))
    moved = bob(service)[0]
    assert moved is not None and moved.start == at(5, 11)
    told = service.store.notices.listed()
    assert [n.kind for n in told] == ["interview_from_invitation"]  # its creation, nothing more
