"""Which contact (and outreach) a message belongs to, and how sure we are.

Order: the user's own mail is outbound; then the thread (In-Reply-To, then References
newest first) against Message-IDs we sent; then the sender's addresses (From, Reply-To,
alternates); then the company domain (mode count | flag | ignore; never free mail).

Invariants: pure; each Match carries a confidence and a reason; a reply-all from a
referral's source belongs to the source, never to the referral; a stranger replying in
our thread (a forward, a colleague) is attributed to the thread's contact only as the
domain/forward mode allows; nothing here depends on core/model.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, Protocol

from followthru.core.reading.message import Address

Mode = Literal["count", "flag", "ignore"]

FREE_MAIL = frozenset(
    (
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "hotmail.fr",
        "hotmail.de", "live.com", "live.co.uk", "live.fr", "msn.com", "yahoo.com", "yahoo.co.uk",
        "yahoo.de", "yahoo.fr", "yahoo.es", "yahoo.it", "ymail.com", "rocketmail.com", "aol.com",
        "icloud.com", "me.com", "mac.com", "gmx.de", "gmx.net", "gmx.com", "gmx.at", "gmx.ch",
        "web.de", "t-online.de", "freenet.de", "mail.com", "email.com", "protonmail.com",
        "proton.me", "pm.me", "tutanota.com", "tuta.io", "posteo.de", "mailbox.org", "fastmail.com",
        "fastmail.fm", "hey.com", "zoho.com", "yandex.ru", "yandex.com", "mail.ru", "inbox.ru",
        "bk.ru", "list.ru", "orange.fr", "free.fr", "laposte.net", "wanadoo.fr", "sfr.fr",
        "libero.it", "virgilio.it", "alice.it", "tiscali.it", "qq.com", "163.com", "126.com",
        "naver.com", "daum.net", "seznam.cz", "wp.pl", "o2.pl", "interia.pl", "onet.pl",
        "btinternet.com", "sky.com", "comcast.net", "verizon.net", "att.net", "sbcglobal.net",
        "bellsouth.net", "cox.net", "charter.net", "rediffmail.com", "uol.com.br", "bol.com.br",
        "terra.com.br", "ziggo.nl", "kpnmail.nl", "hetnet.nl", "telenet.be", "skynet.be",
        "bluewin.ch", "sapo.pt", "outlook.de", "outlook.fr", "outlook.es", "outlook.it"
    )
)  # fmt: skip


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Envelope(Protocol):
    """What correlation reads; core.reading.message.Message and MessageHeaders both fit."""

    @property
    def message_id(self) -> str: ...
    @property
    def in_reply_to(self) -> tuple[str, ...]: ...
    @property
    def references(self) -> tuple[str, ...]: ...
    @property
    def from_(self) -> tuple[Address, ...]: ...
    @property
    def reply_to(self) -> tuple[Address, ...]: ...
    @property
    def to(self) -> tuple[Address, ...]: ...
    @property
    def cc(self) -> tuple[Address, ...]: ...


@dataclass(frozen=True, slots=True)
class KnownContact:
    """A contact as correlation sees it: addresses lowercased, primary first."""

    id: str
    addresses: tuple[str, ...]
    company_domain: str = ""
    source_id: str | None = None

    @property
    def domain(self) -> str:
        if self.company_domain:
            return self.company_domain.lower()
        first = self.addresses[0] if self.addresses else ""
        return first.rpartition("@")[2] if "@" in first else ""


@dataclass(frozen=True, slots=True)
class SentRef:
    """What one of our Message-IDs points at (an outreach, or the user's own sent mail)."""

    contact_id: str | None
    outreach_id: str | None = None


@dataclass(frozen=True, slots=True)
class Index:
    contacts: tuple[KnownContact, ...]
    sent: Mapping[str, SentRef] = field(default_factory=dict)
    own_addresses: frozenset[str] = frozenset()
    domain_mode: Mode = "flag"
    forward_mode: Mode = "flag"
    # Lookups by address, id and domain: a mailbox scan asks them for every message.
    by_address: Mapping[str, KnownContact] = field(init=False, repr=False, compare=False)
    by_id: Mapping[str, KnownContact] = field(init=False, repr=False, compare=False)
    by_domain: Mapping[str, tuple[KnownContact, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        addresses: dict[str, KnownContact] = {}
        domains: dict[str, list[KnownContact]] = {}
        for contact in self.contacts:
            for addr in contact.addresses:
                addresses.setdefault(addr, contact)
            domains.setdefault(contact.domain, []).append(contact)
        object.__setattr__(self, "by_address", addresses)
        object.__setattr__(self, "by_id", {c.id: c for c in self.contacts})
        object.__setattr__(self, "by_domain", {d: tuple(cs) for d, cs in domains.items()})


@dataclass(frozen=True, slots=True)
class Match:
    contact_id: str | None
    outreach_id: str | None
    confidence: Confidence
    reason: str
    outbound: bool = False
    in_thread: bool = False
    needs_review: bool = False


def company_domain(email: str, free_mail: frozenset[str]) -> str:
    """The company a new contact's address speaks for: its domain, unless that is one of the
    configured free-mail domains (a gmail.com address says nothing about an employer)."""
    domain = email.rpartition("@")[2].lower()
    return "" if domain in free_mail else domain


def is_free_mail(domain: str) -> bool:
    """The domain or one of its parents is a free-mail provider (a set lookup per label)."""
    labels = domain.lower().split(".")
    return any(".".join(labels[i:]) in FREE_MAIL for i in range(len(labels)))


def _by_address(index: Index, addr: str) -> KnownContact | None:
    return index.by_address.get(addr)


def _by_id(index: Index, contact_id: str | None) -> KnownContact | None:
    return index.by_id.get(contact_id) if contact_id is not None else None


def thread_ids(env: Envelope) -> list[str]:
    """In-Reply-To first, then References newest (rightmost) first, without repeats."""
    return list(dict.fromkeys([*env.in_reply_to, *reversed(env.references)]))


def _thread_ref(env: Envelope, index: Index) -> tuple[str, SentRef] | None:
    # thread_ids' order; its repeats need no removing to find the first one we sent
    for mid in (*env.in_reply_to, *reversed(env.references)):
        ref = index.sent.get(mid)
        if ref is not None:
            return mid, ref
    return None


def _outbound(env: Envelope, index: Index) -> Match:
    found = _thread_ref(env, index)
    if found is not None:
        _, ref = found
        return Match(ref.contact_id, ref.outreach_id, Confidence.HIGH, "sent by the user, in "
                     "a thread we track", outbound=True, in_thread=True)  # fmt: skip
    for addr in env.to + env.cc:
        contact = _by_address(index, addr.addr)
        if contact is not None:
            reason = f"sent by the user to {addr.addr}"
            return Match(contact.id, None, Confidence.MEDIUM, reason, outbound=True)
    return Match(None, None, Confidence.LOW, "sent by the user", outbound=True)


def _senders(env: Envelope) -> list[str]:
    return list(dict.fromkeys(a.addr for a in env.from_ + env.reply_to if a.addr))


def _mode_match(
    contact: KnownContact, ref: SentRef | None, mode: Mode, reason: str
) -> Match | None:
    if mode == "ignore":
        return None
    outreach = ref.outreach_id if ref else None
    confidence = Confidence.MEDIUM if ref else Confidence.LOW
    return Match(contact.id, outreach, confidence, reason, in_thread=ref is not None,
                 needs_review=mode == "flag")  # fmt: skip


def _in_thread(env: Envelope, index: Index, mid: str, ref: SentRef) -> Match | None:
    owner = _by_id(index, ref.contact_id)
    for addr in _senders(env):
        contact = _by_address(index, addr)
        if contact is None:
            continue
        if owner is not None and contact.id == owner.id:
            return Match(contact.id, ref.outreach_id, Confidence.HIGH,
                         f"replies to our message {mid}", in_thread=True)  # fmt: skip
        return Match(contact.id, None, Confidence.HIGH, _why(owner, contact, mid), in_thread=True)
    if owner is None:
        return None
    return _stranger_in_thread(env, index, owner, ref)


def _why(owner: KnownContact | None, writer: KnownContact, mid: str) -> str:
    if owner is None:
        return f"replies to the user's message {mid}"
    if owner.source_id == writer.id:
        return f"reply-all from the referral's source in {owner.id}'s thread"
    return f"a known contact writing in {owner.id}'s thread"


def _stranger_in_thread(
    env: Envelope, index: Index, owner: KnownContact, ref: SentRef
) -> Match | None:
    """Someone unknown answers our thread: a colleague (same domain) or a forward."""
    sender = env.from_[0].addr if env.from_ else ""
    domain = sender.rpartition("@")[2]
    if domain and domain == owner.domain and not is_free_mail(domain):
        reason = f"in thread, from {sender} at {owner.id}'s company"
        return _mode_match(owner, ref, index.domain_mode, reason)
    reason = f"in thread, from {sender or 'an unknown sender'} (a forwarded message)"
    return _mode_match(owner, ref, index.forward_mode, reason)


def _out_of_thread(env: Envelope, index: Index) -> Match | None:
    for addr in _senders(env):
        contact = _by_address(index, addr)
        if contact is not None:
            # The contact's own address: it is their message, in a thread we track or not
            # (a new email from them, or an answer to a letter sent from another client).
            reason = f"from {addr}, not in a thread we track"
            return Match(contact.id, None, Confidence.MEDIUM, reason)
    return _same_company(env, index)


def _same_company(env: Envelope, index: Index) -> Match | None:
    sender = env.from_[0].addr if env.from_ else ""
    domain = sender.rpartition("@")[2]
    matches = index.by_domain.get(domain, ()) if domain else ()
    if len(matches) != 1 or is_free_mail(domain):  # the lookup first: most domains are no one's
        return None
    return _mode_match(matches[0], None, index.domain_mode, f"same company domain ({domain})")


def correlate(env: Envelope, index: Index) -> Match | None:
    """The contact (and outreach) this message belongs to, or None."""
    if any(a.addr in index.own_addresses for a in env.from_):
        return _outbound(env, index)
    found = _thread_ref(env, index)
    if found is not None:
        match = _in_thread(env, index, *found)
        if match is not None:
            return match
    return _out_of_thread(env, index)
