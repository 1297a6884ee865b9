"""Header fields to text and addresses: the cheap half of parsing, shared by both paths.

Invariants: never raises on any input; RFC 2047 encoded words and raw 8-bit bytes (UTF-8,
else cp1252) decode with replacement; address fields are parsed into addresses before any
encoded word is decoded, and only then each display name (with its control characters made
spaces): an encoded word is text, never syntax, so a name carrying "\r\nBcc: x@y" or ", x@y"
adds no address. Addresses come out lowercased; dates come out
aware (a missing or "-0000" zone reads as UTC) or None. `parse_headers` is the IMAP hot
path: a plain line split, no email.policy objects (about 25,000 blocks/s on one core).
`HeaderView` is the hotter path of a mailbox scan: the same split, each field decoded only
when read, by the same per-field readers as `envelope`, so every value it gives equals the
one `parse_headers` gives.
"""

from __future__ import annotations

import binascii
import codecs
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import decode_header
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any, Protocol

from followthru.core.reading.message import Address, Headers, MessageHeaders

MAX_HEADER = 16 * 1024

_MSGID = re.compile(r"<[^<>\s]*>")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_PARAM = re.compile(r';\s*([!#-\'*+.0-9A-Z^-~-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)')


def normalise_newlines(raw: bytes) -> bytes:
    """CRLF and bare CR become LF: the three line-ending variants become one."""
    if b"\r" not in raw:
        return raw
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _unsurrogate(value: str) -> str:
    """Undo the parser's surrogateescape of 8-bit header bytes (UTF-8, else cp1252)."""
    try:
        value.encode("ascii")
    except UnicodeEncodeError:
        data = value.encode("utf-8", "surrogateescape")
        return decode_bytes(data, None)
    return value


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    name = charset.strip().strip('"').lower()
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset; ASCII/unknown/lying ones try UTF-8, then cp1252."""
    codec = _codec(charset)
    if codec in (None, "ascii", "utf-8"):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252" if codec != "utf-8" else "utf-8", "replace")
    try:
        return data.decode(codec, "replace")
    except Exception:  # a codec that fails even with "replace" (broken multibyte state)
        return data.decode("utf-8", "replace")


def decode_value(raw: str) -> str:
    """One raw header value to text: unfold, 8-bit bytes, RFC 2047 encoded words."""
    return decode_words(raw_value(raw))


def raw_value(raw: str) -> str:
    """One raw header value unfolded, its 8-bit bytes decoded; encoded words left as they are
    (what address fields are parsed from)."""
    value = raw[:MAX_HEADER]
    if "\n" in value:
        value = _FOLD.sub("", value)
    if not value.isascii():
        value = _unsurrogate(value)
    return value.strip()


def decode_words(value: str) -> str:
    """RFC 2047 encoded words in `value` decoded (with replacement)."""
    if "=?" not in value:
        return value
    try:
        chunks = decode_header(value)
    except (ValueError, LookupError, AssertionError, binascii.Error, HeaderParseError):
        return value  # e.g. an encoded word whose base64 is broken: kept as it came
    out: list[str] = []
    for chunk, charset in chunks:
        out.append(chunk if isinstance(chunk, str) else decode_bytes(chunk, charset))
    return "".join(out).strip()


_SIMPLE_ITEM = re.compile(r"^\s*(?:([^<>]*?)\s*<([^<>\s]+)>|([^\s<>]+@[^\s<>]+))\s*$")


def _simple_addresses(value: str) -> list[tuple[str, str]] | None:
    """Fast path for the common `Name <a@b>, c@d` shape; None when getaddresses is needed."""
    if '"' in value or "(" in value or ":" in value or ";" in value or "\\" in value:
        return None
    pairs = []
    for item in value.split(","):
        if not item.strip():
            continue
        m = _SIMPLE_ITEM.match(item)
        if m is None:
            return None
        pairs.append((m.group(1) or "", m.group(2) or m.group(3)))
    return pairs


_CONTROLS = re.compile(r"[\x00-\x1f\x7f]+")


def addresses(value: str) -> tuple[Address, ...]:
    """Addresses of one raw header value (see raw_value: encoded words not yet decoded),
    lowercased, each display name decoded afterwards; malformed ones are skipped."""
    if not value:
        return ()
    pairs = _simple_addresses(value)
    if pairs is None:
        try:
            pairs = getaddresses([value])
        except Exception:  # getaddresses has raised on pathological input in some versions
            return ()
    found = (Address(addr.strip().strip("<>").lower(), _display_name(name)) for name, addr in pairs)
    return tuple(a for a in found if a.addr)


def _display_name(name: str) -> str:
    """A decoded name is text for people: no CR, LF or other control character survives."""
    decoded = decode_words(name.strip())
    return _CONTROLS.sub(" ", decoded).strip() if not decoded.isprintable() else decoded


def message_ids(value: str) -> tuple[str, ...]:
    """The <...> ids of a Message-ID / In-Reply-To / References value, in order."""
    ids = tuple(_MSGID.findall(value))
    if ids or not value:
        return ids
    return tuple(f"<{tok.strip('<>')}>" for tok in value.split() if "@" in tok)


def parse_date(value: str) -> datetime | None:
    """RFC 5322 date to an aware datetime (no or "-0000" zone reads as UTC); None if bad."""
    if not value:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def content_type(value: str) -> tuple[str, dict[str, str]]:
    head, _, _ = value.partition(";")
    ctype = head.strip().lower()
    if "/" not in ctype:
        ctype = "text/plain"
    params = {k.lower().rstrip("*"): v.strip('"') for k, v in _PARAM.findall(value)}
    return ctype, params


def _split_headers(block: str) -> Iterator[tuple[str, str]]:
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


def _text(block: bytes | str) -> str:
    text = block.decode("ascii", "surrogateescape") if isinstance(block, bytes) else block
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def header_items(block: bytes | str) -> Headers:
    """A header block (bytes or str, any line endings) as decoded Headers."""
    return Headers(tuple((k, decode_value(v)) for k, v in _split_headers(_text(block))))


def parse_headers(header_bytes: bytes) -> MessageHeaders:
    """Hot path: a header block (e.g. IMAP BODY.PEEK[HEADER]) to MessageHeaders. Never raises."""
    try:
        fields = list(_split_headers(_text(header_bytes)))
    except Exception:  # pragma: no cover - the splitter is total; this keeps the promise
        fields = []
    heads = Headers(tuple((k, decode_value(v)) for k, v in fields))
    return MessageHeaders(**envelope(heads, fields))


class _Readable(Protocol):
    def get(self, name: str, default: str = "") -> str: ...
    def raw_all(self, name: str) -> tuple[str, ...]: ...


class _Fields:
    """Decoded Headers and the raw fields they came from: addresses are read from the raw."""

    __slots__ = ("_heads", "_raw")

    def __init__(self, heads: Headers, raw: Sequence[tuple[str, str]]) -> None:
        self._heads = heads
        self._raw = raw

    def get(self, name: str, default: str = "") -> str:
        return self._heads.get(name, default)

    def raw_all(self, name: str) -> tuple[str, ...]:
        return tuple(raw_value(v) for k, v in self._raw if k == name)


# One reader per MessageHeaders field: `envelope` (the full parse) and `HeaderView` (one
# field at a time) share them, so both give the same value for every field.
def _message_id(heads: _Readable) -> str:
    return (message_ids(heads.get("message-id")) or ("",))[0]


def _in_reply_to(heads: _Readable) -> tuple[str, ...]:
    return message_ids(heads.get("in-reply-to"))


def _references(heads: _Readable) -> tuple[str, ...]:
    return message_ids(heads.get("references"))


def _from(heads: _Readable) -> tuple[Address, ...]:
    return addresses((heads.raw_all("from") or ("",))[0])


def _reply_to(heads: _Readable) -> tuple[Address, ...]:
    return addresses((heads.raw_all("reply-to") or ("",))[0])


def _to(heads: _Readable) -> tuple[Address, ...]:
    return addresses(", ".join(heads.raw_all("to")))


def _cc(heads: _Readable) -> tuple[Address, ...]:
    return addresses(", ".join(heads.raw_all("cc")))


def _subject(heads: _Readable) -> str:
    return heads.get("subject")


def _date(heads: _Readable) -> datetime | None:
    return parse_date(heads.get("date"))


_READERS: dict[str, Callable[[_Readable], Any]] = {
    "message_id": _message_id,
    "in_reply_to": _in_reply_to,
    "references": _references,
    "from_": _from,
    "reply_to": _reply_to,
    "to": _to,
    "cc": _cc,
    "subject": _subject,
    "date": _date,
}


def envelope(heads: Headers, raw: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The fields both message values share, read from the header block: `heads` decoded,
    `raw` the same fields (lowercased names) as they were, for the addresses."""
    fields = _Fields(heads, raw)
    return {**{name: read(fields) for name, read in _READERS.items()}, "headers": heads}


