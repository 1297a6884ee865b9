"""Bounces: is this a delivery failure, who failed, is it permanent, which message bounced.

Detection rules (each returns a reason or None) run in order: an RFC 3464 report, Exim's
X-Failed-Recipients, MTA wording, a mail-server sender with failure wording, a bounce
subject with failure wording. `read_bounce` then reports every failed recipient.

Invariants: pure. Permanent means the address does not work (unknown user, unknown host,
moved, disabled, or a 5xx refusal to take mail at all) and never holds for 4.x.x; a policy
block (5.7.x, spam, DMARC, content) is flagged `policy_block` and is never permanent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from followthru.core.reading import bouncetext as bt
from followthru.core.reading.message import Address, DeliveryStatus, Message

MAX_SCAN = 24 * 1024

# The look-behind and the length caps keep this linear on long runs without an "@".
_ADDR = re.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}",
    re.UNICODE,
)
_DAEMON_LOCAL = re.compile(
    r"^(?:mailer-daemon|mailer_daemon|maildaemon|postmaster|mail-daemon|mailerdaemon|root"
    r"|mdaemon|mail\.delivery|bounce[s]?|nobody|double-bounce|smtp|mta|mailadmin|daemon)$"
)
_DAEMON_NAME = re.compile(
    r"mail delivery|mailer.daemon|postmaster|mail administrator|mail system|delivery subsystem"
    r"|delivery status|system administrator|mail server|post office|returned mail"
    r"|email delivery|mailzustellung|e-mail-zustellung",
    re.I,
)
_REPLY_PREFIX = re.compile(
    r"^\s*(?:re|aw|sv|vs|antw|ant|r|rif|wg|fw|fwd|tr|enc|rv|doorst)\s*:", re.I
)
_FINAL_RCPT = re.compile(
    r"^(?:final|original)-recipient:\s*(?:rfc822|x-local|unknown)?\s*;?\s*<?([^\s<>;]+@[^\s<>;]+)",
    re.I | re.M,
)
_STRUCTURED = (
    re.compile(r"^[ \t]*<?([^\s<>@]+@[^\s<>]+?)>?[ \t]*(?:\(.*?\)[ \t]*)?:?[ \t]*$", re.M),
    re.compile(r"^<([^\s<>@]+@[^\s<>]+)>(?:\s*\(expanded from [^)]*\))?:", re.M),
    re.compile(r"^[ \t]*([^\s<>@]+@[^\s<>]+) on \w", re.M),
    # The keyword is a whole word followed by a separator: "RCPT: <userunknown@x>" names
    # userunknown@x, not the phantom unknown@x that "user" inside the address would give.
    re.compile(
        r"\b(?:message to|delivered to|delivering your message to|deliver your message to"
        r"|delivery to|failed to deliver to|recipient|rcpt to|rcpt|address|mailbox|user)"
        r"(?:[:\s]+<?|<)([^\s<>@,;:()\"']+@[^\s<>,;:()\"']+)",
        re.I,
    ),
)
_INLINE_ID = re.compile(r"^[ \t]*message-id:\s*(<[^>\s]+>)", re.I | re.M)
_INLINE_TO = re.compile(r"^to:\s*(.+)$", re.I | re.M)
_TEMPORARY = re.compile(
    r"temporary|temporarily|delayed|not yet been delivered|will (?:continue|keep) trying"
    r"|still being retried|warning:|will retry|retrying|\(delay\)|4\.\d\.\d"
    r"|host not found, try again|host name lookup failure"
)
_SMTP_ERROR = re.compile(r"(?<![\d.])[45]\d\d[ -][45]\.\d{1,3}\.\d{1,3}|#[45]\.\d\.\d|\(#[45]\.")
_PERMANENT = re.compile(r"permanent|fatal|given up|failed permanently|5\.\d\.\d")


@dataclass(frozen=True, slots=True)
class BouncedRecipient:
    """One failed recipient, with what the failure means for the address."""

    address: str
    permanent: bool
    status: str
    policy_block: bool = False
    reason: str = ""
    diagnostic: str = ""


@dataclass(frozen=True, slots=True)
class BounceInfo:
    recipients: tuple[BouncedRecipient, ...]
    original_message_id: str | None


# ---------------------------------------------------------------- detection rules


def _lower_text(msg: Message) -> str:
    return msg.text[:MAX_SCAN].lower()


def is_daemon_sender(msg: Message) -> bool:
    """From is a mail server: MAILER-DAEMON, postmaster, ..."""
    return msg.sender is not None and is_daemon_address(msg.sender)


def is_daemon_address(sender: Address) -> bool:
    """A mail server's address or name: MAILER-DAEMON, postmaster, "Mail Delivery System", ..."""
    local = sender.local.split("+")[0] if "@" in sender.addr else sender.addr
    return bool(_DAEMON_LOCAL.match(local) or _DAEMON_NAME.search(sender.name))


