"""Text readers: quote stripping, dates, signals and the traps a person's text sets."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from followthru.core.reading import dates, phrases, quotes
from followthru.core.reading.classify import Kind, classify
from followthru.core.reading.message import Address, Headers, Message

REF = date(2026, 3, 10)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Yes!\n\nOn Mon, Mar 9, 2026 at 10:00 AM Bob <b@x.example> wrote:\n> old", "Yes!"),
        ("Yes!\nOn Mon, Mar 9, 2026 at 10:00 AM Bob <b@x.example>\nwrote:\n> old", "Yes!"),
        ("Ja.\n\nAm Mo., 9. März 2026 um 10:00 Uhr schrieb Bob <b@x.example>:\n> alt", "Ja."),
        ("Oui.\n\nLe lun. 9 mars 2026 à 10:00, Bob <b@x.example> a écrit :\n> v", "Oui."),
        ("Sí.\n\nEl lun, 9 mar 2026 a las 10:00, Bob (<b@x.example>) escribió:\n> v", "Sí."),
        ("Sì.\n\nIl giorno lun 9 mar 2026 alle ore 10:00 Bob <b@x> ha scritto:\n> v", "Sì."),
        ("Ja.\n\nOp ma 9 mrt. 2026 om 10:00 schreef Bob <b@x.example>:\n> v", "Ja."),
        ("Sim.\n\nEm seg., 9 de mar. de 2026 às 10:00, Bob <b@x> escreveu:\n> v", "Sim."),
        ("OK\n\n-----Original Message-----\nFrom: Bob\nunfortunately", "OK"),
        ("OK\n\n-----Ursprüngliche Nachricht-----\nVon: Bob", "OK"),
        ("OK\n________________________________\nFrom: Bob <b@x>\nSent: Monday\nTo: A", "OK"),
        ("OK\n\nVon: Bob <b@x>\nGesendet: Montag\nAn: Alex\nBetreff: x", "OK"),
        ("OK\n\nDe : Bob <b@x>\nEnvoyé : lundi\nÀ : Alex", "OK"),
        ("OK\n\nDe: Bob <b@x>\nEnviado el: lunes\nPara: Alex", "OK"),
        ("OK\n\nDa: Bob <b@x>\nInviato: lunedì\nA: Alex", "OK"),
        ("OK\n\nVan: Bob <b@x>\nVerzonden: maandag\nAan: Alex", "OK"),
        ("OK\n\n---------- Forwarded message ---------\nFrom: x", "OK"),
        ("OK\n\nBegin forwarded message:\n\nFrom: x", "OK"),
        ("OK\n\n-------- Original Message --------\nSubject: x", "OK"),
        ("OK\n-- \nBob Builder\nCTO", "OK"),
        ("OK\n\nSent from my iPhone", "OK"),
        ("OK\n\nGet Outlook for Android", "OK"),
        ("OK\n\nVon meinem iPhone gesendet", "OK"),
        ("OK\n\nEnvoyé de mon iPhone", "OK"),
        ("OK\n\nEnviado desde mi iPhone", "OK"),
        ("Top.\n> quoted\nInline answer.\n> more", "Top.\nInline answer."),
        ("Bob wrote:\n> quoted line", ""),
    ],
)
def test_new_text(text: str, kept: str) -> None:
    assert quotes.new_text(text) == kept


def test_a_line_ending_in_wrote_without_quotes_is_kept() -> None:
    text = "Here is what my manager wrote:\nWe love your work."
    assert quotes.new_text(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("16 March", date(2026, 3, 16)), ("March 16th, 2026", date(2026, 3, 16)),
        ("16.03.", date(2026, 3, 16)), ("16.03.26", date(2026, 3, 16)),
        ("2026-03-16", date(2026, 3, 16)), ("16/03/2026", date(2026, 3, 16)),
        ("3/16", date(2026, 3, 16)), ("9/8/2026", None), ("Friday", date(2026, 3, 13)),
        ("Tuesday", date(2026, 3, 17)), ("lundi 16 mars", date(2026, 3, 16)),
        ("16 de marzo de 2026", date(2026, 3, 16)), ("16. März", date(2026, 3, 16)),
        ("16 maart", date(2026, 3, 16)), ("16 de março", date(2026, 3, 16)),
        ("16 marzo", date(2026, 3, 16)), ("31 February", None), ("1 March 2020", None),
        ("5 January", date(2027, 1, 5)),
    ],
)  # fmt: skip
def test_date_at(text: str, expected: date | None) -> None:
    found = dates.date_at(text, 0, REF)
    assert (found.value if found else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow", date(2026, 3, 11)), ("end of the week", date(2026, 3, 13)),
        ("end of next week", date(2026, 3, 20)), ("within 5 business days", date(2026, 3, 17)),
        ("in two weeks", date(2026, 3, 24)), ("within 3 days", date(2026, 3, 13)),
        ("Ende der Woche", date(2026, 3, 13)), ("innerhalb von 2 Wochen", date(2026, 3, 24)),
    ],
)  # fmt: skip
def test_relative_at(text: str, expected: date) -> None:
    found = dates.relative_at(text, 0, REF)
    assert found is not None and found.value == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Unfortunately, we have decided to move forward with other candidates.", ("rejection",)),
        ("We regret to inform you that the position has been filled.", ("rejection",)),
        ("Unfortunately we cannot offer you the position.", ("rejection",)),
        (
            "Leider müssen wir Ihnen mitteilen, dass wir uns anders entschieden haben.",
            ("rejection",),
        ),
        ("Malheureusement, votre candidature n'a pas été retenue.", ("rejection",)),
        ("Lamentablemente hemos decidido no continuar con su candidatura.", ("rejection",)),
        ("Purtroppo non possiamo procedere.", ("rejection",)),
        ("Helaas hebben we besloten niet verder te gaan.", ("rejection",)),
        ("Infelizmente não seguiremos com sua candidatura.", ("rejection",)),
        ("We are delighted to offer you the position!", ("offer",)),
        ("Please find your offer letter attached.", ("offer",)),
        ("Wir freuen uns, Ihnen die Stelle anzubieten.", ("offer",)),
        ("Nous sommes ravis de vous proposer le poste.", ("offer",)),
        ("Are you available on Thursday at 2pm?", ("scheduling",)),
        ("Does Monday morning work for you?", ("scheduling",)),
        ("Could you share your availability for next week?", ("scheduling",)),
        ("Hätten Sie am Donnerstag um 10 Uhr Zeit?", ("scheduling",)),
        ("Êtes-vous disponible jeudi ?", ("scheduling",)),
        ("¿Le viene bien el jueves a las 10:00?", ("scheduling",)),
        ("Unfortunately I am busy on Tuesday.", ()),
        ("Thanks, I'll pass your CV on.", ()),
        ("Our offer of free coffee stands.", ()),
    ],
)
def test_signals(text: str, expected: tuple[str, ...]) -> None:
    assert phrases.signals_of(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We will get back to you by Friday.", date(2026, 3, 13)),
        ("We'll let you know by 20 March.", date(2026, 3, 20)),
        ("You will hear from us by the end of the week.", date(2026, 3, 13)),
        ("We expect to have a decision within two weeks.", date(2026, 3, 24)),
        ("Wir melden uns bis Freitag.", date(2026, 3, 13)),
        ("Nous reviendrons vers vous d'ici vendredi.", date(2026, 3, 13)),
        ("Le responderemos antes del viernes.", date(2026, 3, 13)),
        ("Ti faremo sapere entro venerdì.", date(2026, 3, 13)),
        ("We laten je uiterlijk vrijdag weten.", None),
        ("Can you send me your portfolio by Friday?", None),
        ("We will get back to you soon.", None),
    ],
)
def test_reply_by(text: str, expected: date | None) -> None:
    assert phrases.reply_by(text, REF) == expected


def _person(text: str, subject: str = "", headers: tuple[tuple[str, str], ...] = ()) -> Message:
    return Message(
        from_=(Address("jane@acme.example", "Jane"),),
        subject=subject,
        date=datetime(2026, 3, 10, 9, tzinfo=UTC),
        headers=Headers((("subject", subject), *headers)),
        text=text,
    )


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("The parcel couldn't be delivered, so I'll bring the laptop on Monday.", ""),
        ("Your message could not be delivered to my old address, use this one.", "New address"),
        ("Das Paket konnte nicht zugestellt werden.", "Lieferung"),
        ("I'm out of the office until Friday but happy to chat then.", "Quick note"),
        ("I am on vacation until 20 March. Thursday works though!", "Re: Interview"),
        ("This thread says 'Automatic reply' but I'm a person.", "Re: Automatic reply: hi"),
        ("Delivery problem with my order: the item does not exist.", "Delivery problem"),
    ],
)
def test_people_are_never_bounces_or_auto_replies(text: str, subject: str) -> None:
    assert classify(_person(text, subject)).kind is Kind.PERSONAL
