"""Job-search mail in the daemon's rounds, over the fakes (SPEC "Reading job-search mail"):
applications recorded, interviews from an ATS's confirmation, the user's move holding
follow-ups until they write, a "no" ending the process with keep_in_mind to the people met
(never to the ATS), an offer closing it, a pause moving follow-ups, a low reading asked about.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from followthru.core.items import ItemStatus
from followthru.core.model import ContactState, Step
from followthru.service.contacts import NewInterview, Service
from tests.service.conftest import ME
from tests.service.test_rounds import World, at

ATS = "no-reply@us.greenhouse-mail.io"
BOB = "bob@acme.example"
ANA = "ana@acme.example"


def ats_mail(subject: str, body: str, sent: datetime, message_id: str, *,
             company: str = "Acme", ics: str | None = None,
             in_reply_to: str | None = None) -> bytes:  # fmt: skip
    msg = EmailMessage()
    msg["From"] = f"{company} <{ATS}>"
    msg["To"], msg["Subject"] = ME, subject
    msg["Date"], msg["Message-ID"] = format_datetime(sent), message_id
    if in_reply_to:
        msg["In-Reply-To"] = msg["References"] = in_reply_to
    msg.set_content(body)
    if ics is not None:
        msg.add_attachment(ics.encode(), maintype="text", subtype="calendar",
                           params={"method": "REQUEST"}, filename="invite.ics")  # fmt: skip
    return msg.as_bytes()


def person_mail(sender: str, subject: str, body: str, sent: datetime, message_id: str,
                to: str = ME, in_reply_to: str | None = None) -> bytes:  # fmt: skip
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"], msg["Message-ID"] = format_datetime(sent), message_id
    if in_reply_to:
        msg["In-Reply-To"] = msg["References"] = in_reply_to
    msg.set_content(body)
    return msg.as_bytes()


def itinerary(start: datetime, attendees: list[str]) -> str:
    people = "".join(f"ATTENDEE;CN={a.split('@')[0].title()}:mailto:{a}\r\n" for a in attendees)
    stamp = "%Y%m%dT%H%M%SZ"
    begin = start.astimezone(UTC).strftime(stamp)
    end = (start + timedelta(hours=2)).astimezone(UTC).strftime(stamp)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\n"
        "BEGIN:VEVENT\r\nUID:gh-itin-1@greenhouse.io\r\nSEQUENCE:0\r\n"
        f"DTSTAMP:{begin}\r\nDTSTART:{begin}\r\nDTEND:{end}\r\n"
        "SUMMARY:Onsite loop - Backend Engineer\r\n"
        f"ORGANIZER:mailto:{ATS}\r\n{people}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


ACK = (
    "Hi Jane,\n\nThank you for applying to the Backend Engineer role at Acme. We have received "
    "your application and will review it shortly.\n\nAcme Talent Team\n"
)
REQUEST = (
    "Hi Jane,\n\nThanks for your time so far on the Backend Engineer position at Acme. Please use "
    "the link below to select a time that works for you for the next round:\n"
    "https://app.greenhouse.io/scheduling/select/4f1c0d9a\n\nAcme Recruiting\n"
)
REJECTION = (
    "Hi Jane,\n\nThank you for your interest in the Backend Engineer role at Acme and for the "
    "time you invested in our process.\n\nAfter careful consideration, we have decided to move "
    "forward with other candidates. We wish you the very best.\n\nAcme Talent Team\n"
)


def vague_no(subject: str) -> bytes:
    """A staffing agent's "unfortunately ... not to move forward": a "no" in words alone (low)."""
    return person_mail(
        "Carla Ruiz <carla@staffing.example>", subject,
        "Hi Jane,\n\nUnfortunately the hiring manager at Acme has decided not to move forward "
        "with your application.\n\nCarla\n", at(5, 9), "<vague@staffing>",
    )  # fmt: skip


async def asked_about_a_vague_no(world: World) -> int:
    """Bob interviewed at Acme; a staffing agent's vague "no" about Acme read (and asked about)
    on 5 March: its UID in the INBOX."""
    registered(world.service, BOB, at(2, 14))
    await world.round(at(2, 16))
    vague = vague_no("About the Backend Engineer position at Acme")
    uid = world.box.deliver("INBOX", vague, at(5, 9))
    await world.round(at(5, 10))
    return uid


def registered(service: Service, email: str, start: datetime) -> None:
    new = NewInterview(email, start, timedelta(hours=1), name="Bob Stone", company="Acme")
    service.register_interview(new, start + timedelta(hours=2))


def contact_state(service: Service, email: str) -> ContactState:
    row = service.store.contacts.find(email)
    assert row is not None, email
    return service.replay(row.id).state


def steps_to(service: Service, email: str) -> list[tuple[Step, ItemStatus]]:
    return [(r.step, r.status) for r in service.store.outbox.items() if email in r.to]


