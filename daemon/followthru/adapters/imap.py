"""IMAP over imapclient: one blocking session. Connect safely, find folders, read, watch, write.

Invariants:
- TLS as configured and never less: implicit TLS, required STARTTLS (a server without it, or
  one that greets with PREAUTH before TLS, is refused), plain text only to loopback hosts.
- Read-only on the user's mail: folders are EXAMINEd, headers and bodies are fetched with
  BODY.PEEK, no flag is changed. Only `append`, `remove_own` and `unflag` write, and only for
  the daemon's own drafts (and the user's versions of them); a plain EXPUNGE (which would purge the user's \\Deleted mail) is
  never sent.
- Message sets are lists of ints, never range strings: imapclient 4.1's fetch() raises
  ValueError on "1:1000". Searches run in UID windows, so no response line nears imaplib's
  1 MB line limit, and `n:*` (which always matches the highest UID) is filtered out.
- Every read is bounded: the socket carries `Server.timeout` as its read timeout, IDLE waits
  in poll() with a deadline and ends with DONE under its own timeout; TCP keepalive is on.
- Library and socket errors leave this module only as errors.py types, chained. A certificate
  that fails verification is TlsError (fix the config); any other TLS error, in the handshake
  or mid-session, is MailboxUnavailable like a reset (adapters/tls.py). After any
  but a plain NO/BAD reply the session is `broken`: only good for `logout()`, which then
  just closes the socket.
- Blocking: every method runs on the caller's thread. The daemon gives each session its own
  single-thread executor (adapters/mailbox.py), because imapclient is not thread-safe.
"""

from __future__ import annotations

import imaplib
import re
import select
import socket
import ssl
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime
from typing import Any

import imapclient
from imapclient import exceptions as imap_errors

from followthru import __version__
from followthru.adapters.headerparse import parse_headers
from followthru.adapters.imapdata import (
    FETCH_BATCH,
    HEADER_ITEM,
    FolderChoice,
    FolderMap,
    FolderState,
    HeaderRecord,
    IdleResult,
    chunks,
    flag_set,
    folder_state,
    header_block,
    header_record,
    windows,
)
from followthru.adapters.oauth2 import Xoauth2Exchange, describe_refusal
from followthru.adapters.tls import client_context, describe_tls_failure
from followthru.config import Folders, Server
from followthru.errors import (
    AuthenticationFailed,
    FollowthruError,
    MailboxUnavailable,
    ServerBusy,
    TlsError,
)

CHANGES = frozenset({b"EXISTS", b"EXPUNGE", b"FETCH", b"RECENT"})
_APPENDUID = re.compile(rb"\[APPENDUID \d+ (\d+)\]")
_BACKOFF = re.compile(r"Suggested Backoff Time: (\d+) ?milliseconds", re.I)
_BUSY = re.compile(r"\[(?:UNAVAILABLE|THROTTLED|INUSE)\]|request is throttled", re.I)
DEFAULT_BUSY_WAIT = 1.0  # seconds, when a busy server gives no hint
_KEEPALIVE = (("TCP_KEEPIDLE", 60), ("TCP_KEEPINTVL", 15), ("TCP_KEEPCNT", 4))

COMMON_NAMES = {
    "drafts": ("Drafts", "Draft", "INBOX.Drafts", "INBOX/Drafts", "[Gmail]/Drafts", "Entwürfe", "Brouillons", "Borradores"),
    "sent": ("Sent", "Sent Items", "Sent Messages", "Sent Mail", "INBOX.Sent", "INBOX/Sent", "[Gmail]/Sent Mail", "Gesendet", "Gesendete Objekte", "Envoyés", "Enviados"),
}  # fmt: skip
SPECIAL_USE = {"drafts": b"\\Drafts", "sent": b"\\Sent"}


