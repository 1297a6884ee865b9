"""The service's rounds with in-memory fakes (tests/service/fakes.py): approval by flag,
sending, withdrawal on a reply and catch-up after downtime, in milliseconds, no server.

The store is a real SQLite file in a temporary folder (the store's semantics are its SQL; a
fake would only repeat them). The e2e suites check the same paths against real servers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from followthru.adapters.smtp import SendOutcome
from followthru.adapters.template_check import check_templates
from followthru.core.items import ItemStatus
from followthru.core.model import ContactState, Step
from followthru.core.schedule import CATCH_UP_SPACING
from followthru.errors import MailboxUnavailable
from followthru.service.contacts import NewInterview, Service
from followthru.service.outbox import Outbox
from followthru.service.rounds import Round
from tests.service.conftest import ME
from tests.service.fakes import FakeMailbox, FakeTransport

BERLIN = ZoneInfo("Europe/Berlin")
BOB = "bob@acme.example"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """March 2026 in Berlin (2 March is a Monday)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)


class World:
    """The daemon's first account over fakes, the user's mail client as test steps."""

    def __init__(self, service: Service, outcome: SendOutcome = SendOutcome.DELIVERED) -> None:
        self.service = service
        self.box = FakeMailbox()
        self.smtp = FakeTransport(outcome)
        self.outbox = Outbox(service, check_templates(service.config.templates_dir))

    async def round(self, now: datetime) -> None:
        account = self.service.config.accounts[0]
        one = await Round.start(self.service, account, self.box, self.outbox, self.smtp)
        await one.run(now)

    def items(self, step: Step | None = None) -> list[tuple[Step, ItemStatus]]:
        rows = self.service.store.outbox.items()
        return [(r.step, r.status) for r in rows if step is None or r.step is step]

    def draft_uid(self, step: Step) -> int:
        [row] = [r for r in self.service.store.outbox.items() if r.step is step]
        assert row.draft_uid is not None
        return row.draft_uid

    def state(self) -> ContactState:
        row = self.service.store.contacts.find(BOB)
        assert row is not None
        return self.service.replay(row.id).state


def interview(service: Service, start: datetime) -> None:
    """An interview of an hour with Bob, registered once it is over (no closing checklist)."""
    new = NewInterview(BOB, start, timedelta(hours=1), name="Bob Stone")
    service.register_interview(new, start + timedelta(hours=2))


def mail(sender: str, to: str, subject: str, sent: datetime, message_id: str,
         in_reply_to: str | None = None) -> bytes:  # fmt: skip
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"], msg["Message-ID"] = format_datetime(sent), message_id
    if in_reply_to:
        msg["In-Reply-To"] = msg["References"] = in_reply_to
    msg.set_content("Thanks, we will be in touch soon.")
    return msg.as_bytes()


async def test_a_flagged_draft_goes_out_once_and_leaves_drafts(service: Service) -> None:
    world = World(service)
    interview(service, at(2, 14))
    await world.round(at(2, 16))
    assert world.items(Step.THANK_YOU) == [(Step.THANK_YOU, ItemStatus.PENDING)]
    [draft] = world.box.raw("Drafts")
    assert message_from_bytes(draft, policy=policy.default)["Subject"] == "Thank you, Bob"

    world.box.flag("Drafts", world.draft_uid(Step.THANK_YOU))
    for minute in (1, 2, 3):  # it goes out on the round after the flag, never again
        await world.round(at(2, 16, minute))
    assert [s.recipients for s in world.smtp.sent] == [(BOB,)]
    assert world.smtp.sent[0].message == draft
    assert world.items(Step.THANK_YOU) == [(Step.THANK_YOU, ItemStatus.SENT)]
    assert world.box.raw("Drafts") == []
    assert world.box.raw("Sent") == [draft]  # a copy filed in Sent (not Gmail)
    assert world.state() is ContactState.AWAITING_REPLY


async def test_an_approved_email_waits_for_its_time_and_the_send_window(service: Service) -> None:
    world = World(service)
    interview(service, at(6, 18))  # a Friday evening: the thank-you waits for Monday morning
    await world.round(at(6, 19, 30))
    [item] = [r for r in service.store.outbox.items() if r.step is Step.THANK_YOU]
    world.outbox.approve(item.id, at(6, 19, 30))
    await world.round(at(7, 10))  # Saturday: outside the window
    assert world.smtp.sent == []
    await world.round(at(9, 9, 1))  # Monday 09:01
    assert len(world.smtp.sent) == 1


async def test_a_reply_withdraws_the_approved_email_before_it_goes_out(service: Service) -> None:
    world = World(service)
    interview(service, at(6, 18))
    await world.round(at(6, 19, 30))
    [item] = [r for r in service.store.outbox.items() if r.step is Step.THANK_YOU]
    world.outbox.approve(item.id, at(6, 19, 30))
    reply = mail(f"Bob <{BOB}>", ME, "Next steps", at(7, 11), "<bob-1@acme.example>")
    world.box.deliver("INBOX", reply, at(7, 11))
    await world.round(at(9, 9, 30))  # Monday, in the window: the reply is read first
    assert world.smtp.sent == []
    assert world.items(Step.THANK_YOU) == [(Step.THANK_YOU, ItemStatus.WITHDRAWN)]
    assert world.state() is ContactState.IN_CONVERSATION
    assert not [d for d in world.box.raw("Drafts") if b"Thank you, Bob" in d]


