"""adapters/headerparse.py: the lazy HeaderView a mailbox scan reads gives, field by field, what
parse_headers gives, and parse_headers gives what it gave before its fields had one reader each.

The reference below is parse_headers as it was (one `envelope` reading every field at once);
both are compared on the corpus (as LF, CRLF and CR-only, whole messages and the header
fields an IMAP scan fetches) and on generated header blocks: folded, RFC 2047, 8-bit,
repeated, malformed, cut short by a blank line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthru.adapters.headerparse import (
    HeaderView,
    addresses,
    decode_value,
    message_ids,
    parse_date,
    parse_headers,
    raw_value,
)
from followthru.adapters.imapdata import HEADER_FIELDS, header_block
from followthru.adapters.mime import parse_message
from followthru.core.reading.message import Headers, MessageHeaders

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"
FIELDS = ("message_id", "in_reply_to", "references", "from_", "reply_to", "to", "cc", "subject",
          "date")  # fmt: skip
NAMES = (*(f.lower() for f in HEADER_FIELDS), "received", "x-absent")


def reference_split(block: str) -> Iterator[tuple[str, str]]:
    """headerparse._split_headers as it was (followthru at 7aac9b5)."""
    name = ""
    value: list[str] = []
    for line in block.split("\n"):
        if line[:1] in (" ", "\t") and name:
            value.append(line)
            continue
        if name:
            yield name, "".join(value)
        if not line.strip() and (name or not value):
            return
        head, colon, rest = line.partition(":")
        if colon and head and " " not in head.strip():
            name, value = head.strip().lower(), [rest]
        else:
            name, value = "", []
    if name:
        yield name, "".join(value)


def reference_parse(header_bytes: bytes) -> MessageHeaders:
    """parse_headers before the per-field readers (followthru at 7aac9b5), with one change
    since: address fields are parsed from the raw values, before RFC 2047 decoding (#19)."""
    text = header_bytes.decode("ascii", "surrogateescape")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    split = list(reference_split(text))
    heads = Headers(tuple((k, decode_value(v)) for k, v in split))

    def raw(name: str) -> list[str]:
        return [raw_value(v) for k, v in split if k == name]

    fields: dict[str, Any] = {
        "message_id": (message_ids(heads.get("message-id")) or ("",))[0],
        "in_reply_to": message_ids(heads.get("in-reply-to")),
        "references": message_ids(heads.get("references")),
        "from_": addresses((raw("from") or [""])[0]),
        "reply_to": addresses((raw("reply-to") or [""])[0]),
        "to": addresses(", ".join(raw("to"))),
        "cc": addresses(", ".join(raw("cc"))),
        "subject": heads.get("subject"),
        "date": parse_date(heads.get("date")),
        "headers": heads,
    }
    return MessageHeaders(**fields)


def assert_same(block: bytes) -> None:
    expected = reference_parse(block)
    assert parse_headers(block) == expected
    for field in FIELDS:  # each field on its own, in a fresh view: no order effects
        assert getattr(HeaderView(block), field) == getattr(expected, field), field
    view = HeaderView(block)
    for field in (*FIELDS, "from_"):  # all of them on one view, one read twice
        assert getattr(view, field) == getattr(expected, field), field
    for name in NAMES + tuple(k for k, _ in expected.headers.items):
        assert view.get(name) == expected.headers.get(name), name
        assert view.get(name.upper(), "-") == expected.headers.get(name, "-"), name
        assert view.get_all(name) == expected.headers.get_all(name), name
    assert view.full() == expected


def imap_fields(raw: bytes) -> bytes:
    """What BODY.PEEK[HEADER.FIELDS (HEADER_FIELDS)] returns for a message: those fields, in
    the message's order, and the blank line."""
    wanted = {f.lower() for f in HEADER_FIELDS}
    block = header_block(raw).replace(b"\r\n", b"\n")
    lines = re.split(rb"\n(?![ \t])", block)
    names = [line.split(b":", 1)[0].strip().lower().decode("latin-1") for line in lines]
    kept = [line for line, name in zip(lines, names, strict=True) if name in wanted]
    return b"".join(line.replace(b"\n", b"\r\n") + b"\r\n" for line in kept) + b"\r\n"


FILES = sorted(CORPUS.glob("*.eml"))


def test_the_corpus_is_there() -> None:
    assert len(FILES) > 90


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_headers_read_the_same(path: Path) -> None:
    raw = path.read_bytes()
    lf = raw.replace(b"\r\n", b"\n")
    for variant in (lf, lf.replace(b"\n", b"\r\n"), lf.replace(b"\n", b"\r")):
        assert_same(header_block(variant))
        assert_same(variant)  # a whole message: the body after the blank line is not read
    assert_same(imap_fields(raw))


def test_a_view_decodes_what_a_scan_reads() -> None:
    block = (
        b"From: =?utf-8?Q?J=C3=BCrgen?= <Juergen@Beispiel.example>\r\n"
        b"To: a@x.example\r\nCc: b@x.example\r\nTo: c@x.example\r\n"
        b"Subject: =?iso-8859-1?Q?Gespr=E4ch?=\r\n  morgen\r\n"
        b"Content-Type: text/calendar; method=REQUEST\r\n\r\n"
        b"Message-ID: <after-the-blank-line@x.example>\r\n"
    )
    view = HeaderView(block)
    assert view.from_[0].addr == "juergen@beispiel.example" and view.from_[0].name == "Jürgen"
    assert [a.addr for a in view.to] == ["a@x.example", "c@x.example"]
    assert view.subject == "Gespräch  morgen"
    assert view.get("Content-Type") == "text/calendar; method=REQUEST"
    assert view.message_id == "" and view.date is None and view.get("x-absent", "?") == "?"
    assert_same(block)


# A known contact's introduction whose Cc display names are encoded words carrying CR/LF and
# "Bcc: ...", and a comma with another address: decoded before parsing, they were addresses.
HOSTILE_CC = (
    b"From: Bob Stone <bob@acme.example>\r\nTo: Jane Doe <jane@example.org>\r\n"
    b"Cc: =?utf-8?q?Jane_Roe=0D=0ABcc=3A_evil=40attacker=2Eexample?= <jane.roe@acme.example>,\r\n"
    b" =?utf-8?b?VG9tLCBzcHlAYXR0YWNrZXIuZXhhbXBsZSw=?= <tom@acme.example>,\r\n"
    b' "=?utf-8?q?Ann=0ACc=3A_x=40attacker=2Eexample?=" <ann@acme.example>\r\n'
    b"Subject: Introduction: Jane, meet Jane and Tom\r\nMessage-ID: <intro-1@acme.example>\r\n"
)
REAL_CC = ["jane.roe@acme.example", "tom@acme.example", "ann@acme.example"]


def test_encoded_display_names_never_add_addresses() -> None:
    headers = parse_headers(HOSTILE_CC + b"\r\n")
    message = parse_message(HOSTILE_CC + b"\r\nJane, meet Jane Roe and Tom.\r\n")
    for cc in (headers.cc, HeaderView(HOSTILE_CC).cc, message.cc):
        assert [a.addr for a in cc] == REAL_CC
        assert all(a.name.isprintable() for a in cc)  # no CR/LF left in a name
    assert [a.addr for a in message.to] == ["jane@example.org"]
    assert cc[0].name == "Jane Roe Bcc: evil@attacker.example"  # text, shown as it came


def test_a_view_never_raises() -> None:
    for block in (b"", b"\x00\xff:", b"::::\n\n", b"From: <<<@@@>>>\nDate: 99 Foo 1\n", b" \n"):
        assert_same(block)


# --- generated header blocks --------------------------------------------------------------

_NAME = st.sampled_from(
    [
        *HEADER_FIELDS,
        "MESSAGE-ID",
        "from",
        "Received",
        "X-Other",
        "Bad Name",
        "",
        " From",
        " ",
        "\t",
        "Fr\tom",
        "\u00c4rger",
    ]
)
_WORD = st.sampled_from(
    [
        "Bob", "<bob@acme.example>", "bob@acme.example", "Jane <jane@example.org>", '"Doe, Jane"', "<jane@acme.example>",
        ",", ";", ":", "(comment)", "<id-1@x.example>", "<id-2@x.example>", "id-3@x.example",
        "=?utf-8?Q?J=C3=BCrgen?=", "=?utf-8?B?SMOkbGxv?=", "=?iso-8859-1?Q?Gespr=E4ch?=",
        "=?x-unknown?Q?abc?=", "=?utf-8?Q?broken", "Wed, 11 Mar 2026 10:02:33 +0100",
        "11 Mar 2026 10:02:33 -0000", "99 Foo 1", "multipart/report;", "text/calendar",
        "<>", "auto-replied", "Re:", "\u00e9", "\udcc3\udca9", "\udce9", "\t", "  ", "\\", '"',
    ]
)  # fmt: skip
_BREAK = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def header_blocks(draw: st.DrawFn) -> bytes:
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 12))):
        value = " ".join(draw(st.lists(_WORD, max_size=6)))
        shape = draw(st.sampled_from(["field", "field", "field", "folded", "garbage", "blank"]))
        if shape == "garbage":
            lines.append(value)
        elif shape == "blank":
            lines.append(draw(st.sampled_from(["", " ", "\t"])))
        else:
            lines.append(f"{draw(_NAME)}:{draw(st.sampled_from(['', ' ']))}{value}")
            if shape == "folded":
                lines.append(draw(st.sampled_from([" ", "\t", "  "])) + draw(_WORD))
    text = draw(_BREAK).join(lines) + draw(st.sampled_from(["", "\n", "\r\n\r\n"]))
    return text.encode("utf-8", "surrogateescape")


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header_blocks())
def test_generated_header_blocks_read_the_same(block: bytes) -> None:
    assert_same(block)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_arbitrary_bytes_read_the_same(block: bytes) -> None:
    assert_same(block)


def test_headers_of_the_view_are_parse_headers_headers() -> None:
    block = b"Subject: one\nsubject: two\nX-A: =?utf-8?B?SMOkbGxv?=\n"
    assert HeaderView(block).full().headers == Headers(
        (("subject", "one"), ("subject", "two"), ("x-a", "Hällo"))
    )
