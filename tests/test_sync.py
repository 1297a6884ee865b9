"""sync.py's header-only decisions read from the lazy HeaderView decide what they decided from
the full parse: the message key (what the store remembers: a store written before must stay
valid), whether a message looks like a report, what correlation says, and what the user's own
mail means (intake.outbound). And how bodies are grouped for fetching."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from followthru.adapters.headerparse import HeaderView, parse_headers
from followthru.adapters.imapdata import HeaderRecord, header_block
from followthru.core import intake
from followthru.core.correlate import Index, KnownContact, SentRef, correlate
from followthru.core.model import ContactId, Step
from followthru.core.reading.message import MessageHeaders
from followthru.service.sync import MAX_BODY, Seen, _budgeted, looks_like_report, message_key
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
    key = message_key(HeaderView(block), RECORD)
    assert key == message_key(parse_headers(block), RECORD)
    assert re.fullmatch(r"<sha256-[0-9a-f]{32}@followthru\.invalid>", key)


def test_bodies_are_fetched_in_runs_of_the_budget_in_order() -> None:
    def seen(uid: int) -> Seen:
        assert RECORD.internaldate is not None
        return Seen("INBOX", uid, f"<{uid}@x>", RECORD.internaldate, b"")

    sizes = [100, MAX_BODY, 300, MAX_BODY, MAX_BODY, 5, 7, MAX_BODY, 1]
    waiting = [(seen(uid), size) for uid, size in enumerate(sizes)]
    for budget in (1, 400, MAX_BODY, 2 * MAX_BODY, 10 * MAX_BODY):
        runs = list(_budgeted(waiting, budget))
        assert [m for run in runs for m in run] == [m for m, _ in waiting]
        for run in runs:
            total = sum(sizes[m.uid] for m in run)
            assert run and (total <= budget or len(run) == 1)
        assert all(  # a run ends only where the next message would pass the budget
            sum(sizes[m.uid] for m in run) + sizes[nxt[0].uid] > budget
            for run, nxt in pairwise(runs)
        )
    assert list(_budgeted([], MAX_BODY)) == []
