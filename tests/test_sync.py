"""sync.py's header-only decisions read from the lazy HeaderView decide what they decided from
the full parse: the message key (what the store remembers: a store written before must stay
valid), whether a message looks like a report, and what correlation says."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from followthru.adapters.headerparse import HeaderView, parse_headers
from followthru.adapters.imapdata import HeaderRecord, header_block
from followthru.core.correlate import Index, KnownContact, SentRef, correlate
from followthru.core.message import MessageHeaders
from followthru.sync import looks_like_report, message_key
from tests.adapters.test_headerview import header_blocks

CORPUS = Path(__file__).resolve().parent / "data" / "mail"
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


def looks_like_report_of(env: MessageHeaders) -> bool:
    """sync.looks_like_report as it read the full parse (followthru at 7aac9b5)."""
    sender = env.from_[0].local if env.from_ else ""
    content_type = env.headers.get("content-type").lower()
    return (
        sender.lower() in ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")
        or "multipart/report" in content_type
        or env.headers.get("return-path").strip() == "<>"
        or bool(env.headers.get("x-failed-recipients"))
    )


def assert_same_decisions(block: bytes) -> None:
    full = parse_headers(block)
    assert message_key(HeaderView(block), RECORD) == message_key(full, RECORD)
    assert looks_like_report(HeaderView(block)) == looks_like_report_of(full)
    assert correlate(HeaderView(block), INDEX) == correlate(full, INDEX)


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
    key = message_key(HeaderView(block), RECORD)
    assert key == message_key(parse_headers(block), RECORD)
    assert re.fullmatch(r"<sha256-[0-9a-f]{32}@followthru\.invalid>", key)