def is_null_sender(msg: Message) -> bool:
    return msg.header("return-path").strip().replace(" ", "") in ("<>", "<<>>")


def looks_human_reply(msg: Message) -> bool:
    """A Re:/Fwd: subject from an ordinary address with a real envelope sender."""
    prefixed = bool(_REPLY_PREFIX.match(msg.subject))
    return prefixed and not is_daemon_sender(msg) and not is_null_sender(msg)


def _failed(ds: DeliveryStatus) -> bool:
    if ds.action:
        return ds.action.startswith(("failed", "delayed", "failure"))
    return ds.status[:1] in ("4", "5") or bool(ds.diagnostic)


def rule_dsn_report(msg: Message) -> str | None:
    failed = [ds for ds in msg.delivery_status if _failed(ds)]
    if not failed:
        return None
    actions = sorted({ds.action or "(none)" for ds in failed})
    return f"RFC 3464 report, Action: {', '.join(actions)}"


def rule_inline_dsn(msg: Message) -> str | None:
    text = _lower_text(msg)
    if "final-recipient:" not in text or "status:" not in text or looks_human_reply(msg):
        return None
    if re.search(r"^action:\s*(?:failed|delayed)", text, re.M) or "action:" not in text:
        return "delivery-status fields in the message text (non-MIME report)"
    return None


def rule_failed_recipients(msg: Message) -> str | None:
    if msg.headers.has("x-failed-recipients") and not looks_human_reply(msg):
        return "mail server bounce (X-Failed-Recipients)"
    return None


def rule_mta_wording(msg: Message) -> str | None:
    if looks_human_reply(msg):
        return None
    name = bt.marker(_lower_text(msg)) or bt.marker(msg.subject.lower())
    return f"{name} bounce wording" if name else None


def rule_weak_wording(msg: Message) -> str | None:
    """Wording a person could write counts only with machine evidence beside it."""
    if looks_human_reply(msg):
        return None
    name = bt.weak_marker(_lower_text(msg))
    if not name:
        return None
    machine = is_daemon_sender(msg) or is_null_sender(msg) or not msg.from_
    if machine or bt.BOUNCE_SUBJECT.search(msg.subject.lower()) or _has_failure(msg):
        return f"{name} bounce wording with a mail-server sender or error code"
    return None


def rule_daemon_sender(msg: Message) -> str | None:
    if not (is_daemon_sender(msg) or is_null_sender(msg)):
        return None
    subject = msg.subject.lower()
    if bt.BOUNCE_SUBJECT.search(subject) and bt.GENERIC_WORDING.search(_lower_text(msg)):
        return "non-standard bounce from a mail server (sender and wording)"
    if is_daemon_sender(msg) and (bt.BOUNCE_SUBJECT.search(subject) or _has_failure(msg)):
        return "non-standard bounce from a mail server (MAILER-DAEMON/postmaster sender)"
    return None


def _has_failure(msg: Message) -> bool:
    """Failure wording, an SMTP error code, or a returned copy of the original."""
    text = _lower_text(msg)
    if msg.original_headers.items or _SMTP_ERROR.search(text):
        return True
    return bool(bt.GENERIC_WORDING.search(text)) and bool(bt.reason_of(text))


def rule_bounce_subject(msg: Message) -> str | None:
    if _REPLY_PREFIX.match(msg.subject) or not bt.BOUNCE_SUBJECT.search(msg.subject.lower()):
        return None
    return "bounce subject with delivery-failure wording" if _has_failure(msg) else None


RULES: tuple[Callable[[Message], str | None], ...] = (
    rule_dsn_report,
    rule_inline_dsn,
    rule_failed_recipients,
    rule_mta_wording,
    rule_weak_wording,
    rule_daemon_sender,
    rule_bounce_subject,
)


