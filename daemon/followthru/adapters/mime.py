"""Bytes to the core's Message value: the one place that parses MIME.

Invariants:
- `parse_message` never raises anything but `MessageRejected`; `classify_bytes` never
  raises at all (a parse failure becomes a "quarantine" result).
- LF, CRLF and CR-only input parse to the same value (line endings are normalised first).
- Work is bounded: input size, part count, nesting depth, decoded text and calendar size.
- Charsets that are unknown or lie are decoded with replacement, never rejected.
- Headers are read raw and decoded by adapters/headerparse.py (RFC 2047, 8-bit bytes), so
  both email policies yield the same values; address fields are parsed from the raw values,
  before any encoded word is decoded (a display name never adds an address). compat32 parses the structure (policy.default
  is ~12x slower on multipart mail, see `_parse_tree`); policy.default is the fallback when
  compat32 raises.
- `parse_headers` (re-exported from headerparse) is the hot-path header-only parse.
- A multipart whose boundary is missing or matches no line of its body is re-read with the
  first delimiter line found in the body; failing that, its body is read as plain text
  (a broken bounce must still show its failed recipients).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import policy
from email.message import Message as EmailMessage
from email.parser import BytesParser

from followthru.adapters import htmltext, ical
from followthru.adapters.headerparse import (
    addresses,
    content_type,
    decode_bytes,
    decode_value,
    envelope,
    header_items,
    message_ids,
    normalise_newlines,
    parse_date,
    parse_headers,
)
from followthru.core.reading.message import CalendarEvent, DeliveryStatus, Headers, Message
from followthru.errors import MessageRejected

MAX_BYTES = 8 * 1024 * 1024
MAX_PARTS = 100
MAX_DEPTH = 10
MAX_TEXT = 64 * 1024
MAX_PART_BYTES = 1024 * 1024
_TEXT_LIKE = ("text/plain", "text/html", "text/enriched", "text/richtext")
# A MIME delimiter line: "--" and a boundary (RFC 2046: 1-70 characters, no trailing space).
_DELIMITER = re.compile(rb"^--([0-9A-Za-z'()+_,./:=?-]{1,70}?)(?:--)?[ \t]*$", re.M)


# ---------------------------------------------------------------- full parse


@dataclass(slots=True)
class _Acc:
    """What the walk collects; turned into the frozen Message at the end."""

    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    dsn: list[DeliveryStatus] = field(default_factory=list)
    dsn_fields: list[tuple[str, str]] = field(default_factory=list)
    original: Headers | None = None
    types: list[str] = field(default_factory=list)
    events: list[CalendarEvent] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    text_size: int = 0


def _raw_headers(part: EmailMessage) -> Headers:
    items = ((str(k).lower(), decode_value(str(v))) for k, v in part.raw_items())
    return Headers(tuple(items))


def _payload_bytes(part: EmailMessage) -> bytes:
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data[:MAX_PART_BYTES]
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape")[:MAX_PART_BYTES] if isinstance(raw, str) else b""


def _part_text(part: EmailMessage, params: dict[str, str]) -> str:
    return decode_bytes(_payload_bytes(part), params.get("charset"))


def _is_attachment(heads: Headers, params: dict[str, str]) -> bool:
    disposition = heads.get("content-disposition").lower()
    return disposition.startswith("attachment") or ("name" in params and "filename" in disposition)


def _dsn_blocks(part: EmailMessage) -> list[Headers]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [_raw_headers(b) for b in payload if isinstance(b, EmailMessage)]
    text = decode_bytes(_payload_bytes(part), "utf-8")
    text = text.replace("\r\n", "\n")
    return [header_items(block) for block in re.split(r"\n\s*\n", text) if block.strip()]


def _recipient_groups(block: Headers) -> list[Headers]:
    """Split a block that lists several recipients without blank lines between them."""
    groups: list[list[tuple[str, str]]] = [[]]
    for name, value in block.items:
        starts = name in ("final-recipient", "original-recipient")
        if starts and any(k == "final-recipient" for k, _ in groups[-1]):
            groups.append([])
        groups[-1].append((name, value))
    return [Headers(tuple(g)) for g in groups if g]


def delivery_status(
    blocks: Iterable[Headers],
) -> tuple[list[tuple[str, str]], list[DeliveryStatus]]:
    """RFC 3464 blocks to (per-message fields, per-recipient statuses)."""
    fields: list[tuple[str, str]] = []
    out: list[DeliveryStatus] = []
    for group in (g for block in blocks for g in _recipient_groups(block)):
        if not (group.has("final-recipient") or group.has("original-recipient")):
            fields.extend(group.items)
            continue
        out.append(
            DeliveryStatus(
                final_recipient=group.get("final-recipient"),
                original_recipient=group.get("original-recipient"),
                action=group.get("action").lower().strip(),
                status=group.get("status").strip(),
                diagnostic=group.get("diagnostic-code"),
                remote_mta=group.get("remote-mta"),
            )
        )
    return fields, out


def _add_text(acc: _Acc, bucket: list[str], text: str) -> None:
    room = MAX_TEXT - acc.text_size
    if room <= 0:
        acc.defects.append("text truncated")
        return
    bucket.append(text[:room])
    acc.text_size += min(len(text), room)


def _walk(part: EmailMessage, heads: Headers, depth: int, acc: _Acc) -> None:
    if len(acc.types) >= MAX_PARTS or depth > MAX_DEPTH:
        acc.defects.append("too many or too deeply nested parts")
        return
    ctype, params = content_type(heads.get("content-type", "text/plain"))
    acc.types.append(ctype)
    payload = part.get_payload()
    if ctype in ("message/delivery-status", "message/global-delivery-status"):
        fields, recipients = delivery_status(_dsn_blocks(part))
        acc.dsn_fields.extend(fields)
        acc.dsn.extend(recipients)
    elif ctype in ("message/rfc822", "message/global"):
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, EmailMessage) and acc.original is None:
            acc.original = _raw_headers(inner)
    elif ctype in ("text/rfc822-headers", "text/global-headers"):
        if acc.original is None:
            acc.original = header_items(_part_text(part, params))
    elif isinstance(payload, list) or ctype.startswith("multipart/"):
        _children(part, depth, acc)
    else:
        _leaf(part, ctype, params, heads, acc)


def _children(part: EmailMessage, depth: int, acc: _Acc) -> None:
    payload = part.get_payload()
    if not isinstance(payload, list):
        _broken_multipart(part, depth, acc)
        return
    for sub in payload[:MAX_PARTS]:
        if isinstance(sub, EmailMessage):
            _walk(sub, _raw_headers(sub), depth + 1, acc)


def _broken_multipart(part: EmailMessage, depth: int, acc: _Acc) -> None:
    """A multipart whose parts could not be split: re-split on the body's own delimiter
    line, else read the whole body as text."""
    acc.defects.append("multipart boundary missing or not found; body re-read")
    body = _payload_bytes(part)
    m = _DELIMITER.search(body)
    if m is not None and depth < MAX_DEPTH:
        boundary = m.group(1).decode("ascii")
        head = f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n'.encode()
        tree = BytesParser(policy=policy.compat32).parsebytes(head + body)
        if isinstance(tree.get_payload(), list):
            _walk(tree, _raw_headers(tree), depth + 1, acc)
            return
    _add_text(acc, acc.plain, decode_bytes(body, "utf-8"))


def _leaf(
    part: EmailMessage, ctype: str, params: dict[str, str], heads: Headers, acc: _Acc
) -> None:
    if ctype in ("text/calendar", "application/ics"):
        acc.events.extend(ical.events(_payload_bytes(part), params.get("method", "")))
        return
    if ctype not in _TEXT_LIKE:
        return
    if _is_attachment(heads, params) and (ctype != "text/plain" or acc.plain):
        return
    text = _part_text(part, params)
    if ctype == "text/html":
        _add_text(acc, acc.html, htmltext.to_text(text))
    else:
        _add_text(acc, acc.plain, text)


def _parse_tree(data: bytes) -> tuple[EmailMessage, list[str]]:
    """compat32 first: headers and payloads are decoded here, so policy.default's header
    objects buy nothing, and its parser runs ~12x slower (it re-parses Content-Type on
    every lookup). policy.default is the second attempt when compat32 raises."""
    try:
        return BytesParser(policy=policy.compat32).parsebytes(data), []
    except Exception as exc:
        tree = BytesParser(policy=policy.default).parsebytes(data)
        return tree, [f"compat32 failed ({type(exc).__name__}); policy.default used"]


def _check_input(raw: bytes) -> bytes:
    """Refuse only what cannot be mail at all: nothing, or binary data with no headers."""
    data = normalise_newlines(raw[:MAX_BYTES])
    if not data.strip():
        raise MessageRejected("empty message")
    first = data[:4096].split(b"\n", 1)[0]
    if b":" not in first and not first.startswith(b"From "):
        sample = data[:1024]
        controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
        if controls * 10 > len(sample):
            raise MessageRejected("binary data, no header block: not an RFC 5322 message")
    return data


def _message(tree: EmailMessage, heads: Headers, acc: _Acc, truncated: bool) -> Message:
    ctype, params = content_type(heads.get("content-type"))
    text = "\n".join(acc.plain) if acc.plain else "\n".join(acc.html)
    defects = [type(d).__name__ for d in tree.defects][:20] + acc.defects
    if truncated:
        defects.append("input truncated")
    raw = [(str(k).lower(), str(v)) for k, v in tree.raw_items()]
    return Message(
        **envelope(heads, raw),
        content_type=ctype,
        report_type=params.get("report-type", "").lower(),
        text=text,
        delivery_status=tuple(acc.dsn),
        delivery_fields=Headers(tuple(acc.dsn_fields)),
        original_headers=acc.original or Headers(),
        part_types=tuple(acc.types),
        calendar=ical.dedupe(acc.events),
        defects=tuple(dict.fromkeys(defects)),
    )


def parse_message(raw: bytes) -> Message:
    """Bytes of one RFC 5322 message to a Message. Raises only MessageRejected."""
    try:
        data = _check_input(raw)
        tree, defects = _parse_tree(data)
        acc = _Acc(defects=defects)
        heads = _raw_headers(tree)
        _walk(tree, heads, 0, acc)
        return _message(tree, heads, acc, truncated=len(raw) > MAX_BYTES)
    except MessageRejected:
        raise
    except (Exception, RecursionError) as exc:
        raise MessageRejected(f"cannot parse message: {type(exc).__name__}: {exc}") from exc


__all__ = [
    "MessageRejected",
    "addresses",
    "decode_value",
    "delivery_status",
    "header_items",
    "message_ids",
    "normalise_newlines",
    "parse_date",
    "parse_headers",
    "parse_message",
]
