"""core/correlate.py: thread, address and domain matching, with modes and reasons."""

from __future__ import annotations

import pytest

from followthru.core.correlate import (
    Confidence,
    Index,
    KnownContact,
    Mode,
    SentRef,
    correlate,
    is_free_mail,
    thread_ids,
)
from followthru.core.reading.message import Address, MessageHeaders

JANE = KnownContact("c-jane", ("jane@acme.example", "j.doe@acme.example"))
ERIN = KnownContact("c-erin", ("erin@umbrella.example",))
DAVE = KnownContact("c-dave", ("dave@initech.example",), source_id="c-erin")
GMAIL = KnownContact("c-gus", ("gus@gmail.com",))
SENT = {
    "<t-jane@seeker.example>": SentRef("c-jane", "o-jane-1"),
    "<r-dave@seeker.example>": SentRef("c-dave", "o-dave-1"),
    "<own@seeker.example>": SentRef(None),
}


def index(domain_mode: Mode = "flag", forward_mode: Mode = "flag") -> Index:
    return Index(
        (JANE, ERIN, DAVE, GMAIL),
        SENT,
        frozenset({"alex@seeker.example"}),
        domain_mode,
        forward_mode,
    )


def env(sender: str, *, irt: str = "", refs: tuple[str, ...] = (), **kw: object) -> MessageHeaders:
    return MessageHeaders(
        message_id="<m@x>",
        in_reply_to=(irt,) if irt else (),
        references=refs,
        from_=(Address(sender),),
        **kw,  # type: ignore[arg-type]
    )


def test_reply_in_thread_is_high_confidence() -> None:
    got = correlate(env("jane@acme.example", irt="<t-jane@seeker.example>"), index())
    assert got is not None and (got.contact_id, got.outreach_id) == ("c-jane", "o-jane-1")
    assert got.confidence is Confidence.HIGH and got.in_thread and not got.needs_review


def test_references_are_walked_newest_first() -> None:
    refs = ("<r-dave@seeker.example>", "<unknown@x>", "<t-jane@seeker.example>")
    assert thread_ids(env("x@y", refs=refs))[0] == "<t-jane@seeker.example>"
    got = correlate(env("jane@acme.example", refs=refs), index())
    assert got is not None and got.outreach_id == "o-jane-1"


def test_reply_all_from_the_source_belongs_to_the_source() -> None:
    got = correlate(env("erin@umbrella.example", irt="<r-dave@seeker.example>"), index())
    assert got is not None and got.contact_id == "c-erin" and got.outreach_id is None
    assert "source" in got.reason


def test_alternate_address_and_reply_to() -> None:
    alt = correlate(env("j.doe@acme.example", irt="<t-jane@seeker.example>"), index())
    assert alt is not None and alt.contact_id == "c-jane"
    via = env("no-reply@greenhouse.io", reply_to=(Address("jane@acme.example"),))
    got = correlate(via, index())
    assert got is not None and got.contact_id == "c-jane" and not got.needs_review


@pytest.mark.parametrize(("mode", "review"), [("count", False), ("flag", True)])
def test_colleague_in_thread_follows_the_domain_mode(mode: Mode, review: bool) -> None:
    got = correlate(env("boss@acme.example", irt="<t-jane@seeker.example>"), index(mode))
    assert got is not None and got.contact_id == "c-jane" and got.needs_review is review
    assert got.confidence is Confidence.MEDIUM


def test_domain_mode_ignore() -> None:
    assert correlate(env("boss@acme.example", irt="<t-jane@seeker.example>"), index("ignore")) \
        is None  # fmt: skip
    assert correlate(env("boss@acme.example"), index("ignore")) is None


@pytest.mark.parametrize(("mode", "expected"), [("count", "c-jane"), ("ignore", None)])
def test_forwarded_reply(mode: Mode, expected: str | None) -> None:
    got = correlate(env("friend@elsewhere.example", irt="<t-jane@seeker.example>"),
                    index(forward_mode=mode))  # fmt: skip
    assert (got.contact_id if got else None) == expected


def test_out_of_thread_mail_from_a_contact_is_theirs() -> None:
    got = correlate(env("dave@initech.example"), index())
    assert got is not None and got.contact_id == "c-dave" and not got.in_thread
    assert not got.needs_review and got.confidence is Confidence.MEDIUM


def test_same_company_domain_out_of_thread() -> None:
    got = correlate(env("hr@acme.example"), index("count"))
    assert got is not None and got.contact_id == "c-jane" and got.confidence is Confidence.LOW


def test_free_mail_domains_never_match_by_domain() -> None:
    assert is_free_mail("gmail.com") and is_free_mail("mail.yahoo.com")
    assert correlate(env("stranger@gmail.com"), index("count")) is None


def test_own_mail_is_outbound() -> None:
    threaded = correlate(env("alex@seeker.example", irt="<t-jane@seeker.example>"), index())
    assert threaded is not None and threaded.outbound and threaded.contact_id == "c-jane"
    direct = env("alex@seeker.example", to=(Address("dave@initech.example"),))
    got = correlate(direct, index())
    assert got is not None and got.outbound and got.contact_id == "c-dave"
    lonely = correlate(env("alex@seeker.example"), index())
    assert lonely is not None and lonely.outbound and lonely.contact_id is None


def test_reply_to_the_users_own_sent_mail() -> None:
    got = correlate(env("erin@umbrella.example", irt="<own@seeker.example>"), index())
    assert got is not None and got.contact_id == "c-erin" and "user's message" in got.reason


def test_unknown_sender_matches_nothing() -> None:
    assert correlate(env("nobody@nowhere.example"), index()) is None