def _only_successes(msg: Message) -> bool:
    """A delivery report whose every recipient was delivered/relayed/expanded."""
    return bool(msg.delivery_status) and not any(_failed(ds) for ds in msg.delivery_status)


def detect(msg: Message) -> str | None:
    """The reason this message is a bounce, or None."""
    if _only_successes(msg):
        return None
    for rule in RULES:
        reason = rule(msg)
        if reason:
            return reason
    return None


# ---------------------------------------------------------------- reading a bounce


def error_section(msg: Message) -> str:
    """The bounce's own text up to where the copy of the original message starts."""
    text = msg.text[:MAX_SCAN]
    m = bt.ORIGINAL_MARKER.search(text.lower())
    return text[: m.start()] if m and m.start() > 40 else text


def _excluded(msg: Message) -> set[str]:
    """Addresses that are not the failed recipient: the bounce's own ends, the sender."""
    out = {a.addr for a in msg.from_ + msg.to + msg.cc}
    out.update(m.group(1)[1:-1].lower() for m in _INLINE_ID.finditer(msg.text[:MAX_SCAN]))
    return out | _original_senders(msg)


def _original_senders(msg: Message) -> set[str]:
    """Who sent the bounced original (never its failed recipient)."""
    out: set[str] = set()
    for name in ("from", "sender", "return-path", "reply-to"):
        out.update(a.lower() for a in _ADDR.findall(msg.original_headers.get(name)))
    return out


def _usable(addr: str, excluded: set[str], addressed: Collection[str] = ()) -> bool:
    """Not one of the bounce's own ends, nor a mail server's address, unless the original
    message was addressed to it (a postmaster@ the user wrote to, or a bounce sent To: the
    failed address itself)."""
    if addr in addressed:
        return len(addr) < 254
    local = addr.rpartition("@")[0]
    return addr not in excluded and not _DAEMON_LOCAL.match(local) and len(addr) < 254


def _clean(addr: str) -> str:
    return addr.strip().strip("<>.,;:'\"()[]").lower()


def _structured_addresses(section: str, excluded: set[str], addressed: set[str]) -> list[str]:
    found: list[tuple[int, str]] = []
    for pattern in _STRUCTURED:
        for m in pattern.finditer(section):
            addr = _clean(m.group(1))
            if _ADDR.fullmatch(addr) and _usable(addr, excluded, addressed):
                found.append((m.start(1), addr))
    found.sort()
    return list(dict.fromkeys(addr for _, addr in found))


def _original_to(msg: Message) -> list[str]:
    value = ", ".join(msg.original_headers.get_all("to") + msg.original_headers.get_all("cc"))
    if not value:
        tail = msg.text[:MAX_SCAN][len(error_section(msg)) :]
        m = _INLINE_TO.search(tail)
        value = m.group(1) if m else ""
    return [a.lower() for a in _ADDR.findall(value)]


def _text_addresses(msg: Message, section: str) -> list[str]:
    """Failed addresses read from words: structured lines first, then any address."""
    excluded = _excluded(msg)
    senders = _original_senders(msg)
    addressed = {a for a in _original_to(msg) if a not in senders}
    header = [_clean(a) for a in _ADDR.findall(msg.header("x-failed-recipients"))]
    structured = header or _structured_addresses(section, excluded, addressed)
    original = [a for a in _original_to(msg) if _usable(a, excluded, addressed)]
    if original and structured:
        preferred = [a for a in structured if a in original]
        structured = preferred or structured
    if structured:
        return structured
    loose = [_clean(a) for a in _ADDR.findall(section)]
    loose = [a for a in loose if _usable(a, excluded)]
    return loose[:1] or original[:1]


def _dsn_address(ds: DeliveryStatus) -> str:
    for value in (ds.final_recipient, ds.original_recipient):
        _, _, addr = value.rpartition(";")
        addr = _clean(addr or value)
        if "@" in addr:
            return addr
    return _clean(ds.final_recipient.rpartition(";")[2] or ds.original_recipient)


def _inline_dsns(text: str) -> list[DeliveryStatus]:
    out = []
    for m in _FINAL_RCPT.finditer(text):
        block = text[m.start() : m.start() + 1200]
        nxt = _FINAL_RCPT.search(block, 20)
        block = block[: nxt.start()] if nxt else block
        out.append(DeliveryStatus(final_recipient=m.group(1), diagnostic=block))
    return list({d.final_recipient.lower(): d for d in out}.values())