async def test_an_uncertain_send_is_never_sent_again_on_its_own(service: Service) -> None:
    world = World(service, SendOutcome.UNCERTAIN)
    interview(service, at(2, 14))
    await world.round(at(2, 16))
    world.box.flag("Drafts", world.draft_uid(Step.THANK_YOU))
    for minute in (1, 2, 3, 4):
        await world.round(at(2, 16, minute))
    assert len(world.smtp.sent) == 1
    assert world.items(Step.THANK_YOU) == [(Step.THANK_YOU, ItemStatus.UNCERTAIN)]
    [told] = service.store.notices.listed()
    assert told.kind == "uncertain" and "followthru approve" in told.text


@pytest.mark.parametrize("days_down", [12, 20, 28, 400])
async def test_after_downtime_the_missed_steps_collapse_into_the_one_due_now(
    service: Service, days_down: int
) -> None:
    """Down (or the clock stepped forward) past the phone task's due time and expiry, the
    check-in's and the end's: the overdue try reaches Drafts with its whole approval window
    (SPEC "Catch-up"); nothing else is queued, nothing is sent."""
    world = World(service)
    interview(service, at(2, 14))
    await world.round(at(2, 16))
    thanks = mail(f"Jane Doe <{ME}>", BOB, "Thank you", at(2, 17), "<thanks-1@example.org>")
    world.box.deliver("Sent", thanks, at(2, 17))
    await world.round(at(2, 18))
    assert world.state() is ContactState.AWAITING_REPLY
    back = at(2, 18) + timedelta(days=days_down)
    await world.round(back)
    waiting = [(step, status) for step, status in world.items() if status is ItemStatus.PENDING]
    assert waiting == [(Step.PHONE_MESSAGE, ItemStatus.PENDING)]  # one try, not a burst
    assert [d for d in world.box.raw("Drafts") if b"Call Bob" in d or b"phone" in d.lower()]
    await world.round(back + timedelta(days=4, hours=23))  # still there the next days
    assert world.items(Step.PHONE_MESSAGE) == [(Step.PHONE_MESSAGE, ItemStatus.PENDING)]
    await world.round(back + timedelta(days=5, hours=1))  # its window is over: skipped
    assert world.items(Step.PHONE_MESSAGE) == [(Step.PHONE_MESSAGE, ItemStatus.EXPIRED)]
    assert world.smtp.sent == []


async def test_a_weekend_of_approved_emails_goes_out_spaced_inside_the_window(
    service: Service,
) -> None:
    """Eight thank-you letters approved on a Friday evening go out on Monday from 09:00,
    CATCH_UP_SPACING apart, not in one burst (issue: eight in 0.24 s)."""
    world = World(service)
    people = [f"person{n}@firm{n}.example" for n in range(8)]
    for person in people:
        service.register_interview(NewInterview(person, at(6, 15), timedelta(hours=1)), at(6, 17))
    await world.round(at(6, 18))
    for item in service.store.outbox.items():
        world.outbox.approve(item.id, at(6, 18))
    sent_at: list[datetime] = []
    now = at(9, 8, 55)
    while now < at(9, 10):  # the daemon polls every minute from Monday 08:55
        before = len(world.smtp.sent)
        await world.round(now)
        sent_at += [now] * (len(world.smtp.sent) - before)
        now += timedelta(minutes=1)
    assert sorted(r for s in world.smtp.sent for r in s.recipients) == sorted(people)
    assert sent_at[0] == at(9, 9)
    gaps = [b - a for a, b in pairwise(sent_at)]
    assert min(gaps) >= CATCH_UP_SPACING


# --- mail that must not steer it --------------------------------------------------------------


async def test_mail_from_the_users_address_in_the_inbox_is_not_their_outreach(
    service: Service,
) -> None:
    """A forged From: the user's own address, delivered to the INBOX, closed the pending
    thank-you and moved the contact on. Only Sent (and our own sends) says what they sent."""
    world = World(service)
    interview(service, at(2, 14))
    await world.round(at(2, 16))
    forged = mail(f"Jane Doe <{ME}>", BOB, "Thank you", at(2, 17), "<forged@attacker.example>")
    world.box.deliver("INBOX", forged, at(2, 17))
    await world.round(at(2, 18))
    assert world.items(Step.THANK_YOU) == [(Step.THANK_YOU, ItemStatus.PENDING)]
    assert world.state() is ContactState.INTERVIEWED


