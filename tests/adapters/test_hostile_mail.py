"""Hostile mail at the parsing level: `read_message` (parse_message, then classify) never
raises, reads each message (none is quarantined: all are mail a person can be sent),
finishes in bounded time and stays under 100 MB of Python allocations.

Every message is generated here (nothing big is committed): 5 MB of headers, one 1 MB
header, 10,000 MIME parts, nesting 200 deep, NUL bytes, invalid UTF-8 and broken encodings,
a 60 MB attachment, 10 MB of HTML (plain; made of unclosed <style> and <!-- openers, which
a lazy regex rescans to the end for each; made of tags that never end), a calendar whose
RRULE never ends, and one with thousands of events and recurrence overrides.

Peak memory is tracemalloc's (started after the message is built, so the input itself is
not counted). The time bound is generous on purpose (tracemalloc slows Python ~2x and the
machine is shared): it catches quadratic blow-ups, not regressions of a few percent, which
are the benchmark's job.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from followthru.service.reading import read_message

MB = 1024 * 1024
PEAK_LIMIT = 100 * MB
SECONDS = 30.0
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

HEAD = (
    b"From: Bob Stone <bob@acme.example>\r\nTo: Jane Doe <jane@example.org>\r\n"
    b"Subject: Re: our interview\r\nDate: Fri, 20 Nov 2026 10:00:00 +0000\r\n"
    b"Message-ID: <hostile@acme.example>\r\nMIME-Version: 1.0\r\n"
)


def multipart(parts: list[bytes], boundary: bytes, subtype: bytes = b"mixed") -> bytes:
    """A multipart body (its Content-Type line first) holding `parts` (each headers + body)."""
    out = [b"Content-Type: multipart/" + subtype + b'; boundary="' + boundary + b'"\r\n\r\n']
    for part in parts:
        out += [b"--", boundary, b"\r\n", part, b"\r\n"]
    out += [b"--", boundary, b"--\r\n"]
    return b"".join(out)


def text_part(body: bytes, ctype: bytes = b"text/plain; charset=utf-8") -> bytes:
    return b"Content-Type: " + ctype + b"\r\n\r\n" + body


def huge_headers() -> bytes:
    filler = b"".join(b"X-Filler-%d: %s\r\n" % (n, b"a" * 60) for n in range(80_000))  # ~6 MB
    long_subject = b"Subject: " + b"=?utf-8?q?" + b"A" * (1 * MB) + b"?=\r\n"
    long_cc = b"Cc: " + b", ".join(b"p%d@x.example" % n for n in range(60_000)) + b"\r\n"
    return HEAD + filler + long_subject + long_cc + b"\r\nHello.\r\n"


def many_parts() -> bytes:
    parts = [text_part(b"part %d" % n) for n in range(10_000)]
    return HEAD + multipart(parts, b"b10k")


def deep_nesting() -> bytes:
    inner = text_part(b"at the bottom")
    for depth in range(200):
        inner = multipart([inner], b"d%d" % depth)
    return HEAD + inner


def nul_bytes() -> bytes:
    return (
        b"From: Bob\x00 <bob@acme.example>\r\nTo: jane@example.org\x00\r\n"
        b"Subject: thanks\x00\x00 for\x00 today\r\nMessage-ID: <n\x00ul@acme.example>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        + b"Thank you\x00 for the interview.\r\n" * 10_000
        + b"\x00" * MB
    )


def invalid_utf8() -> bytes:
    return (
        b"From: =?utf-8?b?!!!notbase64?= <bob@acme.example>\r\n"
        b"To: \xff\xfe\xfd <jane@example.org>\r\n"
        b"Subject: =?x-unknown?q?abc?= =?utf-8?q?=C3=28?= \xc3\x28\xa0\xa1\r\n"
        b"Cc: =?utf-8?q?=E2=82?= <a@x.example>, \xed\xa0\x80 <b@x.example>\r\n"
        b"MIME-Version: 1.0\r\n"
        + multipart(
            [
                text_part(b"\xc3\x28 \xf0\x28\x8c\x28 \xed\xa0\x80" * 20_000),
                text_part(b"\xff" * 100_000, b"text/html; charset=utf-16"),
                text_part(b"x", b"text/plain; charset=\xff\xfe"),
                b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!***",
                b"Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=\r\n=",
            ],
            b"bad\xffboundary",
        )
    )


def big_attachment() -> bytes:
    line = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n"
    body = line * (60 * MB // len(line))
    attachment = (
        b"Content-Type: application/octet-stream; name=big.bin\r\n"
        b"Content-Disposition: attachment; filename=big.bin\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + body
    )
    return HEAD + multipart([text_part(b"See attached."), attachment], b"att")


def big_html() -> bytes:
    row = b"<tr><td><b>Cell</b> &amp; <i>text</i></td><td><a href='x'>link</a></td></tr>\r\n"
    return HEAD + text_part(b"<html><body><table>" + row * (10 * MB // len(row)), b"text/html")


def html_openers() -> bytes:
    """Unclosed <style> and <!-- openers: each is a start for a lazy match to the end."""
    body = b"<style>x <!-- y " * (10 * MB // 16)
    return HEAD + text_part(body, b"text/html")


def html_unclosed_tags() -> bytes:
    """Tags that never end: a "<" with no ">" after it, over and over."""
    body = b"<p <a href='x <blockquote <b" * (10 * MB // 30) + b" text"
    return HEAD + text_part(body, b"text/html")


def endless_rrule() -> bytes:
    ics = (
        b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nVERSION:2.0\r\n"
        b"BEGIN:VEVENT\r\nUID:loop@acme.example\r\nSEQUENCE:0\r\n"
        b"DTSTART:20261123T100000Z\r\nDTEND:20261123T110000Z\r\n"
        b"RRULE:FREQ=SECONDLY;INTERVAL=1\r\nRRULE:FREQ=SECONDLY;COUNT=2000000000\r\n"
        b"EXDATE:" + b",".join(b"20261123T1000%02dZ" % (n % 60) for n in range(5000)) + b"\r\n"
        b"SUMMARY:Interview\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    return HEAD + text_part(ics, b"text/calendar; method=REQUEST; charset=utf-8")


def many_events() -> bytes:
    events = b"".join(
        b"BEGIN:VEVENT\r\nUID:same@acme.example\r\nRECURRENCE-ID:20261123T1000%02dZ\r\n"
        b"DTSTART:20261123T100000Z\r\nRRULE:FREQ=MINUTELY\r\nSUMMARY:Interview %d\r\n"
        b"END:VEVENT\r\n" % (n % 60, n)
        for n in range(20_000)
    )
    nested = b"BEGIN:VALARM\r\n" * 5000 + b"END:VALARM\r\n" * 5000
    ics = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n" + events + nested + b"END:VCALENDAR\r\n"
    return HEAD + text_part(ics, b"text/calendar; method=REQUEST")


HOSTILE: dict[str, Callable[[], bytes]] = {
    "5MB-headers": huge_headers,
    "10000-parts": many_parts,
    "200-deep": deep_nesting,
    "nul-bytes": nul_bytes,
    "invalid-utf8": invalid_utf8,
    "60MB-attachment": big_attachment,
    "10MB-html": big_html,
    "html-openers": html_openers,
    "html-unclosed-tags": html_unclosed_tags,
    "endless-rrule": endless_rrule,
    "many-events": many_events,
}


@pytest.mark.parametrize("make", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_mail_is_read_in_bounded_time_and_memory(make: Callable[[], bytes]) -> None:
    raw = make()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        message, reading = read_message(raw, reference_time=NOW)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"\n{make.__name__}: {len(raw) / MB:.1f} MB in {seconds:.2f} s, peak {peak / MB:.1f} MB;"
          f" {reading.kind}")  # fmt: skip
    # Read, not quarantined: each of these is mail a person could be sent, and is readable.
    assert message is not None and reading.kind != "quarantine", reading.reason
    assert seconds < SECONDS, f"{seconds:.1f} s"
    assert peak < PEAK_LIMIT, f"peak {peak / MB:.0f} MB"
    assert len(message.text) <= 64 * 1024 and len(message.part_types) <= 100  # bounded too
