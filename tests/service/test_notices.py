"""The INBOX as the place where the user is told (service/notices.py), over the fakes: the
daily digest once a day and only with something to say, the previous one removed unless
flagged, urgent notes once, and none of it ever read back as anyone's mail."""

from __future__ import annotations

from email import message_from_bytes, policy

from followthru.adapters.smtp import SendOutcome
from followthru.core.digest import MARKER
from followthru.core.model import Step
from followthru.service.contacts import Service
from tests.service.test_rounds import ME, World, at, interview


def inbox(world: World) -> list[tuple[int, str, frozenset[str], str]]:
    """(uid, subject, flags, kind) of followthru's own messages in the INBOX."""
    found = []
    for m in world.box.folders["INBOX"].messages.values():
        msg = message_from_bytes(m.raw, policy=policy.default)
        if msg[MARKER]:
            found.append((m.uid, str(msg["Subject"]), frozenset(m.flags), str(msg[MARKER])))
    return found


async def test_one_digest_a_day_with_what_waits_and_the_previous_one_goes(service: Service) -> None:
    world = World(service)
    interview(service, at(2, 14))  # Monday: the thank-you waits for approval
    await world.round(at(2, 16))
    [(uid, subject, flags, kind)] = inbox(world)
    assert kind == "digest" and "1 waiting for you" in subject and "\\Seen" not in flags
    raw = world.box.folders["INBOX"].messages[uid].raw
    msg = message_from_bytes(raw, policy=policy.default)
    assert (
        msg["From"] == msg["To"] == f"Jane Doe <{ME}>" and msg["Auto-Submitted"] == "auto-generated"
    )
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and "thank you" in text.get_content()
    assert html is not None and "<script" not in html.get_content().lower()

    await world.round(at(2, 17))  # the same day (a restart too: the day is in the store)
    assert [u for u, *_ in inbox(world)] == [uid]
    events = len(service.store.events.rows())
    await world.round(at(3, 9))  # Tuesday's digest replaces Monday's
    [(newer, *_)] = inbox(world)
    assert newer != uid
    assert len(service.store.events.rows()) == events  # the digests were never read as mail


async def test_a_flagged_digest_is_kept(service: Service) -> None:
    world = World(service)
    interview(service, at(2, 14))
    await world.round(at(2, 16))
    [(uid, *_)] = inbox(world)
    world.box.flag("INBOX", uid)
    await world.round(at(3, 9))
    assert len(inbox(world)) == 2


async def test_no_digest_on_a_day_with_nothing_to_say_or_not_a_digest_day(service: Service) -> None:
    world = World(service)
    await world.round(at(2, 9))  # Monday, nothing waits, nothing happened
    assert inbox(world) == []
    interview(service, at(6, 14))
    await world.round(at(7, 10))  # Saturday: not a digest day
    assert inbox(world) == []
    await world.round(at(9, 7, 59))  # Monday before 08:00
    assert inbox(world) == []
    await world.round(at(9, 8, 0))
    assert [kind for *_, kind in inbox(world)] == ["digest"]


async def test_an_uncertain_send_is_an_urgent_note_at_once_and_only_once(service: Service) -> None:
    world = World(service, SendOutcome.UNCERTAIN)
    interview(service, at(2, 14))
    await world.round(at(2, 16))  # today's digest
    world.box.flag("Drafts", world.draft_uid(Step.THANK_YOU))
    for minute in (1, 2, 3):
        await world.round(at(2, 16, minute))
    kinds = [kind for *_, kind in inbox(world)]
    assert kinds == ["digest", "urgent"]
    [(_, subject, *_)] = [m for m in inbox(world) if m[3] == "urgent"]
    assert "uncertain" in subject
