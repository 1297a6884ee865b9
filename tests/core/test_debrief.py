"""The debrief's reading (core/debrief.py) and the sent note's recognition (core/drafts.py
`sent_note`): pure, tolerant of what clients do to a form, never guessing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from followthru.core.debrief import Met, merged_notes, panel_key, read_answer
from followthru.core.drafts import InSent, sent_note
from followthru.core.model import Interview

SENT_ON = date(2026, 3, 3)  # a Tuesday


def test_a_filled_form_is_read_whatever_the_client_did_to_it() -> None:
    text = (
        "A note to self.\r\n\r\n**WHO YOU MET** (name <address>, one per line):\r\n"
        "Bob Stone <bob@acme.example>\r\nCarol Jones\r\n<carol@acme.example>\r\n"
        "dan@acme.example<mailto:dan@acme.example>\r\n\r\n"
        "what matters to them:\r\n- shipping small changes\r\n  often\r\n* mentoring\r\n\r\n"
        "Concerns: my Go is\r\nrusty\r\n\r\nWhen they will decide: by Friday\r\n\r\n"
        "What was agreed: I send references\r\n\r\n-- \r\nJane\r\n\r\n"
        "> Who you met:\r\n> Mallory <mallory@evil.example>\r\n"
    )
    answer = read_answer(text, SENT_ON)
    assert answer.people == (Met("Bob Stone", "bob@acme.example"),
                             Met("Carol Jones", "carol@acme.example"), Met("", "dan@acme.example"))  # fmt: skip
    assert answer.values == ("shipping small changes often", "mentoring")
    assert answer.concerns == ("my Go is rusty",)
    assert answer.notes() == (
        "shipping small changes often",
        "mentoring",
        "concern: my Go is rusty",
    )
    assert answer.reply_by == date(2026, 3, 6)
    assert answer.agreed == "I send references"
    assert answer.problems == ()


def test_dates_are_read_or_said_never_guessed() -> None:
    def when(said: str) -> tuple[date | None, tuple[str, ...]]:
        answer = read_answer(f"When they will decide: {said}\n", SENT_ON)
        return answer.reply_by, answer.problems

    assert when("2026-12-18") == (date(2026, 12, 18), ())
    assert when("next week") == (date(2026, 3, 13), ())
    assert when("within 5 business days") == (date(2026, 3, 10), ())
    assert when("") == (None, ())
    reply_by, problems = when("when the stars align")
    assert reply_by is None and "cannot be read" in problems[0]


def test_a_half_filled_form_uses_what_is_there_and_names_what_it_cannot_use() -> None:
    answer = read_answer("Who you met:\nBob Stone\n\nAny concern:\nnone\n", SENT_ON)
    assert answer.people == () and answer.concerns == () and answer.values == ()
    assert answer.problems == ("'Bob Stone' has no address: add it as name <address>",)
    assert read_answer("Thanks, all good!", SENT_ON) == read_answer("", SENT_ON)


def test_notes_merge_once_and_a_panel_shares_its_key() -> None:
    assert (
        merged_notes("scale\nconcern: Go", ("Scale", "mentoring"))
        == "scale\nconcern: Go\nmentoring"
    )
    start = datetime(2026, 3, 3, 14, tzinfo=UTC)
    one = Interview(start, start + timedelta(hours=1), company="Acme")
    other = Interview(start, start + timedelta(hours=2), role="SRE", company=" acme ")
    assert panel_key(one) == panel_key(other)
    assert panel_key(one) != panel_key(Interview(start + timedelta(days=1), start, company="Acme"))


def test_a_note_sent_with_a_new_message_id_is_found_by_what_survives() -> None:
    me = frozenset({"jane@example.org", "jane@gmail.example"})
    written = datetime(2026, 3, 3, 15, 30, tzinfo=UTC)

    def sent(uid: int, *, to: str = "jane@example.org", cc: str = "", subject: str = "Debrief: x",
             at: datetime = written + timedelta(minutes=5)) -> InSent:  # fmt: skip
        return InSent(uid, f"<{uid}@gmail>", frozenset({"jane@example.org"}), frozenset({to}),
                      frozenset({cc} if cc else ()), subject, at)  # fmt: skip

    assert (
        sent_note("Debrief: x", written, me, [sent(1), sent(2, subject="Fwd: Debrief: x")]).uid == 2
    )  # type: ignore[union-attr]
    assert sent_note("Debrief: x", written, me, [sent(1, to="bob@acme.example")]) is None
    assert sent_note("Debrief: x", written, me, [sent(1, cc="bob@acme.example")]) is None
    assert sent_note("Debrief: x", written, me, [sent(1, subject="Other")]) is None
    assert sent_note("Debrief: x", written, me, [sent(1, at=written - timedelta(days=1))]) is None
