"""Generated mailboxes for the benchmarks: a job seeker's INBOX and Sent, written into a Maildir.

`MailboxPlan(total, contacts, now)` describes one mailbox: `contacts` interviewers (each with a
company, an interview in the last 80 days, the user's thank-you letter in Sent and a fate:
a reply - sometimes a whole thread -, an out-of-office answer, a bounce, or silence; a third
of them also wrote before the interview about logistics) and, around them, `total` messages
in all: newsletters and mailing lists (List-Id, List-Unsubscribe), notifications and
receipts (Auto-Submitted; some with a PDF), job alerts, personal threads (In-Reply-To and
References chains of up to 20 ids), and the user's own mail in Sent.

What makes it realistic for the daemon's header scan: each message carries the headers real
mail carries (Return-Path, two Received, DKIM-Signature, ARC-less Authentication-Results,
MIME), about 5% carry RFC 2047 encoded names or subjects, bodies are 2-20 KB of text (plain,
or multipart/alternative with HTML), about 4% carry an attachment of 10-60 KB (base64), and a
third of INBOX is \\Seen, some \\Flagged or \\Answered. Dates spread over the last 85 days
(inside the default 90-day backfill) and messages are delivered in date order, so that
Dovecot hands out UIDs in arrival order as on a real server.

Deterministic for a given seed; about 10k messages/s on one core (the Maildir writes
included), so `make bench` generates its mailboxes afresh every run.

Run it alone to see what it makes: `python -m bench.generate --total 2000 --out /tmp/x`
writes .eml files and prints the mix.
"""

from __future__ import annotations

import argparse
import base64
import random
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime
from pathlib import Path

USER = "jane@example.org"
USER_NAME = "Jane Doe"
ME = f"{USER_NAME} <{USER}>"
SPAN_DAYS = 85

_FIRST = ("Anna", "Ben", "Chloé", "David", "Elif", "Felix", "Greta", "Hugo", "Ines", "Jonas",
          "Kai", "Lena", "Mateo", "Nora", "Oskar", "Priya", "Quentin", "Rosa", "Søren", "Tariq",
          "Uma", "Victor", "Wen", "Yusuf", "Zoë", "Amara", "Bruno", "Carmen", "Dmitri", "Emma")  # fmt: skip
_LAST = ("Adler", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Hansen", "Ito",
         "Jansen", "Kowalski", "Larsen", "Müller", "Nakamura", "Okafor", "Petrov", "Quinn",
         "Rossi", "Schmidt", "Tanaka", "Ueda", "Vogel", "Wagner", "Xu", "Yilmaz", "Zimmermann")  # fmt: skip
_COMPANY = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne",
            "Wonka", "Tyrell", "Cyberdyne", "Soylent", "Aperture", "Massive", "Oscorp", "Pied Piper",
            "Nakatomi", "Gringotts", "Monarch", "Prestige", "Dunder", "Bluth", "Sterling", "Krusty")  # fmt: skip
_ROLES = ("Backend Engineer", "Data Scientist", "Product Manager", "SRE", "Frontend Engineer",
          "Engineering Manager", "Security Engineer", "ML Engineer")  # fmt: skip
_WORDS = ("the", "team", "roadmap", "quarter", "we", "review", "platform", "migration", "and",
          "budget", "release", "notes", "onboarding", "to", "plan", "agenda", "invoice", "of",
          "delivery", "update", "weekly", "community", "meetup", "draft", "proposal", "a",
          "feedback", "security", "schedule", "travel", "conference", "with", "customer",
          "metrics", "latency", "design", "document", "is", "for", "next", "week", "thanks",
          "please", "let", "me", "know", "about", "pipeline", "dashboard", "standup", "on")  # fmt: skip
_LISTS = ("python-dev", "rust-users", "postgres-general", "devops-weekly", "ml-papers",
          "kubernetes-announce", "local-meetup", "neighbourhood", "book-club", "alumni")  # fmt: skip
