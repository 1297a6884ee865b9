"""adapters/mime.py: bytes to Message, header-only parsing, and the never-raise promise."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthru.adapters import htmltext, ical, mime
from followthru.core.reading.classify import Kind
from followthru.errors import MessageRejected
from followthru.service.reading import classify_bytes

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"
FIXTURES = [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))]

HEADERS = (
    b"Date: Wed, 11 Mar 2026 10:02:33 +0100\r\n"
    b"From: =?utf-8?Q?J=C3=BCrgen_M=C3=BCller?= <Juergen@Beispiel.example>\r\n"
    b'To: Alex Seeker <alex@seeker.example>, "Doe, Jane" <jane@acme.example>\r\n'
    b"Cc: bob@acme.example\r\n"
    b"Subject: Re: Thank you\r\n  for today\r\n"
    b"Message-ID: <CAF=abc@mail.gmail.com>\r\n"
    b"In-Reply-To: <t-1@seeker.example>\r\n"
    b"References: <i-0@seeker.example>\r\n <t-1@seeker.example>\r\n"
    b"Auto-Submitted: no\r\n"
    b"\r\n"
)


def test_parse_headers_reads_the_hot_path_fields() -> None:
    h = mime.parse_headers(HEADERS)
    assert h.message_id == "<CAF=abc@mail.gmail.com>"
    assert h.in_reply_to == ("<t-1@seeker.example>",)
    assert h.references == ("<i-0@seeker.example>", "<t-1@seeker.example>")
    assert h.from_[0].addr == "juergen@beispiel.example" and h.from_[0].name == "Jürgen Müller"
    assert [a.addr for a in h.to] == ["alex@seeker.example", "jane@acme.example"]
    assert h.to[1].name == "Doe, Jane"
    assert [a.addr for a in h.cc] == ["bob@acme.example"]
    assert h.subject == "Re: Thank you  for today"
    assert h.date == datetime(2026, 3, 11, 9, 2, 33, tzinfo=UTC)
    assert h.headers.get("auto-submitted") == "no"


def test_parse_headers_never_raises() -> None:
    for block in (b"", b"\x00\xff:", b"::::\n\n", b"From: <<<@@@>>>\nDate: 99 Foo 1\n"):
        mime.parse_headers(block)


def test_parse_headers_throughput() -> None:
    """A loose floor (the real figure, ~25k/s, is in the report); guards against a 10x slip."""
    start = time.perf_counter()
    for _ in range(2000):
        mime.parse_headers(HEADERS)
    assert 2000 / (time.perf_counter() - start) > 2000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=?iso-8859-1?Q?Gespr=E4ch?=", "Gespräch"),
        ("=?utf-8?B?SMOkbGxv?=", "Hällo"),
        ("=?x-unknown?Q?abc?=", "abc"),
        ("plain\n text", "plain text"),
        ("caf\udcc3\udca9", "café"),
        ("caf\udce9", "café"),
    ],
)
def test_decode_value(value: str, expected: str) -> None:
    assert mime.decode_value(value) == expected


def test_message_ids_and_dates() -> None:
    assert mime.message_ids("<a@b> junk <c@d>") == ("<a@b>", "<c@d>")
    assert mime.message_ids("a@b") == ("<a@b>",)
    assert mime.parse_date("Tue, 10 Mar 2026 09:00:00 -0000") == datetime(
        2026, 3, 10, 9, tzinfo=UTC
    )
    assert mime.parse_date("yesterday") is None


def test_newlines_are_normalised() -> None:
    assert mime.normalise_newlines(b"a\r\nb\rc\n") == b"a\nb\nc\n"


def test_parse_message_reads_structure() -> None:
    msg = mime.parse_message((CORPUS / "bounce-gmail-dsn-nosuchuser.eml").read_bytes())
    assert msg.content_type == "multipart/report" and msg.report_type == "delivery-status"
    assert msg.delivery_status[0].action == "failed"
    assert msg.delivery_fields.get("x-original-message-id").startswith("<CAJ+")
    assert msg.original_headers.get("message-id") == "<CAJ+seeker-thanks-rita@mail.gmail.com>"
    assert "Address not found" in msg.text and "<html>" not in msg.text


def test_html_only_text_keeps_quotes_marked() -> None:
    msg = mime.parse_message((CORPUS / "reply-html-only-gmail.eml").read_bytes())
    assert msg.text.startswith("Sounds good! How about Monday at 10am?")
    assert "> Unfortunately we have decided not to proceed & we regret to inform you." in msg.text


def test_htmltext_drops_style_and_script() -> None:
    text = htmltext.to_text("<style>p{}</style><p>A&amp;B</p><script>x()</script><br>C")
    assert [line for line in text.splitlines() if line] == ["A&B", "C"]


def test_charsets_that_lie_or_are_unknown() -> None:
    lying = mime.parse_message((CORPUS / "malformed-lying-charset.eml").read_bytes())
    assert "für das Gespräch" in lying.text and lying.subject == "Re: Gespräch"
    unknown = mime.parse_message((CORPUS / "malformed-unknown-charset.eml").read_bytes())
    assert "Café – 한국" in unknown.text
    eight = mime.parse_message((CORPUS / "malformed-8bit-headers.eml").read_bytes())
    assert eight.from_[0].name == "Zoë Ünicode"


def test_rejections() -> None:
    with pytest.raises(MessageRejected, match="empty"):
        mime.parse_message(b" \n\n")
    with pytest.raises(MessageRejected, match="binary"):
        mime.parse_message((CORPUS / "malformed-binary-garbage.eml").read_bytes())
    assert classify_bytes(b"").kind is Kind.QUARANTINE


def test_text_without_headers_is_still_read() -> None:
    msg = mime.parse_message(b"Thanks for the update!\n\nBest, Bob\n")
    assert msg.text.startswith("Thanks for the update!")


def test_deep_nesting_is_bounded() -> None:
    msg = mime.parse_message((CORPUS / "malformed-deep-nesting.eml").read_bytes())
    assert "too many or too deeply nested parts" in msg.defects
    assert len(msg.part_types) <= mime.MAX_PARTS


def test_many_parts_are_bounded() -> None:
    parts = b"".join(b"--b\nContent-Type: text/plain\n\nx\n" for _ in range(500))
    raw = b"Content-Type: multipart/mixed; boundary=b\n\n" + parts + b"--b--\n"
    msg = mime.parse_message(raw)
    assert len(msg.part_types) <= mime.MAX_PARTS + 1


def test_huge_input_is_truncated() -> None:
    raw = b"Subject: big\n\n" + b"x" * (mime.MAX_BYTES + 10)
    msg = mime.parse_message(raw)
    assert "input truncated" in msg.defects and len(msg.text) <= mime.MAX_TEXT


def test_broken_calendar_yields_no_events() -> None:
    assert ical.events(b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:garbage\n") == []
    assert ical.events(b"\xff\xfe\x00") == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    with contextlib.suppress(MessageRejected):
        mime.parse_message(raw)
    classify_bytes(raw)
    mime.parse_headers(raw)


@st.composite
def mutated_fixture(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(FIXTURES)))
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            break
        op = draw(st.sampled_from(["flip", "cut", "dup", "insert"]))
        pos = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[pos] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[pos : pos + draw(st.integers(1, 400))]
        elif op == "dup":
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 400))]
        else:
            data[pos:pos] = draw(
                st.sampled_from(
                    [b"\n\n", b"--", b"=?utf-8?B?", b"Content-Type: multipart/mixed\n",
                     b"boundary=\"", b"\r", b"\x00", b"Content-Transfer-Encoding: base64\n",
                     b"BEGIN:VEVENT\n", b"Final-Recipient: rfc822; x@y\n", b"\xc3"]
                )
            )  # fmt: skip
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_fixture())
def test_mutated_fixtures_never_raise_and_stay_fast(raw: bytes) -> None:
    start = time.perf_counter()
    got = classify_bytes(raw, reference_time=datetime(2026, 3, 10, tzinfo=UTC))
    assert got.kind in set(Kind)
    assert time.perf_counter() - start < 2.0


def test_delivery_status_blocks_without_blank_lines_between_recipients() -> None:
    block = mime.header_items(
        "Original-Recipient: rfc822;a@x.example\nFinal-Recipient: rfc822;a@x.example\n"
        "Action: failed\nStatus: 5.1.1\nFinal-Recipient: rfc822;b@x.example\nAction: failed\n"
        "Status: 5.2.2\n"
    )
    fields, recipients = mime.delivery_status([mime.header_items("Reporting-MTA: dns; m"), block])
    assert fields == [("reporting-mta", "dns; m")]
    assert [(r.final_recipient, r.status) for r in recipients] == [
        ("rfc822;a@x.example", "5.1.1"),
        ("rfc822;b@x.example", "5.2.2"),
    ]


BROKEN = (
    b"From: MAILER-DAEMON@mx.example\nTo: alex@seeker.example\nSubject: failure\n"
    b"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status%s\n\n"
    b"--real-1\nContent-Type: text/plain\n\nIt failed.\n"
    b"--real-1\nContent-Type: message/delivery-status\n\n"
    b"Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; bob@acme.example\n"
    b"Action: failed\nStatus: 5.1.1\n--real-1--\n"
)


@pytest.mark.parametrize("param", [b"", b'; boundary="not-the-one"'])
def test_a_multipart_with_a_missing_or_wrong_boundary_is_re_split(param: bytes) -> None:
    msg = mime.parse_message(BROKEN % param)
    assert msg.text.strip() == "It failed."
    assert [ds.final_recipient for ds in msg.delivery_status] == ["rfc822; bob@acme.example"]


def test_a_multipart_without_any_delimiter_is_read_as_text() -> None:
    raw = b"From: a@b.example\nContent-Type: multipart/mixed\n\nJust words, no parts.\n"
    assert mime.parse_message(raw).text.strip() == "Just words, no parts."
