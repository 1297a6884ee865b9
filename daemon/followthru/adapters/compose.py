"""Header safety for outgoing mail: a subject and a body -> a full RFC 5322 EmailMessage.

Invariants:
- Headers are set only through EmailMessage(policy=SMTP) and headerregistry.Address, never by
  string formatting. Recipients come from the caller (the store), never from the headers of
  a parsed inbound message.
- Every value bound for a header is checked first: names, addresses, subject, Message-IDs.
  No line breaks of any kind (CR, LF, U+2028, U+2029, U+0085, ...), no NUL or other C0/C1
  controls, no RFC 2047 encoded-words, bounded length, addresses as plain dot-atoms,
  Message-IDs as `<id@domain>`. A violation raises UnsafeHeader naming the field
  (`to[0].email`); nothing is cleaned.
- The finished message is read back with policy.default: a reader sees exactly the headers,
  recipients and values we meant, or UnsafeHeader (CPython 3.11 folds a long quoted display
  name without its quotes, which can read back as other addresses).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Protocol

from followthru.core.digest import MARKER
from followthru.errors import FollowthruError

MAX_NAME = 200  # display names and the one-line context fields a subject may quote
MAX_SUBJECT = 500
MAX_ID = 250
MAX_ADDRESS = 254
MAX_WORD = 76  # longest word of a display name that folds safely
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_ENCODED_WORD = re.compile(r"=\?.*\?=", re.DOTALL)
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_ADDR_SPEC = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*")
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_ID_PART = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+"  # atext and dots: what real Message-IDs use
_MSG_ID = re.compile(rf"<{_ID_PART}@(?:{_ID_PART}|\[[!-Z^-~]*\])>")
_REPLY_PREFIX = re.compile(
    r"\s*(?:re|aw|antw|sv|odp|res|rif|fw|fwd|wg|tr|enc)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*",
    re.IGNORECASE,
)
_VERBATIM = (
    ("Subject", "subject"),
    ("Message-ID", "message_id"),
    ("In-Reply-To", "in_reply_to"),
    ("References", "references"),
)


class DraftError(FollowthruError):
    """An outgoing draft could not be built; the item cannot be queued as it is."""


class UnsafeHeader(DraftError):
    """A value bound for a header is unsafe or invalid. `field` names it (`to[0].email`)."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        super().__init__(f"{field}: {problem}")


class Named(Protocol):
    """A display name ("" when unknown) and an address; Person is one."""

    @property
    def name(self) -> str: ...

    @property
    def email(self) -> str: ...


