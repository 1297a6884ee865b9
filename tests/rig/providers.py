"""Provider personalities: Gmail and Microsoft 365 as they behave, on loopback.

Nothing here can reach the real providers, so their documented behaviour is rebuilt from
three pieces, each cheap and real enough for what followthru does with a mailbox:

- a Dovecot per personality (tests/rig/dovecot.py) whose folders carry the provider's names
  and SPECIAL-USE attributes and whose hierarchy separator is "/";
- `ProviderImapProxy`, a FaultProxy that reads IMAP (lines and literals) and rewrites what
  Dovecot says into what the provider says (capabilities, X-GM-* items, PERMANENTFLAGS) and
  answers some commands itself (refused keywords, throttling, XOAUTH2 refusals);
- an SMTP `on_accept` hook (tests/rig/smtpd.py) that files each message the server received
  in the account's Sent folder, as both providers do.

`PERSONALITIES` lists each behaviour with the document it comes from. The `provider` fixture
(tests/conftest.py) runs a test once per personality: `plain` (the textbook Dovecot of the
other tests), `gmail` and `m365` (`gmail_en`, Gmail with English folder names, only where a
test asks for it with indirect parametrisation).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.rig import SPECIAL_USE_NAMES, ImapAccount
from tests.rig.proxy import FaultProxy, _Pair
from tests.rig.smtpd import SmtpServer, start_smtpd
from tests.rig.tls import TlsRig

_LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")
_CAPABILITY = re.compile(rb"(\[CAPABILITY |\* CAPABILITY )([^\]\r]*)")
_X_GUID = re.compile(rb'X-GUID "?([^\s)"]+)"?')
_GM_ITEMS = re.compile(rb"\s*X-GM-(?:MSGID|THRID|LABELS)", re.I)
_COMMAND = re.compile(rb"^(\S+) (?:UID )?(\S+)", re.I)
_FLAG_LIST = re.compile(
    rb'^\S+ (?:(?:UID )?STORE \S+ [+-]?FLAGS(?:\.SILENT)? |APPEND (?:"[^"]*"|\S+) )\(([^)]*)\)',
    re.I,
)
_MAILBOX_VERBS = frozenset(
    b"LIST LSUB SELECT EXAMINE STATUS SEARCH FETCH APPEND STORE IDLE EXPUNGE COPY".split()
)

# Gmail: folder names as a German account shows them. Only SPECIAL-USE finds them: none is a
# common English name (developers.google.com/gmail/imap/imap-extensions, "Special-Use
# Extension of the LIST command"; localised names: support.google.com/mail/answer/78892 and
# the [Google Mail] prefix of German accounts, MailCore/mailcore2#434).
GMAIL_FOLDERS = {
    "\\Drafts": "[Google Mail]/Entwürfe",
    "\\Sent": "[Google Mail]/Gesendet",
    "\\All": "[Google Mail]/Alle Nachrichten",
    "\\Flagged": "[Google Mail]/Markiert",
    "\\Junk": "[Google Mail]/Spam",
    "\\Trash": "[Google Mail]/Papierkorb",
}
GMAIL_ENGLISH_FOLDERS = {
    "\\Drafts": "[Gmail]/Drafts",
    "\\Sent": "[Gmail]/Sent Mail",
    "\\All": "[Gmail]/All Mail",
    "\\Flagged": "[Gmail]/Starred",
    "\\Junk": "[Gmail]/Spam",
    "\\Trash": "[Gmail]/Trash",
}
# Microsoft 365: learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/
# pop3-and-imap4/pop3-and-imap4 (the default folders of an Exchange mailbox); Exchange marks
# them with SPECIAL-USE attributes in LIST.
M365_FOLDERS = {
    "\\Drafts": "Drafts",
    "\\Sent": "Sent Items",
    "\\Trash": "Deleted Items",
    "\\Junk": "Junk Email",
    "\\Archive": "Archive",
}
# What Exchange Online advertises after login (a capture in mjs/imapclient#349 and the
# Microsoft IMAP docs): no CONDSTORE, no ENABLE, no MOVE, no SPECIAL-USE capability.
M365_CAPABILITIES = frozenset(
    b"IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT CHILDREN IDLE "
    b"NAMESPACE LITERAL+ STARTTLS LOGINDISABLED".upper().split()
)
# Exchange's throttling answer, with its retry hint ("Request is throttled. Suggested Backoff
# Time: N milliseconds", quoted in imapsync's FAQ.Exchange and Microsoft's throttling docs,
# learn.microsoft.com/exchange/client-developer/exchange-web-services/ews-throttling-in-exchange).
M365_THROTTLED = b"NO Request is throttled. Suggested Backoff Time: 200 milliseconds"
# Gmail's XOAUTH2 error challenge (developers.google.com/gmail/imap/xoauth2-protocol).
GMAIL_TOKEN_EXPIRED = {"status": "401", "schemes": "bearer", "scope": "https://mail.google.com/"}


@dataclass(frozen=True, slots=True)
class Personality:
    """How one provider behaves, as far as the rig reproduces it.

    Attributes:
        name: "plain", "gmail" or "m365".
        folders: SPECIAL-USE attribute -> folder name.
        separator: the hierarchy separator ("" = Dovecot's default).
        gmail_extensions: X-GM-EXT-1 advertised; X-GM-MSGID/-THRID/-LABELS answered.
        capabilities: when set, the only capabilities advertised (Dovecot's intersected).
        keywords: custom keywords allowed (PERMANENTFLAGS has \\*); without, STORE or APPEND
            of a keyword gets NO, like Exchange.
        files_sent: the SMTP server files each message it received in Sent (Gmail:
            support.google.com/mail/answer/78892 "messages sent through SMTP are saved in
            Sent Mail"; Microsoft 365 does the same for authenticated SMTP submission,
            learn.microsoft.com/exchange/mail-flow-best-practices/how-to-set-up-a-multifunction-device-or-application-to-send-email-using-microsoft-365-or-office-365).
        labels: a received or sent message is also in the \\All folder (Gmail labels: one
            message, several folders; an EXPUNGE in INBOX removes the label only).
        smtp_port_style: "implicit" (Gmail's 465) or "starttls" (Microsoft's 587, STARTTLS
            and XOAUTH2 only: learn.microsoft.com/exchange/client-developer/legacy-protocols/
            how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth).
        smtp_mechanisms: the SASL mechanisms its SMTP server offers (Gmail: XOAUTH2, and
            PLAIN for app passwords; Microsoft: XOAUTH2 only, basic auth being retired for
            SMTP AUTH, research/reliability.md row 14).
        bye: what the server says when it ends an IDLE or a session (Gmail drops IDLE after
            about ten minutes, NotiMail#4; Office 365 ends sessions, mjs/imapclient#349).
    """

    name: str
    folders: Mapping[str, str]
    separator: str = ""
    gmail_extensions: bool = False
    capabilities: frozenset[bytes] | None = None
    keywords: bool = True
    files_sent: bool = False
    labels: bool = False
    smtp_port_style: str = "none"
    smtp_mechanisms: tuple[str, ...] = ("PLAIN", "LOGIN")
    bye: str = "Logging out"


PERSONALITIES: Mapping[str, Personality] = {
    "plain": Personality("plain", SPECIAL_USE_NAMES),
    "gmail": Personality(
        "gmail", GMAIL_FOLDERS, separator="/", gmail_extensions=True, files_sent=True,
        labels=True, smtp_port_style="implicit", smtp_mechanisms=("PLAIN", "XOAUTH2"),
        bye="System Error: session timed out",
    ),
    # Only in the folder tests: the English names ([Gmail]/Sent Mail is also a common name).
    "gmail_en": Personality(
        "gmail_en", GMAIL_ENGLISH_FOLDERS, separator="/", gmail_extensions=True, files_sent=True,
        labels=True, smtp_port_style="implicit", smtp_mechanisms=("PLAIN", "XOAUTH2"),
        bye="System Error: session timed out",
    ),
    "m365": Personality(
        "m365", M365_FOLDERS, separator="/", capabilities=M365_CAPABILITIES, keywords=False,
        files_sent=True, smtp_port_style="starttls", smtp_mechanisms=("XOAUTH2",),
        bye="Connection closed. 14",
    ),
}  # fmt: skip


@dataclass
class _Conversation:
    """What the proxy knows about one relayed IMAP connection."""

    literal: dict[bool, int] = field(default_factory=lambda: {True: 0, False: 0})
    partial: dict[bool, bytes] = field(default_factory=lambda: {True: b"", False: b""})
    auth_tag: bytes | None = None  # an XOAUTH2 exchange the proxy answers itself
    auth_step: int = 0


class ProviderImapProxy(FaultProxy):
    """A FaultProxy in front of a personality's Dovecot that speaks like the provider.

    Knobs for tests (each takes effect at once, for every connection):
        throttle(times): answer the next `times` SELECT/EXAMINE/STATUS/SEARCH/FETCH with
            Exchange's "Request is throttled" NO (the command never reaches Dovecot).
        refuse_tokens(error): answer every AUTHENTICATE XOAUTH2 with a refusal, Gmail-style
            (a base64 JSON challenge, then NO) when `error` is a dict, M365-style (a bare NO)
            when it is None. `accept_tokens()` ends it.
        inject_bye() (from FaultProxy) with `personality.bye` ends sessions as they do.
    """

    def __init__(self, personality: Personality, upstream_host: str, upstream_port: int) -> None:
        self.personality = personality
        self._conversations: dict[int, _Conversation] = {}
        self._throttles = 0
        self.throttled = 0  # how many commands got the throttling answer
        self._token_error: dict[str, str] | bool | None = False  # False: tokens go to Dovecot
        self._not_connected = False
        super().__init__(upstream_host, upstream_port)

    def throttle(self, times: int = 1) -> None:
        self._run(lambda: setattr(self, "_throttles", times))

    def refuse_tokens(self, error: dict[str, str] | None) -> None:
        self._run(lambda: setattr(self, "_token_error", error))

    def accept_tokens(self) -> None:
        self._run(lambda: setattr(self, "_token_error", False))

    def not_connected(self) -> None:
        """Exchange's answer when a token is for another account than the login (or the
        mailbox has no IMAP access): the login succeeds, then every mailbox command gets
        `NO User is authenticated but not connected.` (a staple of Microsoft Q&A and of
        client trackers about Office 365 OAuth2)."""
        self._run(lambda: setattr(self, "_not_connected", True))

    # --- the proxy thread -------------------------------------------------------------

    def _forget(self, pair: _Pair) -> None:
        self._conversations.pop(id(pair), None)

    def _translate(self, pair: _Pair, from_client: bool, data: bytes) -> tuple[bytes, bytes]:
        talk = self._conversations.setdefault(id(pair), _Conversation())
        forward, answer = bytearray(), bytearray()
        for unit, is_line in self._units(talk, from_client, data):
            if not is_line:
                forward += unit
            elif from_client:
                passed, said = self._from_client(talk, unit)
                forward += passed
                answer += said
            else:
                forward += self._from_server(unit)
        return bytes(forward), bytes(answer)

    def _units(self, talk: _Conversation, side: bool, data: bytes) -> list[tuple[bytes, bool]]:
        """Split a direction's bytes into whole lines and literal bytes (passed untouched);
        an incomplete line waits for the next read."""
        units: list[tuple[bytes, bool]] = []
        buffer = talk.partial[side] + data
        while buffer:
            if talk.literal[side]:
                take = buffer[: talk.literal[side]]
                talk.literal[side] -= len(take)
                units.append((take, False))
                buffer = buffer[len(take) :]
                continue
            end = buffer.find(b"\r\n")
            if end < 0:
                break
            line, buffer = buffer[: end + 2], buffer[end + 2 :]
            match = _LITERAL.search(line)
            talk.literal[side] = int(match.group(1)) if match else 0
            units.append((line, True))
        talk.partial[side] = buffer
        return units

    def _from_client(self, talk: _Conversation, line: bytes) -> tuple[bytes, bytes]:
        if talk.auth_tag is not None:
            return b"", self._auth_step(talk)
        match = _COMMAND.match(line)
        tag, verb = (match.group(1), match.group(2).upper()) if match else (b"", b"")
        if (
            verb == b"AUTHENTICATE"
            and b"XOAUTH2" in line.upper()
            and self._token_error is not False
        ):
            talk.auth_tag, talk.auth_step = (
                tag,
                0 if line.rstrip().upper().endswith(b"XOAUTH2") else 1,
            )
            return b"", self._auth_step(talk)
        if self._not_connected and verb in _MAILBOX_VERBS:
            return b"", tag + b" NO User is authenticated but not connected.\r\n"
        if self._throttles and verb in {b"SELECT", b"EXAMINE", b"STATUS", b"SEARCH", b"FETCH"}:
            self._throttles -= 1
            self.throttled += 1
            return b"", tag + b" " + M365_THROTTLED + b"\r\n"
        if not self.personality.keywords and _has_keyword(line):
            # Exchange keeps no custom keywords (PERMANENTFLAGS without \*).
            return b"", tag + b" NO [CANNOT] Keywords are not supported\r\n"
        if self.personality.gmail_extensions and verb == b"FETCH" and _GM_ITEMS.search(line):
            line = _GM_ITEMS.sub(b"", line, count=1).replace(b"(", b"(X-GUID ", 1)
            line = _GM_ITEMS.sub(b"", line)
        return line, b""

    def _auth_step(self, talk: _Conversation) -> bytes:
        """The refusal: `+ ` for the client's string, then the error challenge (Gmail) and
        NO after the client's empty line, or NO at once (Microsoft)."""
        talk.auth_step += 1
        if talk.auth_step == 1:
            return b"+ \r\n"
        error = self._token_error
        if talk.auth_step == 2 and isinstance(error, dict):
            return b"+ " + base64.b64encode(json.dumps(error).encode()) + b"\r\n"
        tag, talk.auth_tag = talk.auth_tag or b"*", None
        if isinstance(error, dict):
            return tag + b" NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n"
        return tag + b" NO AUTHENTICATE failed.\r\n"

    def _from_server(self, line: bytes) -> bytes:
        line = _CAPABILITY.sub(self._capabilities, line)
        if self.personality.gmail_extensions:
            line = _X_GUID.sub(_gmail_ids, line)
        if not self.personality.keywords and b"[PERMANENTFLAGS" in line:
            line = line.replace(b" \\*)", b")")
        return line

    def _capabilities(self, match: re.Match[bytes]) -> bytes:
        words = match.group(2).split()
        if self.personality.capabilities is not None:
            words = [w for w in words if w.upper() in self.personality.capabilities]
        if self.personality.gmail_extensions:
            words.append(b"X-GM-EXT-1")
        return match.group(1) + b" ".join(words)


def _has_keyword(line: bytes) -> bool:
    """A STORE or APPEND whose flag list holds a keyword (a flag without a backslash)."""
    match = _FLAG_LIST.match(line)
    return bool(match) and any(not f.startswith(b"\\") for f in match.group(1).split())


def _gmail_ids(match: re.Match[bytes]) -> bytes:
    """X-GM-MSGID and X-GM-THRID from Dovecot's message GUID: one number per message, the
    same in every folder it is in (developers.google.com/gmail/imap/imap-extensions)."""
    number = int.from_bytes(hashlib.sha1(match.group(1)).digest()[:7], "big")  # noqa: S324
    return b"X-GM-MSGID %d X-GM-THRID %d" % (number, number)


@dataclass
class Provider:
    """One personality, running: the mailbox, what followthru talks to, and the SMTP server.

    Attributes:
        personality: what it reproduces.
        mailbox: the account on the personality's Dovecot, reached directly: the rig's own
            hands (seeding, looking), never seen through the provider's rewriting.
        served: the same login as followthru reaches it (through `proxy`, or `mailbox`).
        proxy: the ProviderImapProxy (None for "plain").
        smtpd: the personality's SMTP server (files what it receives when `files_sent`).
    """

    personality: Personality
    mailbox: ImapAccount
    served: ImapAccount
    proxy: ProviderImapProxy | None
    smtpd: SmtpServer

    @property
    def name(self) -> str:
        return self.personality.name

    def folder(self, use: str) -> str:
        """The folder name for a SPECIAL-USE attribute, e.g. folder("\\Sent")."""
        return self.personality.folders[use]

    def receive(self, raw: bytes) -> int:
        """A message arrives: in INBOX, and with labels in \\All too (the same message)."""
        return self._file("INBOX", raw, ())

    def file_sent(self, raw: bytes) -> None:
        """The provider filing what its SMTP server received (the smtpd's on_accept)."""
        self._file(self.folder("\\Sent"), raw, (b"\\Seen",))

    def copies(self, folder: str, message_id: str) -> int:
        """How many messages in `folder` carry `message_id` (deleted ones not counted)."""
        with self.mailbox.session() as client:
            client.select_folder(folder, readonly=True)
            return len(client.search(["HEADER", "Message-ID", message_id, "NOT", "DELETED"]))

    def _file(self, folder: str, raw: bytes, flags: tuple[bytes, ...]) -> int:
        uid = self.mailbox.append(folder, raw, flags=list(flags))
        assert uid is not None
        if self.personality.labels:  # a COPY keeps the message (and its X-GM-MSGID) one
            with self.mailbox.session() as client:
                client.select_folder(folder)
                client.copy([uid], self.folder("\\All"))
        return uid


def account_behind(account: ImapAccount, proxy: FaultProxy) -> ImapAccount:
    """The same login, reached through `proxy` (what followthru's config points at)."""
    return ImapAccount(
        kind=f"{account.kind}+proxy", host=proxy.host, port=proxy.port,
        username=account.username, password=account.password, tls_port=None, cafile=None,
        special_use=account.special_use, advertises_special_use=account.advertises_special_use,
        idle_delay=account.idle_delay,
    )  # fmt: skip


def followthru_account(provider: Provider, secrets_dir: Path, cafile: Path) -> dict[str, Any]:
    """The config's `accounts[0]` for `provider`: the plain rig logs in with passwords from
    credentials; Gmail and Microsoft 365 take XOAUTH2 tokens from an oauth2_token_command
    for IMAP and SMTP (Dovecot takes the password as the token)."""
    smtpd, imap = provider.smtpd, provider.served
    (secrets_dir / "imap").write_text(imap.password)
    (secrets_dir / "smtp").write_text(smtpd.password)
    (secrets_dir / "imap-token").write_text(imap.password)
    (secrets_dir / "smtp-token").write_text(smtpd.xoauth2_token)
    imap_cfg: dict[str, Any] = {"host": imap.host, "port": imap.port, "tls": "none",
                                "username": imap.username, "timeout": "10s"}  # fmt: skip
    smtp_cfg: dict[str, Any] = {"host": smtpd.host, "port": smtpd.port, "tls": "none",
                                "username": smtpd.username}  # fmt: skip
    if provider.name == "plain":
        imap_cfg["credential"], smtp_cfg["credential"] = "imap", "smtp"
    else:
        imap_cfg["oauth2_token_command"] = f"cat {secrets_dir / 'imap-token'}"
        smtp_cfg["oauth2_token_command"] = f"cat {secrets_dir / 'smtp-token'}"
        smtp_cfg |= {"host": "localhost", "tls": provider.personality.smtp_port_style,
                     "cafile": str(cafile)}  # fmt: skip
    return {"name": "personal", "imap": imap_cfg, "smtp": smtp_cfg}


async def start_provider(personality: Personality, mailbox: ImapAccount, tls: TlsRig) -> Provider:
    """Put the personality in front of `mailbox` (an account on its own Dovecot); stop it
    with `stop_provider`."""
    proxy, served = None, mailbox
    if personality.name != "plain":  # (the proxy knows Gmail by its extensions, not its name)
        proxy = ProviderImapProxy(personality, mailbox.host, mailbox.port)
        served = account_behind(mailbox, proxy)
    if personality.smtp_port_style == "none":
        smtpd = await start_smtpd()
    else:
        smtpd = await start_smtpd(tls=personality.smtp_port_style,  # type: ignore[arg-type]
                                  cert=tls.localhost, cafile=tls.cafile,
                                  mechanisms=personality.smtp_mechanisms, require_login=True)  # fmt: skip
    provider = Provider(personality, mailbox, served, proxy, smtpd)
    if personality.files_sent:
        smtpd.handler.on_accept = provider.file_sent
    return provider


async def stop_provider(provider: Provider) -> None:
    await provider.smtpd.close()
    if provider.proxy is not None:
        provider.proxy.stop()
