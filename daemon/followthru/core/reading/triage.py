"""Which new messages are worth reading in full, decided from their headers alone.

A mailbox scan reads the headers of every new message; only those that concern a contact,
or that may be a bounce, a report or an invitation, have their body fetched and classified.

Invariants: pure; the daemon-sender rule is bounce.py's, the one the classifier applies; the
message key is the Message-ID, or a stable hash of what identifies a message without one
(stored keys stay valid: the hash must never change).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
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
