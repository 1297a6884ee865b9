"""IMAP over imapclient: connect safely, log in, read capabilities, find the folders.

Invariants:
- TLS as configured and never less: implicit TLS, required STARTTLS (a server without it, or
  one that greets with PREAUTH before TLS, is refused), plain text only to loopback hosts.
- Library and socket errors leave this module only as errors.py types, chained.
- Blocking: every method runs on the caller's thread. The daemon gives each session its own
  single-thread executor (imapclient is not thread-safe).
"""

from __future__ import annotations

import imaplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import imapclient
from imapclient import exceptions as imap_errors

from .. import __version__
from ..config import Folders, Server
from ..errors import AuthenticationFailed, FollowthruError, MailboxUnavailable, TlsError
from .tls import client_context, describe_tls_failure

COMMON_NAMES = {
    "drafts": ("Drafts", "Draft", "INBOX.Drafts", "INBOX/Drafts", "[Gmail]/Drafts", "Entwürfe", "Brouillons", "Borradores"),
    "sent": ("Sent", "Sent Items", "Sent Messages", "Sent Mail", "INBOX.Sent", "INBOX/Sent", "[Gmail]/Sent Mail", "Gesendet", "Gesendete Objekte", "Envoyés", "Enviados"),
}  # fmt: skip
SPECIAL_USE = {"drafts": b"\\Drafts", "sent": b"\\Sent"}


@dataclass(frozen=True, slots=True)
class FolderChoice:
    name: str
    how: str  # "SPECIAL-USE \\Sent", "common name", "configured"


@dataclass(frozen=True, slots=True)
class FolderMap:
    inbox: FolderChoice
    drafts: FolderChoice
    sent: FolderChoice


class ImapSession:
    """One logged-in IMAP connection."""

    def __init__(self, client: imapclient.IMAPClient, where: str) -> None:
        self.client = client
        self.where = where
        self.capabilities: frozenset[str] = frozenset()

    @classmethod
    def connect(cls, server: Server, secret: str, *, oauth2: bool = False) -> ImapSession:
        """Connect, secure and log in; raises MailboxUnavailable, TlsError or AuthenticationFailed."""
        where = f"IMAP {server.host}:{server.port}"
        with _mapped(where):
            client = _open(server)
            session = cls(client, where)
            try:
                session._login(server.username or "", secret, oauth2)
            except BaseException:
                client.shutdown()
                raise
        return session

    def _login(self, username: str, secret: str, oauth2: bool) -> None:
        try:
            if oauth2:
                self.client.oauth2_login(username, secret)
            else:
                self.client.login(username, secret)
        except imap_errors.LoginError as exc:
            raise AuthenticationFailed(
                f"{self.where}: authentication failed for {username}"
            ) from exc
        self.capabilities = frozenset(c.decode().upper() for c in self.client.capabilities())
        if "ID" in self.capabilities:
            self.client.id_({"name": "followthru", "version": __version__})

    def find_folders(self, wanted: Folders) -> FolderMap:
        """Drafts and Sent by SPECIAL-USE, then common names; a configured name wins if it exists."""
        with _mapped(self.where):
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

    def logout(self) -> None:
        try:
            with _mapped(self.where):
                self.client.logout()
        except FollowthruError:
            self.client.shutdown()


def _open(server: Server) -> imapclient.IMAPClient:
    context = client_context(server.cafile)
    if server.tls == "implicit":
        return imapclient.IMAPClient(
            server.host, server.port, ssl=True, ssl_context=context, timeout=server.timeout
        )
    client = imapclient.IMAPClient(server.host, server.port, ssl=False, timeout=server.timeout)
    if server.tls == "starttls":
        _require_starttls(client, context, f"IMAP {server.host}:{server.port}")
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
        client.shutdown()
        raise


@contextmanager
def _mapped(where: str) -> Iterator[None]:
    """Translate imapclient, imaplib, ssl and socket errors into errors.py."""
    try:
        yield
    except ssl.SSLError as exc:
        raise TlsError(f"{where}: {describe_tls_failure(exc)}") from exc
    except (socket.gaierror, ConnectionRefusedError) as exc:
        raise MailboxUnavailable(f"{where}: host unreachable ({exc.strerror or exc})") from exc
    except TimeoutError as exc:
        raise MailboxUnavailable(f"{where}: timed out") from exc
    except (OSError, EOFError) as exc:
        raise MailboxUnavailable(f"{where}: connection failed ({exc})") from exc
    except (imap_errors.IMAPClientError, imaplib.IMAP4.error) as exc:
        raise MailboxUnavailable(f"{where}: the server said: {exc}") from exc