def compose(  # noqa: PLR0913 -- one keyword per header the caller owns
    subject: str,
    body: str,
    *,
    from_addr: Named,
    to: Sequence[Named],
    cc: Sequence[Named] = (),
    message_id: str,
    date: datetime,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
) -> EmailMessage:
    """A plain-text message with From, To, Cc, Subject, Date, Message-ID and, when it follows
    a thread, In-Reply-To and References; every value checked, the result read back."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = _mailbox("from", from_addr)
    _set_recipients(msg, to, cc)
    msg["Subject"] = check_text("subject", subject, MAX_SUBJECT)
    msg["Date"] = _aware("date", date)
    msg["Message-ID"] = _msg_id("message_id", message_id)
    _set_thread(msg, in_reply_to, references)
    cte = None if body.isascii() else "quoted-printable"  # readable and 7-bit safe
    msg.set_content(body, charset="utf-8", cte=cte)
    _verify(msg)
    return msg


def compose_note(subject: str, text: str, html: str | None, *, me: Named, message_id: str,
                 date: datetime, kind: str) -> EmailMessage:  # fmt: skip
    """followthru's own message to the user (a digest, an urgent note): From and To the user,
    `Auto-Submitted: auto-generated`, marked with MARKER (never read back as anyone's mail),
    plain text with an optional HTML alternative."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = _mailbox("from", me)
    msg["To"] = _mailbox("to", me)
    msg["Subject"] = check_text("subject", subject, MAX_SUBJECT)
    msg["Date"] = _aware("date", date)
    msg["Message-ID"] = _msg_id("message_id", message_id)
    msg["Auto-Submitted"] = "auto-generated"
    msg[MARKER] = check_text("kind", kind, MAX_NAME)
    msg.set_content(text, charset="utf-8", cte=None if text.isascii() else "quoted-printable")
    if html is not None:
        msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return msg


def reply_subject(subject: str) -> str:
    """`Re: ` once, after removing every leading reply/forward prefix (RE:, Aw:, Fwd:, ...)."""
    return f"Re: {strip_reply_prefixes(subject)}"


def strip_reply_prefixes(subject: str) -> str:
    """`RE: Aw: Fwd: Thank you` -> `Thank you`."""
    rest = subject.strip()
    while match := _REPLY_PREFIX.match(rest):
        rest = rest[match.end() :]
    return rest


def make_message_id(
    domain: str, now: datetime, token_bytes: Callable[[int], bytes] = secrets.token_bytes
) -> str:
    """A fresh `<UTC-timestamp.random@domain>` on the user's domain (no product name in it)."""
    if not _DOMAIN.fullmatch(domain):
        raise UnsafeHeader("domain", f"{_shown(domain)} is not a valid domain name")
    stamp = _aware("now", now).astimezone(UTC).strftime("%Y%m%d%H%M%S")
    return f"<{stamp}.{token_bytes(12).hex()}@{domain.lower()}>"


def check_text(field: str, value: object, limit: int) -> str:
    """A one-line header text with space runs collapsed, or UnsafeHeader."""
    if not isinstance(value, str):
        raise UnsafeHeader(field, f"expected text, got {type(value).__name__}")
    if bad := _UNSAFE.search(value):
        raise UnsafeHeader(
            field, f"contains U+{ord(bad.group()):04X} (no line breaks or control characters)"
        )
    if _ENCODED_WORD.search(value):
        raise UnsafeHeader(field, "contains an RFC 2047 encoded-word (=?...?=)")
    text = re.sub(r"  +", " ", value).strip(" ")
    if len(text) > limit:
        raise UnsafeHeader(field, f"is {len(text)} characters long (at most {limit})")
    return text


def _aware(field: str, moment: object) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise UnsafeHeader(field, f"{_shown(moment)} is not a timezone-aware datetime")
    return moment


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _mailbox(field: str, box: Named) -> Address:
    name = check_text(f"{field}.name", box.name, MAX_NAME)
    if any(len(word) > MAX_WORD for word in name.split()):
        # CPython 3.11 folds two such words with an empty line between them, which ends
        # the header block early: the rest of the headers would become the body.
        raise UnsafeHeader(f"{field}.name", f"has a word over {MAX_WORD} characters; shorten it")
    email = check_text(f"{field}.email", box.email, MAX_ADDRESS)
    if not _ADDR_SPEC.fullmatch(email):
        raise UnsafeHeader(f"{field}.email", f"{_shown(email)} is not a valid address")
    try:
        return Address(display_name=name, addr_spec=email)
    except (ValueError, IndexError) as exc:  # the email package's own addr-spec check
        raise UnsafeHeader(f"{field}.email", f"{_shown(email)}: {exc}") from exc


def _set_recipients(msg: EmailMessage, to: Sequence[Named], cc: Sequence[Named]) -> None:
    if not to:
        raise UnsafeHeader("to", "no recipient")
    named = [
        (f"{kind}[{i}]", box) for kind, seq in (("to", to), ("cc", cc)) for i, box in enumerate(seq)
    ]
    addresses = {field: _mailbox(field, box) for field, box in named}
    seen: set[str] = set()
    for field, address in addresses.items():
        if address.addr_spec.lower() in seen:
            raise UnsafeHeader(f"{field}.email", f"{address.addr_spec} is already a recipient")
        seen.add(address.addr_spec.lower())
    msg["To"] = [a for field, a in addresses.items() if field.startswith("to")]
    if cc:
        msg["Cc"] = [a for field, a in addresses.items() if field.startswith("cc")]


def _msg_id(field: str, value: object) -> str:
    if (
        not isinstance(value, str)
        or len(value) > MAX_ID
        or not _MSG_ID.fullmatch(value)
        or _ENCODED_WORD.search(value)
    ):
        raise UnsafeHeader(field, f"{_shown(value)} is not a Message-ID like <id@domain>")
    return value


def _set_thread(msg: EmailMessage, in_reply_to: str | None, references: Sequence[str]) -> None:
    """In-Reply-To the parent; References the given chain with the parent last, no repeats."""
    if in_reply_to is None:
        if references:
            raise UnsafeHeader("references", "given without in_reply_to")
        return
    parent = _msg_id("in_reply_to", in_reply_to)
    chain = [_msg_id(f"references[{i}]", ref) for i, ref in enumerate(references)]
    msg["In-Reply-To"] = parent
    msg["References"] = " ".join([*(r for r in dict.fromkeys(chain) if r != parent), parent])


def _verify(msg: EmailMessage) -> None:
    """Read our own bytes back as a mail client would: same headers, recipients, values."""
    back = BytesParser(policy=policy.default).parsebytes(msg.as_bytes())
    if sorted(back.keys()) != sorted(msg.keys()):
        raise UnsafeHeader("headers", f"{msg.keys()} read back as {back.keys()}")
    for header, kind in (("From", "from"), ("To", "to"), ("Cc", "cc")):
        _same_mailboxes(kind, _addresses(msg, header), _addresses(back, header))
    for header, field in _VERBATIM:  # folding may move a value to the next line: compare words
        if str(msg[header] or "").split() != str(back[header] or "").split():
            raise UnsafeHeader(field, "changes when written and read back; shorten or simplify it")


def _addresses(msg: EmailMessage, header: str) -> list[Address]:
    value = msg[header]
    return [] if value is None else list(value.addresses)


def _same_mailboxes(kind: str, meant: list[Address], read: list[Address]) -> None:
    for index, (ours, theirs) in enumerate(zip(meant, read, strict=False)):
        field = kind if kind == "from" else f"{kind}[{index}]"
        if ours != theirs:  # our addresses are plain dot-atoms: the display name is the culprit
            part = "name" if ours.display_name else "email"
            raise UnsafeHeader(
                f"{field}.{part}", f"reads back as {_shown(str(theirs))}; shorten or simplify it"
            )
    if len(meant) != len(read):
        raise UnsafeHeader(kind, f"{len(meant)} address(es) read back as {len(read)}")