async def test_an_application_confirmation_is_recorded_and_creates_no_contact(
    service: Service,
) -> None:
    world = World(service)
    world.box.deliver(
        "INBOX", ats_mail("Thank you for applying to Acme", ACK, at(2, 9), "<ack@gh>"), at(2, 9)
    )
    await world.round(at(2, 10))
    [app] = service.store.jobs.listed()
    assert (app.company, app.role, app.ats, app.status) == (
        "Acme", "Backend Engineer", "greenhouse", "application_received",
    )  # fmt: skip
    assert service.store.contacts.all() == []
    assert service.store.outbox.items() == []


async def test_an_ats_confirmation_with_two_interviewers_schedules_two_interviews(
    service: Service,
) -> None:
    world = World(service)
    world.box.deliver(
        "INBOX", ats_mail("Thank you for applying to Acme", ACK, at(2, 9), "<ack@gh>"), at(2, 9)
    )
    ics = itinerary(at(10, 10), [ME, BOB, ANA, ATS])
    confirmed = ats_mail(
        "Interview Confirmation: Jane Doe for Backend Engineer at Acme",
        "Hi Jane,\n\nYour interview has been scheduled. Please find the invitation attached.\n",
        at(3, 9), "<confirm@gh>", ics=ics,
    )  # fmt: skip
    world.box.deliver("INBOX", confirmed, at(3, 9))
    await world.round(at(3, 10))
    assert {r.email for r in service.store.contacts.all()} == {BOB, ANA}  # never the ATS
    for email in (BOB, ANA):
        assert contact_state(service, email) is ContactState.SCHEDULED
        assert (Step.THANK_YOU, ItemStatus.PENDING) in steps_to(service, email)
    [app] = service.store.jobs.listed()
    assert app.status == "interview_scheduled"


async def test_the_users_move_holds_the_check_in_until_they_write(service: Service) -> None:
    world = World(service)
    registered(service, BOB, at(2, 14))
    await world.round(at(2, 16))
    [thanks] = [r for r in service.store.outbox.items() if r.step is Step.THANK_YOU]
    world.outbox.approve(thanks.id, at(2, 16))
    await world.round(at(3, 9, 30))
    assert contact_state(service, BOB) is ContactState.AWAITING_REPLY
    request = ats_mail("Next steps with Acme", REQUEST, at(4, 9), "<req@gh>")
    world.box.deliver("INBOX", request, at(4, 9))
    await world.round(at(4, 10))
    told = [n for n in service.store.notices.listed(unread_only=False) if n.kind == "your_move"]
    assert len(told) == 1 and "Acme" in told[0].text
    await world.round(at(16, 10))  # past check_in_after: the phone task would be due
    assert [s for s, _ in steps_to(service, BOB)] == [Step.THANK_YOU]
    # the user answers the ATS's mail from their client: the clock starts again from then
    answer = person_mail(ME, "Re: Next steps with Acme", "Tuesday at 10 works for me.",
                         at(16, 11), "<answer@me>", to="recruiting@acme.example",
                         in_reply_to="<req@gh>")  # fmt: skip
    world.box.deliver("Sent", answer, at(16, 11))
    await world.round(at(16, 12))
    assert [s for s, _ in steps_to(service, BOB)] == [Step.THANK_YOU]
    await world.round(at(24, 10))  # a week after the user wrote
    assert (Step.PHONE_MESSAGE, ItemStatus.PENDING) in steps_to(service, BOB)


async def test_an_ats_rejection_queues_keep_in_mind_to_the_interviewer_only(
    service: Service,
) -> None:
    world = World(service)
    registered(service, BOB, at(2, 14))
    await world.round(at(2, 16))
    world.box.deliver(
        "INBOX", ats_mail("Your application to Acme", REJECTION, at(5, 9), "<no@gh>"), at(5, 9)
    )
    await world.round(at(5, 10))
    assert contact_state(service, BOB) is ContactState.NURTURE
    assert (Step.KEEP_IN_MIND, ItemStatus.PENDING) in steps_to(service, BOB)
    assert all(ATS not in r.to for r in service.store.outbox.items())
    assert service.store.contacts.find(ATS) is None
    await world.round(at(5, 11))  # read again (nothing new): one keep_in_mind
    assert [s for s, _ in steps_to(service, BOB)].count(Step.KEEP_IN_MIND) == 1


async def test_a_low_reading_is_a_notice_and_changes_nothing(service: Service) -> None:
    world = World(service)
    registered(service, BOB, at(2, 14))
    await world.round(at(2, 16))
    before = steps_to(service, BOB), contact_state(service, BOB)
    vague = vague_no("About the Backend Engineer position")
    world.box.deliver("INBOX", vague, at(5, 9))
    await world.round(at(5, 10))
    assert (steps_to(service, BOB), contact_state(service, BOB)) == before
    kinds = [n.kind for n in service.store.notices.listed(unread_only=False)]
    assert kinds.count("job_unconfirmed") == 1
    await world.round(at(6, 10))  # unanswered: still nothing changes
    assert (steps_to(service, BOB), contact_state(service, BOB)) == before