class ImapSession:
    """One logged-in IMAP connection."""

    def __init__(self, client: imapclient.IMAPClient, where: str, timeout: float) -> None:
        self.client = client
        self.where = where
        self.timeout = timeout
        self.capabilities: frozenset[str] = frozenset()
        self.selected: FolderState | None = None
        self.readonly = True
        self.broken = False

    @classmethod
    def connect(cls, server: Server, secret: str, *, oauth2: bool = False) -> ImapSession:
        """Connect, secure and log in; raises MailboxUnavailable, TlsError or AuthenticationFailed."""
        where = f"IMAP {server.host}:{server.port}"
        with _mapped(where):
            client = _open(server)
            session = cls(client, where, server.timeout)
            try:
                _tune(client.socket())
                session._login(server.username or "", secret, oauth2)
            except BaseException:
                _close_quietly(client)
                raise
        return session

    def _login(self, username: str, secret: str, oauth2: bool) -> None:
        if oauth2:
            self._oauth2_login(username, secret)
        else:
            try:
                self.client.login(username, secret)
            except imap_errors.LoginError as exc:
                raise AuthenticationFailed(
                    f"{self.where}: authentication failed for {username}"
                ) from exc
        self.capabilities = frozenset(c.decode().upper() for c in self.client.capabilities())
        if "ID" in self.capabilities:
            self.client.id_({"name": "followthru", "version": __version__})
        if {"ENABLE", "CONDSTORE"} <= self.capabilities:
            self.client.enable("CONDSTORE")  # so that SELECT reports HIGHESTMODSEQ

    def _oauth2_login(self, username: str, token: str) -> None:
        """AUTHENTICATE XOAUTH2 through sasl_login, so that the server's JSON error (Gmail
        sends one before its NO) is kept and said in words (adapters/oauth2.py)."""
        exchange = Xoauth2Exchange(username, token)
        try:
            self.client.sasl_login("XOAUTH2", exchange)
        except imap_errors.LoginError as exc:
            why = describe_refusal(exchange.error, username)
            raise AuthenticationFailed(
                f"{self.where}: XOAUTH2 refused for {username}: {why}"
            ) from exc

    @property
    def can_idle(self) -> bool:
        return "IDLE" in self.capabilities

    @contextmanager
    def _guard(self, *, always_fatal: bool = False) -> Iterator[None]:
        """_mapped, and mark the session broken unless the error was a plain NO/BAD reply
        (after which the connection is still fine), or whatever it was if `always_fatal`."""
        try:
            with _mapped(self.where):
                yield
        except FollowthruError as exc:
            self.broken = self.broken or always_fatal or not _refused(exc)
            busy = _busy(exc) if not self.broken else None
            if busy is not None:
                raise ServerBusy(str(exc), busy) from exc.__cause__
            raise

    def find_folders(self, wanted: Folders) -> FolderMap:
        """Drafts and Sent by SPECIAL-USE, then common names; a configured name wins if it exists."""
        with self._guard():
            listing = [
                (tuple(flags), str(name)) for flags, _delim, name in self.client.list_folders()
            ]
        names = {name for _flags, name in listing}
        return FolderMap(
            inbox=self._pick("inbox", wanted.inbox, listing, names),
            drafts=self._pick("drafts", wanted.drafts, listing, names),
            sent=self._pick("sent", wanted.sent, listing, names),
        )

    def _pick(self, role: str, configured: str, listing: list[tuple[tuple[Any, ...], str]],
              names: set[str]) -> FolderChoice:  # fmt: skip
        if configured != "auto":
            if configured in names or configured.upper() == "INBOX":
                return FolderChoice(configured, "configured")
            raise MailboxUnavailable(
                f"{self.where}: the configured {role} folder {configured!r} does not exist"
            )
        flag = SPECIAL_USE[role]
        for flags, name in listing:
            if flag in flags:
                return FolderChoice(name, f"SPECIAL-USE {flag.decode()}")
        lowered = {n.lower(): n for n in names}
        for candidate in COMMON_NAMES[role]:
            if candidate.lower() in lowered:
                return FolderChoice(lowered[candidate.lower()], "common name")
        raise MailboxUnavailable(
            f"{self.where}: no {role} folder found (none marked {flag.decode()}, none of the usual names); "
            f"set accounts[].folders.{role} in the config"
        )

    # --- reading -------------------------------------------------------------------

    def select(self, folder: str, *, readonly: bool = True) -> FolderState:
        """EXAMINE (or, with readonly=False, SELECT) `folder`; searches and fetches act on it."""
        self.selected = None  # a failed SELECT leaves no folder selected (RFC 3501 6.3.1)
        with self._guard():
            reply = self.client.select_folder(folder, readonly=readonly)
        self.selected, self.readonly = folder_state(folder, reply, b"EXISTS"), readonly
        return self.selected

    def status(self, folder: str) -> FolderState:
        """STATUS: the cheap check of a folder that is not selected."""
        items = ["UIDVALIDITY", "UIDNEXT", "MESSAGES"]
        if "CONDSTORE" in self.capabilities:
            items.append("HIGHESTMODSEQ")
        with self._guard():
            reply = self.client.folder_status(folder, items)
        return folder_state(folder, reply, b"MESSAGES")

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above `last_uid` in the selected folder, ascending (the catch-up search).
        `UID SEARCH UID n:*` always matches the highest UID, even below n: filtered out."""
        return [uid for uid in self._search([], first=last_uid + 1) if uid > last_uid]

    def uids_since(self, day: date) -> list[int]:
        """UIDs of messages that arrived on or after `day` (server's INTERNALDATE): backfill."""
        return self._search(["SINCE", day], first=1)

    def _search(self, criteria: list[Any], first: int) -> list[int]:
        uidnext = self.selected.uidnext if self.selected else None
        found: set[int] = set()
        for window in windows(first, uidnext):
            with self._guard():
                found.update(self.client.search(["UID", window, *criteria]))
        return sorted(found)

    def fetch_headers(
        self, uids: Sequence[int], batch: int = FETCH_BATCH
    ) -> Iterator[HeaderRecord]:
        """HeaderRecords for `uids` of the selected folder, `batch` per FETCH, streamed.

        Messages expunged meanwhile are skipped. Never sets \\Seen (BODY.PEEK).
        """
        for chunk in chunks(uids, batch):
            yield from self.fetch_header_batch(chunk)

    def fetch_header_batch(self, uids: Sequence[int]) -> list[HeaderRecord]:
        """One FETCH of HeaderRecords (fetch_headers without the batching)."""
        items = ["FLAGS", "INTERNALDATE", "RFC822.SIZE", HEADER_ITEM]
        if "X-GM-EXT-1" in self.capabilities:
            items += ["X-GM-MSGID", "X-GM-THRID"]
        wanted = [int(uid) for uid in uids]
        with self._guard():
            reply = self.client.fetch(wanted, items)
        return [header_record(uid, reply[uid]) for uid in wanted if uid in reply]

    def fetch_message(self, uid: int, max_bytes: int) -> bytes | None:
        """The first `max_bytes` of the whole message (BODY.PEEK[]<0.n>), None if it is gone."""
        return self.fetch_messages([uid], max_bytes).get(uid)

    def fetch_messages(self, uids: Sequence[int], max_bytes: int) -> dict[int, bytes]:
        """fetch_message for several messages in one FETCH: UID -> bytes, those gone left out."""
        wanted = [int(uid) for uid in uids]
        if not wanted:
            return {}
        with self._guard():
            reply = self.client.fetch(wanted, [f"BODY.PEEK[]<0.{int(max_bytes)}>"])
        found = {uid: _body(reply.get(uid, {})) for uid in wanted}
        return {uid: body for uid, body in found.items() if body is not None}

    def flags(self, uids: Sequence[int]) -> dict[int, frozenset[str]]:
        """Current flags of `uids` in the selected folder (\\Recent left out)."""
        out: dict[int, frozenset[str]] = {}
        for chunk in chunks(uids, FETCH_BATCH):
            with self._guard():
                reply = self.client.get_flags([int(uid) for uid in chunk])
            out.update((uid, flag_set(flags)) for uid, flags in reply.items())
        return out

    # --- watching ------------------------------------------------------------------

    def idle_wait(self, timeout: float, *, done_timeout: float | None = None) -> IdleResult:
        """IDLE on the selected folder until a change (EXISTS, EXPUNGE, FETCH, RECENT) or
        `timeout` seconds, then DONE, whose reply must come within `done_timeout` (default:
        the read timeout). A `* BYE`, an EOF or a silent server raises MailboxUnavailable.
        Without IDLE, returns at once with supported=False: the caller polls instead.
        """
        if not self.can_idle:
            return IdleResult(supported=False)
        deadline = time.monotonic() + timeout
        with self._guard(always_fatal=True):  # the server may still be IDLE: start afresh
            while True:
                self.client.idle()
                readable = self._wait_readable(deadline)
                events = self._idle_done(done_timeout or self.timeout)
                if events or not readable or time.monotonic() >= deadline:
                    return IdleResult(events=tuple(events))
                # Only a keep-alive (`* OK Still here`): idle again for the time left.

    def _wait_readable(self, deadline: float) -> bool:
        """Wait until the server says something or the deadline passes; read nothing.

        The responses are read by DONE on a blocking socket: imapclient's own idle_check
        reads a non-blocking socket and fails on a response split across TCP segments.
        """
        sock = self.client.socket()
        if isinstance(sock, ssl.SSLSocket) and sock.pending():
            return True  # already decrypted and waiting: poll() would not see it
        poller = select.poll()
        poller.register(sock.fileno(), select.POLLIN | select.POLLPRI)
        remaining = max(0.0, deadline - time.monotonic())
        return bool(poller.poll(remaining * 1000))

    def _idle_done(self, timeout: float) -> list[tuple[int, str]]:
        sock = self.client.socket()
        sock.settimeout(timeout)
        try:
            _text, responses = self.client.idle_done()
        finally:
            with suppress(OSError):
                sock.settimeout(self.timeout)
        return self._idle_events(responses)

    def _idle_events(self, responses: list[tuple[Any, ...]]) -> list[tuple[int, str]]:
        events = []
        for item in responses:
            if item and item[0] == b"BYE":
                said = b" ".join(x for x in item[1:] if isinstance(x, bytes)).decode(
                    errors="replace"
                )
                raise MailboxUnavailable(f"{self.where}: the server ended the session: {said}")
            if len(item) > 1 and isinstance(item[0], int) and item[1] in CHANGES:
                events.append((item[0], item[1].decode()))
        return events

    # --- writing (the daemon's own messages only) ----------------------------------

    def append(self, folder: str, raw: bytes, flags: Sequence[str] = (),
               msg_time: datetime | None = None) -> int | None:  # fmt: skip
        """APPEND `raw` to `folder`; returns its UID, or None when it cannot be known.

        With UIDPLUS the UID is read from the APPENDUID reply. Without it, the message's own
        Message-ID (the daemon gives every draft a unique one) is searched for with
        `UID SEARCH UID <uidnext>:* HEADER Message-ID <id>`, where <uidnext> is the folder's
        UIDNEXT from a STATUS just before the APPEND: only the new messages are scanned,
        never the whole folder. The selection in force before is restored afterwards.
        """
        if "UIDPLUS" in self.capabilities:
            reply = self._append(folder, raw, flags, msg_time)
            match = _APPENDUID.search(reply)
            return int(match.group(1)) if match else None
        before = self.status(folder).uidnext or 1
        self._append(folder, raw, flags, msg_time)
        message_id = parse_headers(header_block(raw)).message_id
        if not message_id:
            return None
        with self._visiting(folder, readonly=True), self._guard():
            found = self.client.search(["UID", f"{before}:*", "HEADER", "Message-ID", message_id])
        return max((uid for uid in found if uid >= before), default=None)

    def _append(
        self, folder: str, raw: bytes, flags: Sequence[str], msg_time: datetime | None
    ) -> bytes:
        with self._guard():
            reply = self.client.append(folder, raw, flags=list(flags), msg_time=msg_time)
        return reply if isinstance(reply, bytes) else str(reply).encode()

    def remove_own(self, folder: str, uids: Sequence[int]) -> bool:
        """Delete messages the daemon itself put in `folder` (its drafts); the caller vouches
        for `uids`. \\Deleted, then UID EXPUNGE of exactly those UIDs when the server has
        UIDPLUS (returns True). Without UIDPLUS they are only marked \\Deleted (returns False):
        a plain EXPUNGE would also purge mail the user marked deleted. Restores the selection.
        """
        wanted = [int(uid) for uid in uids]
        if not wanted:
            return True
        expunge = "UIDPLUS" in self.capabilities
        with self._visiting(folder, readonly=False), self._guard():
            self.client.add_flags(wanted, [imapclient.DELETED], silent=True)
            if expunge:
                self.client.uid_expunge(wanted)
        return expunge

    def unflag(self, folder: str, uid: int) -> None:
        """Take the \\Flagged flag off one message in `folder`: a draft of ours (or the user's
        version of one) whose approval by flag was refused, so that it no longer looks
        approved. The caller vouches for `uid`. Restores the selection."""
        with self._visiting(folder, readonly=False), self._guard():
            self.client.remove_flags([int(uid)], [imapclient.FLAGGED], silent=True)

    @contextmanager
    def _visiting(self, folder: str, *, readonly: bool) -> Iterator[None]:
        """Select `folder` for a block, then go back to the folder selected before, if any."""
        previous, was_readonly = self.selected, self.readonly
        self.select(folder, readonly=readonly)
        yield
        if previous is not None:
            self.select(previous.folder, readonly=was_readonly)

    # --- ending --------------------------------------------------------------------

    def interrupt(self) -> None:
        """From any thread: shut the socket down, so that a call blocked on it (an IDLE)
        fails at once. The session is broken afterwards."""
        self.broken = True
        with suppress(OSError):
            # The plain socket's shutdown, not SSLSocket's, which would tear the TLS object
            # from under the thread that is reading it.
            socket.socket.shutdown(self.client.socket(), socket.SHUT_RDWR)

    def logout(self) -> None:
        """LOGOUT, or just close the socket when the session is broken or LOGOUT fails."""
        if not self.broken:
            try:
                with _mapped(self.where):
                    self.client.logout()
                return
            except FollowthruError:
                pass
        with suppress(OSError, imaplib.IMAP4.error):
            self.client.shutdown()


def _body(data: dict[bytes, Any]) -> bytes | None:
    body = next((v for k, v in data.items() if k.startswith(b"BODY[]")), None)
    return body if isinstance(body, bytes) else None


def _open(server: Server) -> imapclient.IMAPClient:
    context = client_context(server.cafile)
    if server.tls == "implicit":
        client = imapclient.IMAPClient(
            server.host, server.port, ssl=True, ssl_context=context, timeout=server.timeout
        )
    else:
        client = imapclient.IMAPClient(server.host, server.port, ssl=False, timeout=server.timeout)
        if server.tls == "starttls":
            _require_starttls(client, context, f"IMAP {server.host}:{server.port}")
    client.normalise_times = False  # aware INTERNALDATEs, not naive local time
    return client


def _require_starttls(client: imapclient.IMAPClient, context: ssl.SSLContext, where: str) -> None:
    """STARTTLS is required, never opportunistic (nostarttls.secvuln.info)."""
    try:
        if client.welcome.upper().startswith(b"* PREAUTH"):
            raise TlsError(
                f"{where}: the server greeted with PREAUTH before TLS; refusing to go on in plain text"
            )
        if not client.has_capability("STARTTLS"):
            raise TlsError(
                f"{where}: the server does not offer STARTTLS; refusing to go on in plain text"
            )
        client.starttls(context)
    except BaseException:
        _close_quietly(client)
        raise


def _close_quietly(client: imapclient.IMAPClient) -> None:
    """Drop a connection that failed to set up; its own error is the one worth reporting
    (after a failed TLS handshake the socket is already closed and shutdown() says EBADF)."""
    with suppress(OSError, imaplib.IMAP4.error):
        client.shutdown()


def _tune(sock: socket.socket) -> None:
    """TCP keepalive, so that a NAT or firewall that forgets an idle connection is noticed;
    TCP_NODELAY, because imapclient writes one command in pieces (the line, then CRLF or a
    literal) and Nagle plus delayed ACK then stalls each command ~40 ms (seen with pymap)."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for name, value in _KEEPALIVE:
        if hasattr(socket, name):  # Linux names; other systems keep their defaults
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)


def _busy(exc: FollowthruError) -> float | None:
    """Seconds to wait when a NO asks for it: Exchange Online's throttling ("Request is
    throttled. Suggested Backoff Time: 289 milliseconds", imapsync's FAQ.Exchange.txt) and
    RFC 5530's [UNAVAILABLE] / [THROTTLED]-style codes; None for any other refusal."""
    text = str(exc.__cause__ or exc)
    hint = _BACKOFF.search(text)
    if hint:
        return int(hint.group(1)) / 1000
    if _BUSY.search(text):
        return DEFAULT_BUSY_WAIT
    return None


def _refused(exc: FollowthruError) -> bool:
    """The server answered NO or BAD to a command; the stream itself is intact."""
    cause = exc.__cause__
    broken_stream = (imaplib.IMAP4.abort, imap_errors.ProtocolError)
    return isinstance(cause, imaplib.IMAP4.error) and not isinstance(cause, broken_stream)


@contextmanager
def _mapped(where: str) -> Iterator[None]:
    """Translate imapclient, imaplib, ssl and socket errors into errors.py."""
    try:
        yield
    except ssl.SSLCertVerificationError as exc:
        raise TlsError(f"{where}: {describe_tls_failure(exc)}") from exc
    except ssl.SSLError as exc:  # a failing connection, not a configuration: retried
        raise MailboxUnavailable(
            f"{where}: connection failed ({describe_tls_failure(exc)})"
        ) from exc
    except (socket.gaierror, ConnectionRefusedError) as exc:
        raise MailboxUnavailable(f"{where}: host unreachable ({exc.strerror or exc})") from exc
    except TimeoutError as exc:
        raise MailboxUnavailable(f"{where}: timed out") from exc
    except (OSError, EOFError) as exc:
        raise MailboxUnavailable(f"{where}: connection failed ({exc})") from exc
    except imaplib.IMAP4.abort as exc:  # EOF, BYE, a garbled line: the session is over
        raise MailboxUnavailable(f"{where}: connection lost ({exc})") from exc
    except (imap_errors.IMAPClientError, imaplib.IMAP4.error) as exc:
        raise MailboxUnavailable(f"{where}: the server said: {exc}{_hint(str(exc))}") from exc


def _hint(said: str) -> str:
    """What a provider's cryptic refusal means, when it is a well-known one."""
    if "authenticated but not connected" in said.lower():
        return (
            " (Microsoft 365 says this when the token belongs to another account than the "
            "username, or the mailbox has no IMAP access: check both)"
        )
    return ""
