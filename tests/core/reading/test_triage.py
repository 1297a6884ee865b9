"""The header-only decisions of a mailbox scan, read from the lazy HeaderView, decide what they
decide from the full parse: the message key (what the store remembers: a store written before
must stay valid), whether a message looks like a report, what correlation says, and what the
user's own mail means (intake.outbound)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from followthru.adapters.headerparse import HeaderView, parse_headers
from followthru.adapters.imapdata import HeaderRecord, header_block
from followthru.core import intake
from followthru.core.correlate import Index, KnownContact, SentRef, correlate
from followthru.core.model import ContactId, Step
from followthru.core.reading.triage import looks_like_report, may_be_invitation, message_key
from tests.adapters.test_headerview import header_blocks

CORPUS = Path(__file__).resolve().parents[2] / "data" / "mail"
RECORD = HeaderRecord(7, frozenset(), datetime(2026, 3, 4, tzinfo=UTC), 100, b"")
INDEX = Index(
    (
        KnownContact("1", ("bob@acme.example",), "acme.example"),
        KnownContact("2", ("rita@recruitco.example", "r.k@recruitco.example"), "", "1"),
    ),
    {
        "<id-1@x.example>": SentRef("1", "5"),
        "<CAJ+seeker-thanks-rita@mail.gmail.com>": SentRef("2"),
    },
    frozenset({"jane@example.org", "alex@seeker.example"}),
)


def assert_same_decisions(block: bytes) -> None:
    full = parse_headers(block)
    assert message_key(HeaderView(block)) == message_key(full)
    assert looks_like_report(HeaderView(block)) == looks_like_report(full)
    keywords = ("interview", "phone screen")
    assert may_be_invitation(HeaderView(block), keywords) == may_be_invitation(full, keywords)
    assert correlate(HeaderView(block), INDEX) == correlate(full, INDEX)
    for ours in (None, intake.Ours(ContactId("2"), Step("thank_you"))):
        at = RECORD.internaldate
        assert at is not None
        got = intake.outbound(HeaderView(block), "<k@x>", at, INDEX, ours)
        assert got == intake.outbound(full, "<k@x>", at, INDEX, ours)


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.eml")), ids=lambda p: p.name)
def test_corpus_decisions_are_the_same(path: Path) -> None:
    block = header_block(path.read_bytes())
    assert_same_decisions(block)
    without_id = re.sub(rb"(?im)^message-id:.*(\r?\n[ \t].*)*(\r?\n|$)", b"", block)
    assert not parse_headers(without_id).message_id
    assert_same_decisions(without_id)  # the key is the hash of date, addresses and subject


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header_blocks())
def test_generated_decisions_are_the_same(block: bytes) -> None:
    assert_same_decisions(block)


def test_the_key_of_a_message_without_message_id_is_unchanged() -> None:
    """The hash of a message without Message-ID as followthru wrote it into stores before."""
    block = (
        b"From: Bob <bob@acme.example>\r\nTo: jane@example.org\r\nSubject: Out of office\r\n"
        b"Date: Wed, 04 Mar 2026 09:00:00 +0000\r\n\r\n"
    )
    key = message_key(HeaderView(block))
    assert key == message_key(parse_headers(block))
    assert key == "<sha256-c5b6310e2fb34c750915bfc0c7879d72@followthru.invalid>"
