"""The debrief's answer carried out (service/debrief.py) over the fakes: a person named with an
address becomes an interviewer of the same interview, the notes reach every letter not yet
edited (an edited one is left as the user wrote it), what cannot be read is a notice."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

from followthru.adapters.template_check import check_templates
from followthru.core.debrief import read_answer
from followthru.core.model import Step
from followthru.service.answers import Answered
from followthru.service.contacts import NewInterview, Service
from followthru.service.debrief import Debriefs
from followthru.service.outbox import Outbox
from tests.service.test_rounds import World, at

USERS_OWN = "Dear Bob, my own words, thank you for today."
ANSWER = "Who you met:\nNed Park <ned@acme.example>\nZed\nme <jane@example.org>\n\nWhat matters to them:\n- scale\n\nAny concern: my Go\n"


def text_of(raw: bytes | None) -> str:
    assert raw is not None
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    body = msg.get_body(("plain",))
    assert body is not None
    return " ".join(body.get_content().split())


async def test_the_answer_reaches_unedited_letters_and_new_people_only(service: Service) -> None:
    renderer = check_templates(None)  # the shipped letters: they read the interview's notes
    world = World(service)
    world.outbox = Outbox(service, renderer)
    for email in ("bob@acme.example", "carol@acme.example"):  # a panel: one time, one company
        service.register_interview(NewInterview(email, at(3, 14), timedelta(hours=1),
                                                company="Acme"), at(2, 10))  # fmt: skip
    await world.round(at(2, 10))
    store = service.store
    [bob_thanks, carol_thanks] = [i for i in store.outbox.items() if i.step is Step.THANK_YOU]
    raw = store.outbox.rendered(bob_thanks.id)
    assert raw is not None and bob_thanks.draft_uid is not None
    edited = message_from_bytes(raw, policy=policy.default)
    assert isinstance(edited, EmailMessage)
    edited.set_content(USERS_OWN)  # Thunderbird: the same Message-ID, a new version
    world.box.deliver("Drafts", edited.as_bytes(), at(2, 11), ("\\Draft",))
    world.box.delete("Drafts", bob_thanks.draft_uid)
    await world.round(at(2, 11))
    await world.round(at(3, 16))  # the interview ended: one debrief for the panel
    [note] = [i for i in store.outbox.items() if i.step is Step.DEBRIEF]

    where = Answered("Sent", 1, 1, "<answer@example.org>", at(3, 17))
    with store.transaction():
        Debriefs(service, renderer).apply(
            note, read_answer(ANSWER, at(3, 17).date()), where, at(3, 17)
        )

    assert text_of(store.outbox.rendered(bob_thanks.id)) == USERS_OWN  # edited: left alone
    carol = text_of(store.outbox.rendered(carol_thanks.id))
    assert "On scale:" in carol and "my Go" in carol  # rendered again in the user's words
    ned = store.contacts.find("ned@acme.example")
    assert ned is not None
    interview = service.replay(ned.id).interview
    assert interview is not None and interview.company == "Acme" and interview.start == at(3, 14)
    assert interview.notes == "scale\nconcern: my Go"
    assert store.contacts.find("jane@example.org") is None  # the user is never a contact
    [told] = [n for n in store.notices.listed() if n.kind == "debrief_unreadable"]
    assert "'Zed' has no address" in told.text
    assert [i.step for i in store.outbox.items() if i.step is Step.DEBRIEF] == [Step.DEBRIEF]


async def test_an_unanswered_debrief_lapses_once_and_leaves_drafts(service: Service) -> None:
    world = World(service)
    service.register_interview(NewInterview("bob@acme.example", at(3, 14), timedelta(hours=1),
                                            company="Acme"), at(2, 10))  # fmt: skip
    await world.round(at(3, 16))
    [note] = [i for i in service.store.outbox.items() if i.step is Step.DEBRIEF]
    assert note.draft_uid in world.box.folders["Drafts"].messages
    await world.round(at(8, 14, 59))  # not yet: five days after the interview ended
    assert [i.status.value for i in service.store.outbox.items() if i.step is Step.DEBRIEF] == [
        "pending"]  # fmt: skip
    await world.round(at(8, 15, 1))
    await world.round(at(9, 9))
    [after] = [i for i in service.store.outbox.items() if i.step is Step.DEBRIEF]
    assert after.status.value == "expired"
    assert note.draft_uid not in world.box.folders["Drafts"].messages
    told = [n for n in service.store.notices.listed(unread_only=False) if n.item_id == note.id]
    assert len(told) == 1 and told[0].kind == "expired"