_SHOPS = ("shop.example.com", "tickets.example.net", "rail.example.eu", "bank.example.de",
          "cloud.example.io", "phone.example.com", "energy.example.de", "airline.example.com")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Contact:
    """One tracked interviewer and what happens in their thread."""

    number: int
    email: str
    name: str
    company: str
    role: str
    interview_at: datetime
    fate: str  # "reply", "thread", "ooo", "bounce", "silent"
    logistics: bool  # wrote before the interview

    @property
    def thanks_id(self) -> str:
        return f"<thanks-{self.number}.{zlib.crc32(self.email.encode()):08x}@example.org>"

    @property
    def display(self) -> str:
        return f"{_encoded(self.name)} <{self.email}>"


@dataclass(frozen=True, slots=True)
class Seeded:
    """One message ready for DovecotAccount.deliver()."""

    folder: str
    raw: bytes
    at: datetime
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Spec:
    at: datetime
    order: int
    build: Callable[[random.Random], Seeded]


class MailboxPlan:
    """What one generated mailbox holds; `messages()` builds them in date order."""

    def __init__(self, total: int, contacts: int, now: datetime, seed: int = 2026) -> None:
        if now.tzinfo is None:
            raise ValueError("now must be aware")
        self.total, self.now, self.seed = total, now, seed
        rng = random.Random(seed)
        self.contacts = [_contact(rng, i, now) for i in range(contacts)]
        self._specs: list[_Spec] = []
        for contact in self.contacts:
            self._contact_specs(contact)
        if len(self._specs) > total:
            raise ValueError(f"{contacts} contacts need more than {total} messages")
        noise = total - len(self._specs)
        for n in range(noise):
            at = now - timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
            self._add(at, _noise_builder(n, at, seed))
        self._specs.sort(key=lambda s: (s.at, s.order))

    def messages(self) -> Iterator[Seeded]:
        rng = random.Random(self.seed + 1)
        for spec in self._specs:
            yield spec.build(rng)

    def _add(self, at: datetime, build: Callable[[random.Random], Seeded]) -> None:
        self._specs.append(_Spec(at, len(self._specs), build))

    def _contact_specs(self, c: Contact) -> None:
        start = c.interview_at
        if c.logistics:
            at = start - timedelta(days=3, hours=2)
            self._add(at, lambda rng, at=at: _logistics(rng, c, at))
        sent_at = start + timedelta(hours=3)
        self._add(sent_at, lambda rng: _thank_you(rng, c, sent_at))
        answer_at = start + timedelta(days=1, hours=5)
        if c.fate in ("reply", "thread"):
            self._add(answer_at, lambda rng: _reply(rng, c, answer_at))
        if c.fate == "thread":
            mine, theirs = answer_at + timedelta(hours=4), answer_at + timedelta(days=1)
            self._add(mine, lambda rng: _my_answer(rng, c, mine))
            self._add(theirs, lambda rng: _second_reply(rng, c, theirs))
        elif c.fate == "ooo":
            at = sent_at + timedelta(minutes=1)
            self._add(at, lambda rng: _out_of_office(c, at))
        elif c.fate == "bounce":
            at = sent_at + timedelta(seconds=20)
            self._add(at, lambda rng: _bounce(c, at))


def _contact(rng: random.Random, i: int, now: datetime) -> Contact:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    company = f"{rng.choice(_COMPANY)} {i % 37}"
    domain = company.lower().replace(" ", "") + ".example"
    local = f"{first}.{last}{i}".lower().encode("ascii", "ignore").decode()
    # Interviews in the last 80 days, at office hours; at least two days ago.
    day = now - timedelta(days=rng.randint(2, 80))
    start = day.replace(hour=rng.choice((8, 9, 10, 12, 13, 14)), minute=0, second=0, microsecond=0)
    fate = rng.choices(("reply", "thread", "ooo", "bounce", "silent"), (20, 15, 15, 5, 45))[0]
    return Contact(i, f"{local}@{domain}", f"{first} {last}", company, rng.choice(_ROLES), start,
                   fate, rng.random() < 1 / 3)  # fmt: skip


