"""Which new messages are worth reading in full, decided from their headers alone.

A mailbox scan reads the headers of every new message; only those that concern a contact,
or that may be a bounce, a report or an invitation, have their body fetched and classified.

Invariants: pure; the daemon-sender rule is bounce.py's, the one the classifier applies; the
message key is the Message-ID, or a stable hash of what identifies a message without one
(stored keys stay valid: the hash must never change).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Protocol

from followthru.core.reading.bounce import is_daemon_address
from followthru.core.reading.message import Address


class Headed(Protocol):
    """What triage reads: the parsed envelope fields and any other header by name."""

    @property
    def message_id(self) -> str: ...
    @property
    def from_(self) -> tuple[Address, ...]: ...
    @property
    def to(self) -> tuple[Address, ...]: ...
    @property
    def cc(self) -> tuple[Address, ...]: ...
    @property
    def subject(self) -> str: ...
    @property
    def date(self) -> datetime | None: ...
    def get(self, name: str, default: str = "") -> str: ...


def looks_like_report(env: Headed) -> bool:
    """A bounce or report, whoever it is from: its body is read to find the failed addresses."""
    content_type = env.get("content-type").lower()
    return (
        any(is_daemon_address(a) for a in env.from_[:1])
        or "multipart/report" in content_type
        or env.get("return-path").strip() == "<>"
        or bool(env.get("x-failed-recipients"))
    )


def may_be_invitation(env: Headed, keywords: Iterable[str]) -> bool:
    """A calendar part, or an interview keyword in the subject."""
    subject = env.subject.lower()
    return "text/calendar" in env.get("content-type").lower() or any(k in subject for k in keywords)


def may_be_job(env: Headed, vendor_domains: Mapping[str, object], context: re.Pattern[str]) -> bool:
    """Mail from an applicant tracking system, a scheduling tool or a job board (by the
    sender's domain), or personal mail with a job word in its subject: its body is read for a
    job reading. A mailing list's subject alone does not count (newsletters say "jobs")."""
    domains = [a.domain for a in env.from_[:1]]
    domains += [_domain(env.get(name)) for name in ("sender", "reply-to")]
    if any(_under(domain, vendor_domains) for domain in domains if domain):
        return True
    if env.get("list-id") or env.get("list-unsubscribe"):
        return False
    return bool(context.search(env.subject))


def _under(domain: str, vendor_domains: Mapping[str, object]) -> bool:
    """`domain` is a vendor's or a subdomain of one (Workday's tenants, Lever's EU host)."""
    parts = domain.split(".")
    return any(".".join(parts[i:]) in vendor_domains for i in range(len(parts) - 1))


def _domain(value: str) -> str:
    """The domain of a header's (first) address, read cheaply: only compared to vendors'."""
    if "@" not in value:
        return ""
    return value.rsplit("@", 1)[1].strip().rstrip(">").strip().lower()


def message_key(env: Headed) -> str:
    """The Message-ID, or a stable hash of what identifies a message without one."""
    message_id = env.message_id
    if message_id:
        return message_id
    parts = [
        env.date.isoformat() if env.date else "",
        ",".join(a.addr for a in env.from_),
        ",".join(a.addr for a in env.to + env.cc),
        env.subject,
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"<sha256-{digest}@followthru.invalid>"