def invitation(attendees: list[str], start: datetime) -> bytes:
    stamp = start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "METHOD:REQUEST", "BEGIN:VEVENT",
             "UID:mass-1@attacker.example", f"DTSTART:{stamp}", "SUMMARY:Interview",
             "ORGANIZER:mailto:eve@attacker.example",
             *[f"ATTENDEE:mailto:{a}" for a in attendees], "END:VEVENT", "END:VCALENDAR"]  # fmt: skip
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Eve <eve@attacker.example>", ME, "Interview"
    msg["Date"], msg["Message-ID"] = format_datetime(start), "<mass-1@attacker.example>"
    msg.set_content("You are invited.")
    msg.add_attachment("\r\n".join(lines).encode(), maintype="text", subtype="calendar",
                       params={"method": "REQUEST"})  # fmt: skip
    return msg.as_bytes()


async def test_an_invitation_to_many_or_not_to_the_user_creates_no_interviews(
    service: Service,
) -> None:
    """5,000 attendees created 5,000 contacts and 10,002 drafts; now more than max_attendees
    (8) create none and the user is told; an invitation that does not invite the user, none."""
    world = World(service)
    crowd = [f"person{n}@mass.example" for n in range(200)]
    world.box.deliver("INBOX", invitation([ME, *crowd], at(9, 10)), at(2, 9))
    world.box.deliver("INBOX", invitation(["a@x.example", "b@y.example"], at(9, 11)), at(2, 9, 5))
    await world.round(at(2, 10))
    assert service.store.contacts.all() == [] and service.store.outbox.items() == []
    told = service.store.notices.listed(unread_only=False)  # (the day's digest showed it)
    assert [n.kind for n in told] == ["crowded_invitation"]


async def test_mail_to_many_strangers_with_a_contact_in_cc_creates_no_referrals(
    service: Service,
) -> None:
    """A message in Sent to 3,000 strangers with a contact in Cc created 795 referrals; more
    than max_strangers (5) now create none, and five or fewer still do."""
    world = World(service)
    interview(service, at(2, 14))
    many = EmailMessage()
    many["From"], many["Cc"] = f"Jane Doe <{ME}>", BOB
    many["To"] = ", ".join(f"s{n}@many.example" for n in range(6))
    many["Subject"], many["Date"] = "Hello all", format_datetime(at(3, 9))
    many["Message-ID"] = "<many@example.org>"
    many.set_content("Meet Bob.")
    world.box.deliver("Sent", many.as_bytes(), at(3, 9))
    few = mail(f"Jane Doe <{ME}>", "priya@initech.example", "Intro", at(3, 10), "<few@example.org>")
    few = few.replace(b"Subject: Intro", f"Cc: {BOB}\r\nSubject: Intro".encode(), 1)
    world.box.deliver("Sent", few, at(3, 10))
    await world.round(at(3, 11))
    emails = sorted(row.email for row in service.store.contacts.all())
    assert emails == [BOB, "priya@initech.example"]


async def test_a_note_to_self_sent_from_the_client_marks_its_task_done(service: Service) -> None:
    """SPEC "Notes the user answers": sending the closing checklist to yourself from the mail
    client marks it done (before: `sent`, as if it were an email); deleting a note skips it."""
    world = World(service)
    new = NewInterview(BOB, at(4, 14), timedelta(hours=1), name="Bob Stone")
    service.register_interview(new, at(2, 10))  # ahead: the closing checklist is queued
    await world.round(at(2, 10, 5))
    [(uid, note)] = [(m.uid, m.raw) for m in world.box.folders["Drafts"].messages.values()
                     if b"agree on next steps" in m.raw]  # fmt: skip
    world.box.deliver("Sent", note, at(2, 11))  # the user sends it to themselves
    world.box.delete("Drafts", uid)
    await world.round(at(2, 12))
    assert world.items(Step.CLOSING_CHECKLIST) == [(Step.CLOSING_CHECKLIST, ItemStatus.DONE)]


async def test_a_copy_kept_from_sent_by_a_crash_is_filed_on_the_next_pass(
    service: Service,
) -> None:
    """The daemon stopped between the server's 250 and the APPEND to Sent: the item is sent,
    and the next pass files its copy in Sent, once (before: never filed)."""
    world = World(service)
    interview(service, at(2, 14))
    await world.round(at(2, 16))
    world.box.flag("Drafts", world.draft_uid(Step.THANK_YOU))
    real_append = world.box.append

    async def crash_on_sent(folder: str, raw: bytes, flags: Sequence[str] = (),
                            msg_time: datetime | None = None) -> int | None:  # fmt: skip
        if folder == "Sent":
            raise MailboxUnavailable("the daemon stopped here")
        return await real_append(folder, raw, flags, msg_time)

    world.box.append = crash_on_sent  # type: ignore[method-assign]
    with pytest.raises(MailboxUnavailable):
        await world.round(at(2, 16, 1))
    assert len(world.smtp.sent) == 1 and world.box.raw("Sent") == []
    world.box.append = real_append  # type: ignore[method-assign]
    await world.round(at(2, 16, 2))
    await world.round(at(2, 16, 3))
    assert world.box.raw("Sent") == [world.smtp.sent[0].message]
    assert len(world.smtp.sent) == 1
