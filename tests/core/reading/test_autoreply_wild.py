"""Auto-replies and return dates that real mail got wrong before: one test per cause."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from followthru.core.reading import autoreply, language
from followthru.core.reading.classify import Kind, classify
from followthru.core.reading.message import Address, Headers, Message

WHEN = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # a Tuesday
REF = WHEN.date()


def make(headers: dict[str, str], text: str, **fields: object) -> Message:
    heads = Headers(tuple((k.lower(), v) for k, v in headers.items()))
    return Message(
        headers=heads,
        text=text,
        from_=(Address("jane@acme.example"),),
        to=(Address("alex@seeker.example"),),
        subject=heads.get("subject"),
        date=WHEN,
        **fields,  # type: ignore[arg-type]
    )


AGENT = "##- Please type your reply above this line -##\n\nHi Alex,\n\nThe role is hybrid.\n"
ACK = "##- Please type your reply above this line -##\n\nYour request (12) has been received.\n"
ZENDESK = {"auto-submitted": "auto-generated", "x-zendesk-from-account-id": "1",
           "subject": "Re: Question"}  # fmt: skip


def test_a_helpdesk_agents_answer_is_personal_its_acknowledgement_is_not() -> None:
    thread = {"in_reply_to": ("<q-1@seeker.example>",)}
    agent = classify(make(ZENDESK, AGENT, **thread))
    assert agent.kind is Kind.PERSONAL and "helpdesk" in agent.reason
    assert classify(make(ZENDESK, ACK, **thread)).kind is Kind.AUTO_REPLY


def test_a_helpdesk_mail_that_answers_nothing_is_not_a_persons_answer() -> None:
    assert autoreply.helpdesk_answer(make(ZENDESK, AGENT), AGENT) is None


def test_auto_generated_is_an_auto_reply_when_it_acknowledges_a_message() -> None:
    ack = make({"auto-submitted": "auto-generated", "subject": "Application"},
               "Thank you for your message. I will respond as soon as possible.")  # fmt: skip
    notice = make({"auto-submitted": "auto-generated", "subject": "Documents received"},
                  "We have received the documents you uploaded.")  # fmt: skip
    assert classify(ack).kind is Kind.AUTO_REPLY
    assert classify(notice).kind is Kind.AUTOMATED


def test_an_acknowledgement_from_a_null_bulk_sender_is_an_auto_reply() -> None:
    msg = make({"return-path": "<>", "precedence": "bulk", "subject": "Re: Thanks"},
               "Thank you for your e-mail, I will reply as soon as possible.")  # fmt: skip
    assert autoreply.rule_machine_envelope(msg, msg.text)


@pytest.mark.parametrize(
    "subject",
    ["Automatyczna odpowiedź: Rozmowa", "Automatická odpověď: Pohovor", "Autosvar: Intervju",
     "Fraværsmeddelelse", "Fraværsmelding: Intervju", "Automaattinen vastaus: Haastattelu",
     "Ausência temporária", "Urlaub", "away from my mail", "自動応答: 面接", "自动回复: 面试"],
)  # fmt: skip
def test_out_of_office_subjects_in_more_languages(subject: str) -> None:
    assert autoreply.rule_subject(make({"subject": subject}, ""), "")


@pytest.mark.parametrize(
    "text",
    ["Dit is een automatisch bericht.", "To jest automatyczna odpowiedź.",
     "Detta är ett automatiskt svar.", "Tämä on automaattinen vastaus."],
)  # fmt: skip
def test_automatic_statements_in_more_languages(text: str) -> None:
    assert autoreply.rule_statement(make({}, text), text)


@pytest.mark.parametrize(
    ("text", "left"),
    [("Tom has left Initrode.", True), ("This mailbox is no longer monitored.", True),
     ("Tom has left the office for the day.", False), ("She has left for vacation.", False)],
)  # fmt: skip
def test_left_company_wordings(text: str, left: bool) -> None:
    assert autoreply.left_company(text) is left


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sono fuori ufficio, rientro il 10/03.", date(2026, 3, 10)),  # Italian: 10 March
        ("Sono fuori ufficio fino al 12/03, grazie.", date(2026, 3, 12)),
        ("I am out of the office until 11/03.", None),  # English: US or UK, cannot tell
        ("Estou ausente e retorno no dia 11/03. Obrigada.", date(2026, 3, 11)),
        ("I'm back on the 23rd.", date(2026, 3, 23)),
        ("I'm back on the 2nd.", date(2026, 4, 2)),
        ("I'm back on Monday.", date(2026, 3, 16)),
        ("3月16日まで不在にしております。3月17日に出社いたします。", date(2026, 3, 17)),
        ("Olen lomalla 20.3. asti.", date(2026, 3, 20)),
    ],
)  # fmt: skip
def test_return_dates_from_the_wild(text: str, expected: date | None) -> None:
    assert autoreply.return_date(text, REF) == expected


def test_a_return_date_already_past_in_the_messages_frame_stays_in_its_year() -> None:
    assert autoreply.return_date("Back on 2 January.", date(2026, 1, 5)) == date(2026, 1, 2)
    assert autoreply.return_date("Back on 28 December.", date(2026, 1, 5)) == date(2025, 12, 28)
    assert autoreply.return_date("Back on 5 January.", date(2026, 12, 20)) == date(2027, 1, 5)
    assert autoreply.return_date("Rientro il 09/03.", REF) == date(2026, 3, 9)


def test_a_weekday_alone_is_read_from_the_messages_own_date() -> None:
    friday = Message(
        headers=Headers((("auto-submitted", "auto-replied"),)),
        text="I'm out of the office and back on Monday.",
        date=datetime(2026, 3, 13, 17, 0, tzinfo=UTC),
    )
    got = classify(friday, reference_time=datetime(2026, 6, 1, tzinfo=UTC))
    assert got.auto_reply is not None and got.auto_reply.return_date == date(2026, 3, 16)


@pytest.mark.parametrize(
    ("text", "order"),
    [("Sono fuori ufficio fino al 10/03, grazie.", "dmy"), ("I am out until 10/03.", ""),
     ("Jeg er på ferie og er tilbage.", "dmy"), ("3月16日まで", "mdy"), ("", "")],
)  # fmt: skip
def test_the_language_settles_the_day_month_order(text: str, order: str) -> None:
    assert language.date_order(text) == order


def test_x_apple_criteria_gives_the_return_date_when_the_text_names_none() -> None:
    criteria = '{"Vacation":{"StartDate":"2026-03-06","EndDate":"2026-03-19"}}'
    heads = {"auto-submitted": "auto-replied", "x-apple-criteria": criteria}
    silent = classify(make(heads, "I'm away with limited access to email."))
    stated = classify(make(heads, "I'm away and back on Monday."))
    assert silent.auto_reply is not None and silent.auto_reply.return_date == date(2026, 3, 19)
    assert stated.auto_reply is not None and stated.auto_reply.return_date == date(2026, 3, 16)


def test_an_ats_acknowledgement_that_answers_nobody_stays_a_notification() -> None:
    msg = Message(
        headers=Headers((("auto-submitted", "auto-generated"),)),
        text="Thank you for your application. We will get back to you as soon as possible.",
        from_=(Address("no-reply@us.greenhouse-mail.io"),),
        subject="Thank you for applying to Acme",
        date=WHEN,
    )
    assert classify(msg).kind is Kind.AUTOMATED


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("en-US", date(2026, 10, 3)), ("en-GB", date(2026, 3, 10)), ("it-IT", date(2026, 3, 10)),
     ("", None)],
)  # fmt: skip
def test_content_language_settles_the_order_of_an_english_slashed_date(
    tag: str, expected: date | None
) -> None:
    assert autoreply.return_date("I am out of the office until 10/3.", REF, tag) == expected