class HeaderView:
    """A header block split into raw fields, each decoded when it is read: what a mailbox
    scan needs to drop the ~90% of messages that concern no one. Fits core.correlate's
    Envelope; every value equals parse_headers' of the same bytes (`full()` is that)."""

    __slots__ = ("_fields", "_first", "_from")

    def __init__(self, header_bytes: bytes) -> None:
        try:
            fields = list(_split_headers(_text(header_bytes)))
        except Exception:  # pragma: no cover - the splitter is total; this keeps the promise
            fields = []
        self._fields = fields
        self._first = dict(reversed(fields))  # name -> its first raw value
        self._from: tuple[Address, ...] | None = None  # read several times by a scan

    def get(self, name: str, default: str = "") -> str:
        """Headers.get of the full parse: the first value of `name`, decoded."""
        raw = self._first.get(name.lower())
        return default if raw is None else decode_value(raw)

    def get_all(self, name: str) -> tuple[str, ...]:
        """Headers.get_all of the full parse."""
        key = name.lower()
        return tuple(decode_value(v) for k, v in self._fields if k == key)

    def raw_all(self, name: str) -> tuple[str, ...]:
        """Every value of `name` unfolded, encoded words not decoded (see raw_value)."""
        key = name.lower()
        return tuple(raw_value(v) for k, v in self._fields if k == key)

    def full(self) -> MessageHeaders:
        """Everything decoded: parse_headers of the same bytes."""
        heads = Headers(tuple((k, decode_value(v)) for k, v in self._fields))
        return MessageHeaders(**envelope(heads, self._fields))

    @property
    def message_id(self) -> str:
        return _message_id(self)

    @property
    def in_reply_to(self) -> tuple[str, ...]:
        return _in_reply_to(self)

    @property
    def references(self) -> tuple[str, ...]:
        return _references(self)

    @property
    def from_(self) -> tuple[Address, ...]:
        if self._from is None:
            self._from = _from(self)
        return self._from

    @property
    def reply_to(self) -> tuple[Address, ...]:
        return _reply_to(self)

    @property
    def to(self) -> tuple[Address, ...]:
        return _to(self)

    @property
    def cc(self) -> tuple[Address, ...]:
        return _cc(self)

    @property
    def subject(self) -> str:
        return _subject(self)

    @property
    def date(self) -> datetime | None:
        return _date(self)
