"""Shared helpers for the watcher's fault, crash and scale tests (tests/e2e/test_watch_*.py).

- `write_config`: a config on 127.0.0.1 (`tls: none` unless asked), the secret in
  $CREDENTIALS_DIRECTORY.
- `register`: `followthru add interview` through the CLI, in-process.
- `Corpus` / `build_corpus`: a deterministic, realistic mailbox (noise, newsletters, threads
  among strangers, the user's thank-you letters in Sent, and the contacts' replies,
  out-of-office answers and bounces), with what each contact's state and events must be;
  `seed` registers its interviews and delivers it into a Dovecot account.
- `Ledger`: read the store (a real SQLite file) with plain sqlite3: events per message,
  states per contact, duplicates, watermarks.
- `run_cli`: `followthru ...` as a real subprocess (`sys.executable -m followthru`), with
  its wall time and peak RSS (getrusage(RUSAGE_CHILDREN) in a one-child parent).
- `changed_flags`: the user's flags on the server, compared with what they had set.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from followthru.cli import main
from tests.rig import ImapAccount
from tests.rig.dovecot import DovecotAccount

USER = "jane@example.org"
USER_NAME = "Jane Doe"
ACCOUNT = "personal"


# --- config and the CLI -----------------------------------------------------------------


def write_config(
    tmp_path: Path,
    server: ImapAccount,
    *,
    host: str | None = None,
    port: int | None = None,
    timeout: str = "2s",
    idle_refresh: str = "1m",
    poll_interval: str = "10s",
    backfill_days: int = 90,
    tls: str = "none",
    cafile: Path | None = None,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """config.yaml for `server` (or a proxy in front of it at host:port); the secret goes in
    $CREDENTIALS_DIRECTORY (set for this test, and inherited by subprocesses). With `tls`
    other than none, give the port that speaks it and the CA that signed its certificate."""
    creds = tmp_path / "credentials"
    creds.mkdir(exist_ok=True)
    (creds / "imap").write_text(server.password)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    cfg = {
        "identity": {"name": USER_NAME, "email": USER, "timezone": "Europe/Berlin"},
        "accounts": [{
            "name": ACCOUNT,
            "imap": {"host": host or server.host, "port": port or server.port, "tls": tls,
                     "username": server.username, "credential": "imap", "timeout": timeout,
                     **({"cafile": str(cafile)} if cafile else {})},
            "smtp": {"host": "127.0.0.1", "port": 2525, "tls": "none"},
        }],
        "store": {"path": str(tmp_path / "state.db")},
        "notify": {"digest_at": None, "urgent": False},  # messages counted: none of ours
        "watch": {"idle_refresh": idle_refresh, "poll_interval": poll_interval,
                  "backfill_days": backfill_days},
    }  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(cfg))
    return path


def cli(config: Path, *argv: str) -> str:
    """`followthru ARGV --config CONFIG` in-process; its stdout. Fails the test on a non-zero exit.

    main() sets up logging on sys.stderr (pytest's capture), at WARNING for such commands."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*argv, "--config", str(config)])
    assert code == 0, f"followthru {' '.join(argv)} -> {code}"
    return out.getvalue()


def register(config: Path, email: str, *, interview: datetime, now: datetime) -> None:
    """An interview with `email` (one hour from `interview`), registered at `now`."""
    cli(config, "add", "interview", "--email", email, "--at", interview.isoformat(),
        "--now", now.isoformat())  # fmt: skip


@dataclass(frozen=True, slots=True)
class Finished:
    """A subprocess that ended: its exit status, output, wall time and peak RSS."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_kib: int


def followthru_command(config: Path, *argv: str) -> list[str]:
    return [sys.executable, "-m", "followthru", *argv, "--config", str(config)]


# A one-child parent: its RUSAGE_CHILDREN is that child's alone. Measured straight from
# pytest, a child's ru_maxrss would be pytest's own RSS (~80 MiB): Linux records the old
# address space's high-water mark at exec(), and a forked child starts as a copy of pytest.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[3:], timeout=float(sys.argv[2]))\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "open(sys.argv[1], 'w').write(str(peak))\n"
    "sys.exit(code)\n"
)


def run_cli(config: Path, *argv: str, timeout: float = 120.0) -> Finished:
    """`python -m followthru ARGV` as a real subprocess (through a small parent that reports
    its peak RSS); the parent is stopped by its own pid if it outlives `timeout`."""
    with tempfile.TemporaryDirectory() as scratch:
        out, err, peak = (Path(scratch) / name for name in ("out", "err", "peak"))
        command = [sys.executable, "-c", _MEASURE, str(peak), str(timeout),
                   *followthru_command(config, *argv)]  # fmt: skip
        started = time.monotonic()
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr
            )
            try:
                process.wait(timeout=timeout + 10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise
        seconds = time.monotonic() - started
        rss = int(peak.read_text()) if peak.exists() else 0
        return Finished(process.returncode, out.read_text(), err.read_text(), seconds, rss)


# --- messages ---------------------------------------------------------------------------


def message(
    sender: str,
    to: str,
    subject: str,
    body: str,
    *,
    at: datetime,
    message_id: str | None,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
    extra: tuple[tuple[str, str], ...] = (),
) -> bytes:
    """One RFC 5322 message (ASCII, CRLF) with the headers a real one carries. Built by
    hand: EmailMessage costs ~5 ms a message, too slow for seeding thousands."""
    host = sender.rsplit("@", 1)[-1].rstrip(">")
    date = format_datetime(at)
    headers = [
        ("Received", f"from mx.{host} (mx.{host} [192.0.2.{len(host) % 250 + 1}])\r\n"
                     f"\tby mail.example.org (Postfix) with ESMTPS; {date}"),
        ("From", sender), ("To", to), ("Subject", subject), ("Date", date),
    ]  # fmt: skip
    if message_id:
        headers.append(("Message-ID", message_id))
    if in_reply_to:
        headers.append(("In-Reply-To", in_reply_to))
        headers.append(("References", " ".join((*references, in_reply_to))))
    headers += [("MIME-Version", "1.0"), *extra]
    headers += [
        ("Content-Type", 'text/plain; charset="utf-8"'),
        ("Content-Transfer-Encoding", "7bit"),
    ]
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return (head + "\r\n" + body.replace("\n", "\r\n") + "\r\n").encode()


def bounce(contact: str, original_id: str, *, at: datetime, message_id: str) -> bytes:
    """A Postfix DSN (multipart/report) saying `contact` does not exist (5.1.1)."""
    date = format_datetime(at)
    boundary = f"B{zlib.crc32(message_id.encode()):08x}/mail.example.org"
    return f"""\
Return-Path: <>
Received: by mail.example.org (Postfix) id 4F1A2B3C4D; {date}
Date: {date}
From: MAILER-DAEMON@mail.example.org (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: {USER}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{boundary}"
Message-Id: {message_id}

This is a MIME-encapsulated message.

--{boundary}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.org.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{contact}>: host mx.example[192.0.2.25] said: 550 5.1.1
    <{contact}>: Recipient address rejected: User unknown (in reply to RCPT TO command)

--{boundary}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.org
Arrival-Date: {date}

Final-Recipient: rfc822; {contact}
Original-Recipient: rfc822;{contact}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <{contact}>: Recipient address rejected: User unknown

--{boundary}
Content-Description: Undelivered Message
Content-Type: message/rfc822

From: {USER_NAME} <{USER}>
To: <{contact}>
Subject: Thank you for today's interview
Message-ID: {original_id}
Date: {date}

Thank you for taking the time to meet with me today.

--{boundary}--
""".replace("\n", "\r\n").encode()


def out_of_office(contact: str, original_id: str, *, at: datetime, message_id: str) -> bytes:
    return message(contact, USER, "Out of office",
                   "Hi,\n\nI'm out of the office until 30 November with limited access to email.\n"
                   "For urgent matters please contact hr@ of our company.\n\nBest,\n",
                   at=at, message_id=message_id, in_reply_to=original_id,
                   extra=(("Auto-Submitted", "auto-replied"), ("X-Autoreply", "yes"),
                          ("Precedence", "bulk")))  # fmt: skip


def reply(contact: str, original_id: str, *, at: datetime, message_id: str) -> bytes:
    return message(contact, USER, "Re: Thank you for today's interview",
                   "Hi Jane,\n\nThank you, it was great talking to you. The team liked the"
                   " conversation and we will get back to you about the next round.\n\nBest,\n"
                   "> Thank you for taking the time to meet with me today.\n",
                   at=at, message_id=message_id, in_reply_to=original_id)  # fmt: skip


def thank_you(contact: str, *, at: datetime, message_id: str) -> bytes:
    return message(f"{USER_NAME} <{USER}>", contact, "Thank you for today's interview",
                   "Dear interviewer,\n\nThank you for taking the time to meet with me today."
                   " I enjoyed learning about the team.\n\nBest regards,\nJane\n",
                   at=at, message_id=message_id)  # fmt: skip


_WORDS = (
    "quarterly", "roadmap", "review", "platform", "migration", "budget", "release", "notes",
    "onboarding", "hiring", "plan", "offsite", "agenda", "invoice", "receipt", "delivery",
    "update", "weekly", "digest", "community", "meetup", "draft", "proposal", "feedback",
    "security", "notice", "password", "reset", "travel", "itinerary", "conference", "schedule",
)  # fmt: skip


def _paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choices(_WORDS, k=words))
    return "\n".join(text[i : i + 72] for i in range(0, len(text), 72))


# --- the corpus -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Seeded:
    folder: str  # "INBOX" or "Sent"
    raw: bytes
    at: datetime
    message_id: str
    flags: tuple[str, ...] = ()


@dataclass
class Corpus:
    """A mailbox and what the daemon must make of it."""

    messages: list[Seeded] = field(default_factory=list)
    interviews: dict[str, datetime] = field(default_factory=dict)  # contact -> interview start
    states: dict[str, str] = field(default_factory=dict)  # contact -> state after the sync
    events: set[tuple[str, str]] = field(default_factory=set)  # (contact, event message_id)
    thanked: dict[str, str] = field(default_factory=dict)  # contact -> their thank-you's Message-ID
    silent: list[str] = field(default_factory=list)  # contacts who never answered

    @property
    def flags(self) -> dict[str, tuple[str, ...]]:
        """Message-ID -> the flags the user had set (INBOX only)."""
        return {m.message_id: m.flags for m in self.messages if m.folder == "INBOX"}


def build_corpus(total: int, contacts: int, now: datetime, seed: int = 7) -> Corpus:
    """`total` messages: `contacts` interviewers thanked from Sent, a quarter of them replying,
    a quarter answering out of office, a quarter bouncing, a quarter silent; the rest noise
    (strangers, newsletters, notifications, threads with the user's mail to strangers)."""
    rng = random.Random(seed)
    corpus = Corpus()
    for i in range(contacts):
        _contact_thread(corpus, i, now - timedelta(days=4, hours=contacts - i))
    index = 0
    while len(corpus.messages) < total:
        corpus.messages.append(_noise(rng, index, now, seed))
        index += 1
    for n, seeded in enumerate(corpus.messages):  # the user's own marks on their mail
        if seeded.folder == "INBOX" and n % 3 == 0:
            flags = ("\\Seen", "\\Flagged") if n % 9 == 0 else ("\\Seen",)
            corpus.messages[n] = Seeded(
                seeded.folder, seeded.raw, seeded.at, seeded.message_id, flags
            )
    return corpus


def _contact_thread(corpus: Corpus, i: int, interview: datetime) -> None:
    email = f"interviewer{i:02d}@company{i:02d}.example"
    who = f"Interviewer {i:02d} <{email}>"
    corpus.interviews[email] = interview
    sent_id = f"<thanks-{i:02d}@example.org>"
    sent_at = interview + timedelta(hours=3)
    corpus.messages.append(
        Seeded(
            "Sent", thank_you(who, at=sent_at, message_id=sent_id), sent_at, sent_id, ("\\Seen",)
        )
    )
    corpus.events.add((email, sent_id))
    corpus.thanked[email] = sent_id
    answer_at = interview + timedelta(days=1, hours=2)
    kind = i % 4
    if kind == 0:
        mid = f"<reply-{i:02d}@company{i:02d}.example>"
        raw = reply(who, sent_id, at=answer_at, message_id=mid)
        corpus.states[email], key = "in_conversation", mid
    elif kind == 1:
        mid = f"<ooo-{i:02d}@company{i:02d}.example>"
        raw = out_of_office(who, sent_id, at=answer_at, message_id=mid)
        corpus.states[email], key = "awaiting_reply", mid
    elif kind == 2:
        mid = f"<dsn-{i:02d}@mail.example.org>"
        raw = bounce(email, sent_id, at=answer_at, message_id=mid)
        corpus.states[email], key = "unreachable", f"{mid}#{email}"
    else:
        corpus.states[email] = "awaiting_reply"
        corpus.silent.append(email)
        return
    corpus.messages.append(Seeded("INBOX", raw, answer_at, mid))
    corpus.events.add((email, key))


def _noise(rng: random.Random, n: int, now: datetime, tag: int) -> Seeded:
    at = now - timedelta(seconds=rng.randrange(60 * 86400))
    mid = f"<noise-{tag}.{n}.{rng.getrandbits(32):08x}@sender{n % 97}.example>"
    kind = n % 10
    if kind == 9:  # the user's mail to a stranger, in Sent
        stranger = f"Friend {n} <friend{n % 50}@people{n % 13}.example>"
        raw = message(f"{USER_NAME} <{USER}>", stranger, f"Catching up #{n}",
                      _paragraph(rng, 80), at=at, message_id=f"<own-{tag}.{n}@example.org>")  # fmt: skip
        return Seeded("Sent", raw, at, f"<own-{tag}.{n}@example.org>", ("\\Seen",))
    if kind == 8:  # a stranger answering the user's mail: a thread, not about a contact
        parent = f"<own-{tag}.{n - 9}@example.org>"
        raw = message(f"Friend {n} <friend{n % 50}@people{n % 13}.example>", USER,
                      f"Re: Catching up #{n - 9}", _paragraph(rng, 120), at=at, message_id=mid,
                      in_reply_to=parent, references=(f"<root-{n}@people.example>",))  # fmt: skip
    elif kind in (0, 1, 2):  # newsletters
        raw = message(f"Weekly <news@list{n % 7}.example>", USER, f"Issue {n}: {rng.choice(_WORDS)}",
                      _paragraph(rng, 300), at=at, message_id=mid,
                      extra=(("List-Id", f"<weekly.list{n % 7}.example>"),
                             ("List-Unsubscribe", f"<https://list{n % 7}.example/u/{n}>"),
                             ("Precedence", "list")))  # fmt: skip
    elif kind == 3:  # notifications
        raw = message(f"Service <no-reply@notify{n % 11}.example>", USER, f"Your receipt {n}",
                      _paragraph(rng, 60), at=at, message_id=mid,
                      extra=(("Auto-Submitted", "auto-generated"),))  # fmt: skip
    else:  # people the user knows, outside the job search
        raw = message(f"Person {n % 200} <person{n % 200}@mail{n % 17}.example>", USER,
                      f"{rng.choice(_WORDS).title()} {rng.choice(_WORDS)}", _paragraph(rng, 150),
                      at=at, message_id=mid)  # fmt: skip
    return Seeded("INBOX", raw, at, mid)


def seed(account: DovecotAccount, config: Path, corpus: Corpus) -> None:
    """Register the corpus's interviews, then deliver its messages straight into the Maildir."""
    for email, start in corpus.interviews.items():
        register(config, email, interview=start, now=start + timedelta(hours=1, minutes=30))
    for m in corpus.messages:
        account.deliver(m.folder, m.raw, m.flags, msg_time=m.at)


# --- the store, read with plain sqlite3 ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ledger:
    """The store at `path`, read read-only with sqlite3 (no followthru code in between)."""

    path: Path

    @contextlib.contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            yield conn
        finally:
            conn.close()

    def message_events(self) -> Counter[tuple[str, str]]:
        """(contact email, event message_id) -> how many event rows: each must be 1."""
        with self._conn() as conn:
            rows = conn.execute(
                "SELECT c.email, e.message_id FROM events e JOIN contacts c ON c.id = e.contact_id"
                " WHERE e.message_id IS NOT NULL"
            ).fetchall()
        return Counter((str(email), str(mid)) for email, mid in rows)

    def duplicates(self) -> dict[tuple[str, str], int]:
        return {key: n for key, n in self.message_events().items() if n > 1}

    def states(self) -> dict[str, str]:
        with self._conn() as conn:
            return {str(e): str(s) for e, s in conn.execute("SELECT email, state FROM contacts")}

    def state(self, email: str) -> str | None:
        return self.states().get(email)

    def event_total(self) -> int:
        with self._conn() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    def watermarks(self) -> dict[str, tuple[int, int]]:
        """folder -> (UIDVALIDITY, last UID)."""
        with self._conn() as conn:
            return {
                str(f): (int(v), int(u))
                for f, v, u in conn.execute("SELECT folder, uidvalidity, last_uid FROM watermarks")
            }

    def seen_count(self) -> int:
        with self._conn() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM seen").fetchone()[0])

    def integrity(self) -> str:
        with self._conn() as conn:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def flags_by_message_id(
    server: ImapAccount, folder: str = "INBOX"
) -> dict[str, list[frozenset[str]]]:
    """Message-ID -> the flags (without \\Recent) of each copy in `folder`, read with EXAMINE."""
    out: dict[str, list[frozenset[str]]] = {}
    with server.session() as client:
        client.select_folder(folder, readonly=True)
        uids = client.search("ALL")
        for start in range(0, len(uids), 1000):
            chunk = uids[start : start + 1000]
            reply = client.fetch(chunk, ["FLAGS", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
            for data in reply.values():
                header = next(v for k, v in data.items() if k.startswith(b"BODY[HEADER"))
                mid = header.decode().split(":", 1)[1].strip()
                flags = {f.decode() for f in data[b"FLAGS"]} - {"\\Recent"}
                out.setdefault(mid, []).append(frozenset(flags))
    return out


def changed_flags(
    server: ImapAccount, expected: dict[str, tuple[str, ...]], folder: str = "INBOX"
) -> dict[str, list[frozenset[str]]]:
    """The messages of `expected` (Message-ID -> the user's flags) whose flags on the server
    differ, on any copy, or that are gone: {} when the user's mail is untouched."""
    found = flags_by_message_id(server, folder)
    return {
        mid: found.get(mid, [])
        for mid, flags in expected.items()
        if not found.get(mid) or any(copy != frozenset(flags) for copy in found[mid])
    }