# --- message text -------------------------------------------------------------------------


def _encoded(text: str) -> str:
    """RFC 2047 for non-ASCII display names and subjects, as mail clients send them."""
    return text if text.isascii() else Header(text, "utf-8").encode()


_POOL_RNG = random.Random(99)


def _wrap(text: str, width: int = 72) -> Iterator[str]:
    line: list[str] = []
    size = 0
    for word in text.split():
        if size + len(word) + 1 > width and line:
            yield " ".join(line)
            line, size = [], 0
        line.append(word)
        size += len(word) + 1
    if line:
        yield " ".join(line)


_PARAGRAPHS = [
    "\n".join(_wrap(" ".join(_POOL_RNG.choice(_WORDS) for _ in range(_POOL_RNG.randint(40, 140)))))
    for _ in range(400)
]
_ATTACHMENTS = [
    "\n".join(
        base64.b64encode(random.Random(size).randbytes(size)).decode()[i : i + 76]
        for i in range(0, (size + 2) // 3 * 4, 76)
    )
    for size in (10_000, 24_000, 45_000, 60_000)
]


def _body_text(rng: random.Random, low: int = 2_000, high: int = 20_000) -> str:
    """Plain text of a size between low and high bytes (skewed towards the small end)."""
    target = int(low * (high / low) ** (rng.random() ** 1.6))
    parts: list[str] = []
    size = 0
    while size < target:
        paragraph = rng.choice(_PARAGRAPHS)
        parts.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(parts)


def _html(text: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>\n" for p in text.split("\n\n"))
    return f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>\n<body style="font-family:sans-serif">\n{paragraphs}</body></html>'


def _header_block(
    rng: random.Random,
    *,
    sender: str,
    to: str,
    subject: str,
    at: datetime,
    message_id: str,
    extra: tuple[tuple[str, str], ...] = (),
    inbound: bool = True,
) -> list[tuple[str, str]]:
    address = sender.rsplit("<", 1)[-1].rstrip(">")
    domain = address.rsplit("@", 1)[-1]
    date = format_datetime(at)
    headers: list[tuple[str, str]] = []
    if inbound:
        queue_id = f"{rng.getrandbits(40):010X}"
        signature = base64.b64encode(rng.randbytes(256)).decode()
        headers += [
            ("Return-Path", f"<{address}>"),
            ("Delivered-To", USER),
            ("Received", f"from mx.{domain} (mx.{domain} [198.51.100.{rng.randint(2, 250)}])\n"
                         f"\tby mail.example.org (Postfix) with ESMTPS id {queue_id}\n"
                         f"\tfor <{USER}>; {date}"),
            ("Received", f"by mx.{domain} with SMTP id {rng.getrandbits(48):x}; {date}"),
            ("Authentication-Results", f"mail.example.org; dkim=pass header.d={domain};"
                                       f" spf=pass smtp.mailfrom={domain}; dmarc=pass"),
            ("DKIM-Signature", f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain}; s=s1;\n"
                               "\th=from:to:subject:date:message-id:mime-version;\n"
                               f"\tbh={base64.b64encode(rng.randbytes(32)).decode()};\n"
                               "\tb=" + "\n\t  ".join(signature[i : i + 70] for i in range(0, len(signature), 70))),
        ]  # fmt: skip
    headers += [
        ("Message-ID", message_id),
        ("Date", date),
        ("From", sender),
        ("To", to),
        ("Subject", _encoded(subject)),
        *extra,
        ("MIME-Version", "1.0"),
    ]
    return headers


def _assemble(
    rng: random.Random,
    headers: list[tuple[str, str]],
    text: str,
    *,
    html: bool = False,
    attachment: str | None = None,
) -> bytes:
    """Headers plus a text body, optionally with an HTML alternative and an attachment."""
    boundary = f"=_{rng.getrandbits(64):016x}"
    if not html and attachment is None:
        headers = [
            *headers,
            ("Content-Type", 'text/plain; charset="utf-8"'),
            ("Content-Transfer-Encoding", "8bit"),
        ]
        body = text
    else:
        parts = [
            f'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\n{text}'
        ]
        if html:
            parts.append(
                f'Content-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: 8bit\n\n{_html(text)}'
            )
        if attachment is not None:
            blob = _ATTACHMENTS[rng.randrange(len(_ATTACHMENTS))]
            parts.append(f'Content-Type: application/pdf; name="{attachment}"\n'
                         f'Content-Disposition: attachment; filename="{attachment}"\n'
                         f"Content-Transfer-Encoding: base64\n\n{blob}")  # fmt: skip
        kind = "mixed" if attachment is not None else "alternative"
        headers = [*headers, ("Content-Type", f'multipart/{kind}; boundary="{boundary}"')]
        body = "This is a multi-part message in MIME format.\n\n"
        body += "".join(f"--{boundary}\n{part}\n\n" for part in parts) + f"--{boundary}--"
    head = "".join(f"{name}: {value}\n" for name, value in headers)
    return f"{head}\n{body}\n".encode()


# --- the contacts' threads ------------------------------------------------------------------


def _logistics(rng: random.Random, c: Contact, at: datetime) -> Seeded:
    when = c.interview_at.strftime("%A %d %B at %H:%M")
    headers = _header_block(rng, sender=c.display, to=ME, subject=f"Interview for the {c.role} role",
                            at=at, message_id=f"<logistics-{c.number}@{c.email.split('@')[1]}>")  # fmt: skip
    text = (f"Hi Jane,\n\nThanks for your interest in the {c.role} position at {c.company}. "
            f"Would {when} work for a one-hour conversation with the team? The call will be on "
            "video; a link follows.\n\nBest regards,\n" + c.name + "\n\n" + _body_text(rng, 1_000, 4_000))  # fmt: skip
    return Seeded("INBOX", _assemble(rng, headers, text, html=rng.random() < 0.5), at, ("\\Seen",))


def _thank_you(rng: random.Random, c: Contact, at: datetime) -> Seeded:
    headers = _header_block(rng, sender=ME, to=c.display, subject="Thank you for today's interview",
                            at=at, message_id=c.thanks_id, inbound=False,
                            extra=(("User-Agent", "Thunderbird/128.3"),))  # fmt: skip
    text = (f"Dear {c.name.split()[0]},\n\nThank you for taking the time to talk with me today about "
            f"the {c.role} role at {c.company}. I enjoyed learning about the team's roadmap.\n\n"
            "Best regards,\nJane\n")  # fmt: skip
    return Seeded("Sent", _assemble(rng, headers, text), at, ("\\Seen",))


def _reply(rng: random.Random, c: Contact, at: datetime) -> Seeded:
    mid = f"<reply-{c.number}@{c.email.split('@')[1]}>"
    headers = _header_block(rng, sender=c.display, to=ME, subject="Re: Thank you for today's interview",
                            at=at, message_id=mid,
                            extra=(("In-Reply-To", c.thanks_id), ("References", c.thanks_id)))  # fmt: skip
    text = (f"Hi Jane,\n\nThank you, it was great talking to you. The team liked the conversation and "
            f"we will get back to you about the next round soon.\n\nBest,\n{c.name}\n\n"
            f"> Thank you for taking the time to talk with me today about the {c.role} role.\n")  # fmt: skip
    return Seeded("INBOX", _assemble(rng, headers, text, html=True), at, ("\\Seen",))


def _my_answer(rng: random.Random, c: Contact, at: datetime) -> Seeded:
    parent = f"<reply-{c.number}@{c.email.split('@')[1]}>"
    headers = _header_block(rng, sender=ME, to=c.display, subject="Re: Thank you for today's interview",
                            at=at, message_id=f"<answer-{c.number}@example.org>", inbound=False,
                            extra=(("In-Reply-To", parent), ("References", f"{c.thanks_id} {parent}")))  # fmt: skip
    text = "Hi,\n\nThat is great to hear - I am looking forward to it.\n\nBest,\nJane\n"
    return Seeded("Sent", _assemble(rng, headers, text), at, ("\\Seen",))


def _second_reply(rng: random.Random, c: Contact, at: datetime) -> Seeded:
    domain = c.email.split("@")[1]
    parents = f"{c.thanks_id} <reply-{c.number}@{domain}> <answer-{c.number}@example.org>"
    headers = _header_block(rng, sender=c.display, to=ME, subject="Re: Thank you for today's interview",
                            at=at, message_id=f"<reply2-{c.number}@{domain}>",
                            extra=(("In-Reply-To", f"<answer-{c.number}@example.org>"), ("References", parents)))  # fmt: skip
    text = (f"Hi Jane,\n\nCould you do a second conversation with our CTO next week? Tuesday or "
            f"Thursday afternoon would work for us.\n\nBest,\n{c.name}\n")  # fmt: skip
    return Seeded("INBOX", _assemble(rng, headers, text), at, ())


def _out_of_office(c: Contact, at: datetime) -> Seeded:
    back = (at + timedelta(days=9)).strftime("%d %B")
    rng = random.Random(c.number)
    headers = _header_block(rng, sender=c.display, to=ME, subject="Automatic reply: Thank you for today's interview",
                            at=at, message_id=f"<ooo-{c.number}@{c.email.split('@')[1]}>",
                            extra=(("In-Reply-To", c.thanks_id), ("Auto-Submitted", "auto-replied"),
                                   ("X-Auto-Response-Suppress", "All"), ("Precedence", "bulk")))  # fmt: skip
    text = (f"Hi,\n\nI am out of the office until {back} with limited access to email. For urgent "
            f"matters please contact recruiting at {c.company}.\n\nBest,\n{c.name}\n")  # fmt: skip
    return Seeded("INBOX", _assemble(rng, headers, text), at, ())


def _bounce(c: Contact, at: datetime) -> Seeded:
    date = format_datetime(at)
    boundary = f"B{c.number:06d}.mail.example.org"
    raw = f"""\
Return-Path: <>
Delivered-To: {USER}
Received: by mail.example.org (Postfix) id 4F1A2B{c.number:04X}; {date}
Date: {date}
From: MAILER-DAEMON@mail.example.org (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: {USER}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{boundary}"
Message-Id: <dsn-{c.number}@mail.example.org>

This is a MIME-encapsulated message.

--{boundary}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{c.email}>: host mx.{c.email.split("@")[1]}[192.0.2.25] said: 550 5.1.1
    <{c.email}>: Recipient address rejected: User unknown (in reply to RCPT TO command)

--{boundary}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.org
Arrival-Date: {date}

Final-Recipient: rfc822; {c.email}
Original-Recipient: rfc822;{c.email}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <{c.email}>: Recipient address rejected: User unknown

--{boundary}
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: {ME}
To: <{c.email}>
Subject: Thank you for today's interview
Message-ID: {c.thanks_id}
Date: {date}

--{boundary}--
"""
    return Seeded("INBOX", raw.encode(), at, ())


# --- the rest of the mailbox ------------------------------------------------------------------


def _noise_builder(n: int, at: datetime, seed: int) -> Callable[[random.Random], Seeded]:
    kind = (n * 7919 + seed) % 100
    if kind < 22:
        return lambda rng: _newsletter(rng, n, at)
    if kind < 40:
        return lambda rng: _notification(rng, n, at)
    if kind < 47:
        return lambda rng: _job_alert(rng, n, at)
    if kind < 75:
        return lambda rng: _personal(rng, n, at)
    if kind < 90:
        return lambda rng: _mailing_list(rng, n, at)
    return lambda rng: _own(rng, n, at)


def _seen_flags(rng: random.Random) -> tuple[str, ...]:
    roll = rng.random()
    if roll < 0.55:
        return ("\\Seen",)
    if roll < 0.60:
        return ("\\Flagged", "\\Seen")
    if roll < 0.66:
        return ("\\Answered", "\\Seen")
    return ()


def _newsletter(rng: random.Random, n: int, at: datetime) -> Seeded:
    source = n % 23
    domain = f"news{source}.example.com"
    headers = _header_block(rng, sender=f"The Weekly {source} <newsletter@{domain}>", to=USER,
                            subject=f"Issue {n // 23}: {rng.choice(_WORDS)} and {rng.choice(_WORDS)}",
                            at=at, message_id=f"<nl-{n}.{rng.getrandbits(32):08x}@{domain}>",
                            extra=(("List-Id", f"The Weekly {source} <weekly.{domain}>"),
                                   ("List-Unsubscribe", f"<https://{domain}/u/{rng.getrandbits(64):x}>, <mailto:unsubscribe@{domain}>"),
                                   ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                                   ("Precedence", "bulk"), ("Feedback-ID", f"{source}:campaign:esp")))  # fmt: skip
    return Seeded(
        "INBOX", _assemble(rng, headers, _body_text(rng, 4_000), html=True), at, _seen_flags(rng)
    )


def _notification(rng: random.Random, n: int, at: datetime) -> Seeded:
    shop = _SHOPS[n % len(_SHOPS)]
    receipt = rng.random() < 0.22
    subject = (
        f"Your receipt #{n:07d}"
        if receipt
        else f"Security notice for your account ({rng.choice(_WORDS)})"
    )
    headers = _header_block(rng, sender=f"{shop.split('.')[0].title()} <no-reply@{shop}>", to=USER,
                            subject=subject, at=at, message_id=f"<{rng.getrandbits(96):024x}@{shop}>",
                            extra=(("Auto-Submitted", "auto-generated"), ("X-Mailer", "mailgen 4.2")))  # fmt: skip
    attachment = f"receipt-{n}.pdf" if receipt else None
    raw = _assemble(rng, headers, _body_text(rng, 2_000, 6_000), html=True, attachment=attachment)
    return Seeded("INBOX", raw, at, _seen_flags(rng))


def _job_alert(rng: random.Random, n: int, at: datetime) -> Seeded:
    headers = _header_block(rng, sender="Jobs Network <jobalerts-noreply@jobs.example.com>", to=USER,
                            subject=f"{rng.randint(3, 30)} new jobs for {rng.choice(_ROLES)} in Berlin",
                            at=at, message_id=f"<alert-{n}.{rng.getrandbits(32):08x}@jobs.example.com>",
                            extra=(("List-Unsubscribe", "<https://jobs.example.com/unsubscribe>"),
                                   ("Precedence", "bulk")))  # fmt: skip
    return Seeded(
        "INBOX",
        _assemble(rng, headers, _body_text(rng, 3_000, 12_000), html=True),
        at,
        _seen_flags(rng),
    )


def _person(n: int) -> tuple[str, str]:
    first, last = _FIRST[n % len(_FIRST)], _LAST[(n // 7) % len(_LAST)]
    domain = ("gmail.com", "posteo.de", "web.de", "fastmail.com", f"uni{n % 9}.example.edu")[n % 5]
    return f"{first} {last}", f"{first.lower()}.{last.lower()}{n % 300}@{domain}".encode(
        "ascii", "ignore"
    ).decode()


def _thread_ids(rng: random.Random, n: int, depth: int) -> list[str]:
    return [f"<t{n // 40}-{k}.{(n // 40) * 31 + k:x}@mail.example.net>" for k in range(depth)]


def _personal(rng: random.Random, n: int, at: datetime) -> Seeded:
    name, address = _person(n % 211)
    depth = rng.choice((0, 0, 1, 2, 3, 5, 8, 13, 20))
    refs = _thread_ids(rng, n, depth)
    extra: tuple[tuple[str, str], ...] = ()
    subject = f"{rng.choice(_WORDS).title()} {rng.choice(_WORDS)} {rng.choice(_WORDS)}"
    if refs:
        extra = (("In-Reply-To", refs[-1]), ("References", "\n ".join(refs)))
        subject = "Re: " + subject
    if rng.random() < 0.3:
        other, other_address = _person(n % 97 + 300)
        extra = (*extra, ("Cc", f"{_encoded(other)} <{other_address}>, {USER_NAME} <{USER}>"))
    headers = _header_block(rng, sender=f"{_encoded(name)} <{address}>", to=ME, subject=subject,
                            at=at, message_id=f"<p{n}.{rng.getrandbits(48):x}@{address.split('@')[1]}>",
                            extra=(*extra, ("User-Agent", "Mozilla Thunderbird")))  # fmt: skip
    attachment = f"photo-{n}.pdf" if rng.random() < 0.03 else None
    raw = _assemble(rng, headers, _body_text(rng), html=rng.random() < 0.4, attachment=attachment)
    return Seeded("INBOX", raw, at, _seen_flags(rng))


def _mailing_list(rng: random.Random, n: int, at: datetime) -> Seeded:
    name, address = _person(n % 389)
    listname = _LISTS[n % len(_LISTS)]
    refs = _thread_ids(rng, n + 7, rng.randint(0, 20))
    extra: tuple[tuple[str, str], ...] = (
        ("List-Id", f"<{listname}.lists.example.org>"),
        ("List-Post", f"<mailto:{listname}@lists.example.org>"),
        ("List-Unsubscribe", f"<mailto:{listname}-leave@lists.example.org>"),
        ("Precedence", "list"),
        ("Reply-To", f"{listname}@lists.example.org"),
    )
    if refs:
        extra = (("In-Reply-To", refs[-1]), ("References", "\n ".join(refs)), *extra)
    headers = _header_block(rng, sender=f"{_encoded(name)} <{address}>", to=f"{listname}@lists.example.org",
                            subject=f"[{listname}] {'Re: ' if refs else ''}{rng.choice(_WORDS)} {rng.choice(_WORDS)}",
                            at=at, message_id=f"<ml{n}.{rng.getrandbits(48):x}@{address.split('@')[1]}>",
                            extra=extra)  # fmt: skip
    return Seeded("INBOX", _assemble(rng, headers, _body_text(rng)), at, _seen_flags(rng))


def _own(rng: random.Random, n: int, at: datetime) -> Seeded:
    name, address = _person(n % 211)
    refs = _thread_ids(rng, n, rng.choice((0, 1, 2, 4)))
    extra: tuple[tuple[str, str], ...] = (("User-Agent", "Thunderbird/128.3"),)
    if refs:
        extra = (("In-Reply-To", refs[-1]), ("References", " ".join(refs)), *extra)
    headers = _header_block(rng, sender=ME, to=f"{_encoded(name)} <{address}>",
                            subject=f"{'Re: ' if refs else ''}{rng.choice(_WORDS).title()} {rng.choice(_WORDS)}",
                            at=at, message_id=f"<own-{n}.{rng.getrandbits(32):08x}@example.org>",
                            inbound=False, extra=extra)  # fmt: skip
    attachment = f"cv-{n}.pdf" if rng.random() < 0.05 else None
    return Seeded(
        "Sent", _assemble(rng, headers, _body_text(rng), attachment=attachment), at, ("\\Seen",)
    )


# --- a look at the output ---------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--total", type=int, default=2000)
    parser.add_argument("--contacts", type=int, default=50)
    parser.add_argument("--out", type=Path, help="write each message as an .eml file here")
    args = parser.parse_args()
    plan = MailboxPlan(args.total, args.contacts, datetime.now(UTC).replace(microsecond=0))
    sizes: list[int] = []
    folders: Counter[str] = Counter()
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    for number, message in enumerate(plan.messages()):
        sizes.append(len(message.raw))
        folders[message.folder] += 1
        if args.out:
            (args.out / f"{number:06d}-{message.folder}.eml").write_bytes(message.raw)
    sizes.sort()
    print(f"{len(sizes)} messages {dict(folders)}; fates {Counter(c.fate for c in plan.contacts)}")
    print(f"size: median {sizes[len(sizes) // 2]} B, p95 {sizes[len(sizes) * 95 // 100]} B, "
          f"total {sum(sizes) / 1e6:.1f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
