"""Scripted mail clients: what real clients do to a draft on the IMAP server, nothing more.

IMAP messages are immutable, so an "edit" is an APPEND of a new message and the removal of the
old one; each client keeps different things (SPEC "Drafts survive real mail clients"):

- thunderbird: the same Message-ID; APPEND the new version, then STORE \\Deleted + EXPUNGE the
  old one.
- gmail (and Apple Mail, mu4e, most webmails): a new Message-ID on every save; two autosaved
  versions before the final one; the old versions expunged late (after the next sync).
- outlook: unknown X- headers dropped, the body re-encoded as quoted-printable, an HTML
  alternative added; the Message-ID kept, a new UID.
- mutt: the recipients and the subject edited, the Message-ID kept.

Sending from the client: the version goes to Sent (the client's own SMTP delivers it: the
test counts that delivery itself) and every version leaves Drafts.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from imapclient import IMAPClient

from tests.rig import ImapAccount

CLIENTS = ("thunderbird", "gmail", "outlook", "mutt")
USER_TEXT = "Dear Bob, thank you for today; I enjoyed the whiteboard session. (the user's words)"
COLLEAGUE = "carol@acme.example"


@dataclass
class Client:
    """One user at one mail client, working on the IMAP server like that client does."""

    kind: str
    server: ImapAccount
    sent_by_client: list[bytes] = field(default_factory=list)
    late: list[int] = field(default_factory=list)  # old versions a lazy client expunges later

    @property
    def drafts_folder(self) -> str:
        return self.server.special_use["\\Drafts"]

    @contextmanager
    def _drafts(self) -> Iterator[IMAPClient]:
        with self.server.session() as client:
            client.select_folder(self.drafts_folder)
            yield client

    def drafts(self) -> dict[int, tuple[bytes, frozenset[bytes]]]:
        with self._drafts() as client:
            uids = client.search("ALL")
            data = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"]) if uids else {}
        return {uid: (d[b"BODY[]"], frozenset(d[b"FLAGS"])) for uid, d in data.items()}

    def newest(self) -> tuple[int, bytes]:
        uid = max(self.drafts())
        return uid, self.drafts()[uid][0]

    def edit(self) -> int:
        """Edit the newest draft as this client does; returns the UID of the final version."""
        uid, raw = self.newest()
        if self.kind == "gmail":
            for n in (1, 2):  # autosave: two versions before the final one
                self._replace(
                    uid, _rewritten(raw, f"{USER_TEXT[: 20 * n]}", new_id=True), late=True
                )
                uid = max(self.drafts())
            return self._replace(uid, _rewritten(raw, USER_TEXT, new_id=True), late=True)
        if self.kind == "outlook":
            return self._replace(uid, _outlook(raw, USER_TEXT))
        if self.kind == "mutt":
            edited = _rewritten(raw, USER_TEXT, to=COLLEAGUE, subject="Thank you, and a question")
            return self._replace(uid, edited)
        return self._replace(uid, _rewritten(raw, USER_TEXT))

    def expunge_late(self) -> None:
        """A lazy client's old versions finally go."""
        if self.late:
            self._remove(self.late)
            self.late = []

    def flag(self) -> None:
        uid, _ = self.newest()
        with self._drafts() as client:
            client.add_flags([uid], [b"\\Flagged"])

    def delete(self) -> None:
        self._remove(list(self.drafts()))
        self.late = []

    def send(self) -> None:
        """Send the newest version from the client: its SMTP delivers it, a copy goes to Sent,
        the draft goes (with any old version)."""
        _, raw = self.newest()
        self.sent_by_client.append(raw)
        self.server.append(self.server.special_use["\\Sent"], raw, flags=[b"\\Seen"])
        self.delete()

    def _replace(self, old: int, raw: bytes, *, late: bool = False) -> int:
        uid = self.server.append(self.drafts_folder, raw, flags=[b"\\Draft", b"\\Seen"])
        if late:
            self.late.append(old)
        else:
            self._remove([old])
        assert uid is not None
        return uid

    def _remove(self, uids: list[int]) -> None:
        if not uids:
            return
        with self._drafts() as client:
            client.add_flags(uids, [b"\\Deleted"])
            client.expunge()


def _rewritten(raw: bytes, text: str, *, new_id: bool = False, to: str | None = None,
               subject: str | None = None) -> bytes:  # fmt: skip
    old = message_from_bytes(raw, policy=policy.default)
    msg = EmailMessage()
    for name in ("From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References"):
        if old[name] is not None:
            msg[name] = str(old[name])
    if new_id:
        msg.replace_header("Message-ID", f"<{secrets.token_hex(8)}@mail.gmail.example>")
    if to is not None:
        msg.replace_header("To", to)
    if subject is not None:
        msg.replace_header("Subject", subject)
    msg.set_content(text)
    return msg.as_bytes(policy=policy.SMTP)


def _outlook(raw: bytes, text: str) -> bytes:
    old = message_from_bytes(raw, policy=policy.default)
    msg = EmailMessage()
    for name in ("From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References"):
        if old[name] is not None:
            msg[name] = str(old[name])
    msg.set_content(text + "\n\nSent from Outlook", cte="quoted-printable")
    msg.add_alternative(f"<html><body><p>{text}</p><p>Sent from Outlook</p></body></html>",
                        subtype="html", cte="quoted-printable")  # fmt: skip
    return msg.as_bytes(policy=policy.SMTP)