def _snippet(section: str, address: str, others: list[str]) -> str:
    """The part of the error text that talks about `address` (up to the next recipient)."""
    low = section.lower()
    start = low.find(address)
    if start < 0 or len(others) < 2:
        return section
    ends = [low.find(o, start + len(address)) for o in others if o != address]
    end = min([e for e in ends if e > start] or [len(section)])
    return section[start:end]


def _klass(status: str, text: str, dsn_action: str) -> str:
    if status:
        return status[0]
    code = bt.reply_class(text)
    if code:
        return code
    if dsn_action.startswith("delayed") or _TEMPORARY.search(text):
        return "4"
    return "5" if dsn_action.startswith("failed") or _PERMANENT.search(text) else ""


def _unless_generic(status: str, low_detail: str) -> str:
    """A generic x.0.0 (Exim writes 5.0.0 for every failure) yields to the remote server's own
    4xx reply: "450 <x>: User unknown" is temporary whatever status the relay put beside it."""
    if status.endswith(".0.0") and bt.reply_class(low_detail) == "4":
        return ""
    return status


def judge(address: str, detail: str, context: str, dsn: DeliveryStatus | None) -> BouncedRecipient:
    """Status, reason and permanence of one failed address from its diagnostic text."""
    low_detail, low_context = detail.lower(), context.lower()
    inner = bt.inner_reply(low_detail)
    status = bt.status_of(inner) or bt.status_of(low_detail) or bt.status_of(low_context)
    status = _unless_generic(status, low_detail)
    reason = (
        bt.reason_of(inner)
        or bt.reason_of(low_detail)
        or bt.reason_of_status(status)
        or bt.reason_of(low_context)
    )
    action = dsn.action if dsn else ""
    klass = _klass(status, low_detail + "\n" + low_context, action)
    if action.startswith("delayed"):
        klass = "4"
    if not status and klass:
        status = bt.canonical_status(reason, klass)
    policy = reason in ("policy", "content", "relay_denied") or (
        status[2:4] == "7." and reason not in bt.HARD_REASONS
    )
    hard = reason in bt.HARD_REASONS or (reason in ("not_accepted", "refused") and klass == "5")
    permanent = hard and klass != "4" and not policy
    diagnostic = " ".join(detail.split())[:300]
    return BouncedRecipient(address, permanent, status, policy, reason, diagnostic)


def _from_dsn(msg: Message, dsns: list[DeliveryStatus], section: str) -> list[BouncedRecipient]:
    out = []
    addresses = [_dsn_address(ds) for ds in dsns]
    for ds, addr in zip(dsns, addresses, strict=True):
        detail = f"{ds.diagnostic}\n{ds.status}"
        context = _snippet(section, addr, addresses)
        out.append(judge(addr, detail, context, ds))
    return out


def original_message_id(msg: Message) -> str | None:
    """The bounced message's Message-ID: embedded headers, DSN fields, inline copy, threading."""
    for value in (
        msg.original_headers.get("message-id"),
        msg.delivery_fields.get("x-original-message-id"),
        msg.header("x-original-message-id"),
    ):
        m = re.search(r"<[^<>\s]+>", value)
        if m:
            return m.group(0)
    tail = msg.text[:MAX_SCAN][len(error_section(msg)) :]
    m = _INLINE_ID.search(tail) or _INLINE_ID.search(msg.text[:MAX_SCAN])
    if m:
        return m.group(1)
    return msg.in_reply_to[0] if msg.in_reply_to else None


def read_bounce(msg: Message) -> BounceInfo:
    """Every failed recipient of a message already known to be a bounce."""
    section = error_section(msg)
    dsns = [ds for ds in msg.delivery_status if _failed(ds)] or _inline_dsns(msg.text[:MAX_SCAN])
    if dsns:
        recipients = _from_dsn(msg, dsns, section)
    else:
        addresses = _text_addresses(msg, section)
        recipients = [judge(a, _snippet(section, a, addresses), section, None) for a in addresses]
    unique = {r.address: r for r in recipients if r.address}
    return BounceInfo(tuple(unique.values()), original_message_id(msg))