async def test_a_flag_on_the_message_confirms_a_low_reading(service: Service) -> None:
    """SPEC: a low rejection becomes a notice asking the user to confirm (flag to confirm)."""
    world = World(service)
    uid = await asked_about_a_vague_no(world)
    assert contact_state(service, BOB) is not ContactState.NURTURE
    [asked] = [n for n in service.store.notices.listed(unread_only=False)
               if n.kind == "job_unconfirmed"]  # fmt: skip
    assert "flag" in asked.text and "Acme" in asked.text
    world.box.flag("INBOX", uid)  # the user stars it in their client
    await world.round(at(5, 11))
    assert contact_state(service, BOB) is ContactState.NURTURE
    assert (Step.KEEP_IN_MIND, ItemStatus.PENDING) in steps_to(service, BOB)
    assert service.store.questions.asked("personal") == []
    await world.round(at(5, 12))  # asked once, answered once
    assert [s for s, _ in steps_to(service, BOB)].count(Step.KEEP_IN_MIND) == 1


async def test_a_question_nobody_answers_lapses(service: Service) -> None:
    world = World(service)
    uid = await asked_about_a_vague_no(world)
    assert len(service.store.questions.asked("personal")) == 1
    await world.round(at(5, 10) + timedelta(days=31))
    assert service.store.questions.asked("personal") == []
    world.box.flag("INBOX", uid)  # starred much later, for the user's own reasons
    await world.round(at(5, 11) + timedelta(days=31))
    assert (Step.KEEP_IN_MIND, ItemStatus.PENDING) not in steps_to(service, BOB)


async def test_a_pause_moves_follow_ups_past_its_date_and_an_offer_closes(
    service: Service,
) -> None:
    world = World(service)
    registered(service, BOB, at(2, 14))
    await world.round(at(2, 16))
    [thanks] = [r for r in service.store.outbox.items() if r.step is Step.THANK_YOU]
    world.outbox.approve(thanks.id, at(2, 16))
    await world.round(at(3, 9, 30))
    paused = ats_mail(
        "An update on your application to Acme",
        "Hi Jane,\n\nWe wanted to let you know that the Backend Engineer role at Acme has been put "
        "on hold due to a hiring freeze. We will reach out if it reopens.\n\nAcme Talent Team\n",
        at(4, 9), "<hold@gh>",
    )  # fmt: skip
    world.box.deliver("INBOX", paused, at(4, 9))
    await world.round(at(4, 10))
    await world.round(at(20, 10))  # the phone task would be due by now: the pause holds it
    assert [s for s, _ in steps_to(service, BOB)] == [Step.THANK_YOU]
    assert any(n.kind == "job_news" for n in service.store.notices.listed(unread_only=False))
    await world.round(at(31, 10) + timedelta(days=6))  # 30 days after the pause
    assert (Step.PHONE_MESSAGE, ItemStatus.PENDING) in steps_to(service, BOB)
    offer = ats_mail(
        "Your offer from Acme",
        "Hi Jane,\n\nWe are delighted to extend you an offer for the Backend Engineer position at "
        "Acme. Please find your offer letter attached.\n\nAcme Talent Team\n",
        at(31, 10) + timedelta(days=7), "<offer@gh>",
    )  # fmt: skip
    world.box.deliver("INBOX", offer, at(31, 10) + timedelta(days=7))
    await world.round(at(31, 11) + timedelta(days=7))
    assert contact_state(service, BOB) is ContactState.CLOSED


async def test_not_me_try_jane_makes_jane_a_referral_of_the_writer(service: Service) -> None:
    world = World(service)
    registered(service, BOB, at(2, 14))
    await world.round(at(2, 16))
    pointer = person_mail(
        f"Bob Stone <{BOB}>", "Re: Backend Engineer role",
        "Hi Jane,\n\nI'm not the right person for the hiring question, please reach out to "
        "Jane Park (jane.park@acme.example), she runs recruiting for that team.\n\nBob\n",
        at(4, 9), "<pointer@acme>",
    )  # fmt: skip
    world.box.deliver("INBOX", pointer, at(4, 9))
    await world.round(at(4, 10))
    row = service.store.contacts.find("jane.park@acme.example")
    assert row is not None and row.source_id == service.store.contacts.find(BOB).id  # type: ignore[union-attr]
    assert (Step.REFERRAL_INTRO, ItemStatus.PENDING) in steps_to(service, "jane.park@acme.example")
