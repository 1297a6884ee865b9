"""aiosmtpd in the test's own event loop: records every message and fails on request.

The server is aiosmtpd's `SMTP` protocol served by `loop.create_server` on 127.0.0.1
port 0 - no Controller thread - so scripted stalls and drops happen on the same loop as
the client under test, deterministically.

Script the next answers before the client sends (rules are consumed in the order added):

    smtpd.script.fail("RCPT", "450 4.2.0 Mailbox busy")          # next RCPT only
    smtpd.script.fail("MAIL", "421 4.3.0 Try later", times=None)  # every MAIL
    smtpd.script.fail("RCPT", "550 5.1.1 No such user", address="b@example.org")
    smtpd.script.fail("DATA", "554 5.7.1 Rejected")   # the reply after the final "."
    smtpd.script.drop_after_data()    # read the whole message, close before the 250
    smtpd.script.stall_after_data()   # read the whole message, never answer
    smtpd.script.stall("RCPT")        # never answer the next RCPT (or MAIL): before any data

A dropped or stalled message is still recorded (outcome "dropped" / "stalled"): the
server had it, the client never learned that - the ambiguous-delivery case.

AUTH: PLAIN and LOGIN against one user/password, allowed without TLS (loopback only);
`auth_attempts` lists each one as (mechanism, accepted). `smtpd.handler.auth_reply = "454 ..."`
makes every AUTH fail with that reply instead (a server that cannot check logins now).
XOAUTH2 is a handler method (`auth_XOAUTH2`), answering failures Google-style: a 334
with a base64 JSON error (`handler.xoauth2_error`), then 535 after the client's empty line.

`handler.on_accept = f` calls `f(data)` (in a thread) for every message whose data the
server read, before it answers: a provider that files sent mail itself
(tests/rig/providers.py).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import secrets
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.rig import LOOPBACK
from tests.rig.tls import CertFiles

Command = Literal["MAIL", "RCPT", "DATA"]
Action = Literal["reply", "drop", "stall"]
Outcome = Literal["accepted", "dropped", "stalled"]
TlsMode = Literal["none", "implicit", "starttls"]

ALL_MECHANISMS = frozenset({"PLAIN", "LOGIN", "XOAUTH2"})
_OUTCOMES: dict[Action, Outcome] = {"reply": "accepted", "drop": "dropped", "stall": "stalled"}


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    """One message whose DATA the server read completely."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    login: str | None
    tls: bool
    outcome: Outcome

    def parsed(self) -> EmailMessage:
        message = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(message, EmailMessage)
        return message


@dataclass(slots=True)
class _Rule:
    command: Command
    action: Action
    reply: str
    times: int | None
    address: str | None


@dataclass
class SmtpScript:
    """Answers to give instead of the default 250, consumed in the order they were added."""

    rules: list[_Rule] = field(default_factory=list)

    def fail(
        self, command: Command, reply: str, *, times: int | None = 1, address: str | None = None
    ) -> None:
        """Answer `reply` (4xx/5xx) to the next `times` MAIL/RCPT/DATA (None: forever).

        `address` limits a MAIL or RCPT rule to that address. A DATA rule answers after
        the final "." (aiosmtpd has no hook before the 354).
        """
        if reply[:1] not in {"4", "5"}:
            raise ValueError(f"a scripted failure needs a 4xx or 5xx reply, not {reply!r}")
        self.rules.append(_Rule(command, "reply", reply, times, address))

    def drop_after_data(self, *, times: int | None = 1) -> None:
        """Close the connection after reading the message, before answering it."""
        self.rules.append(_Rule("DATA", "drop", "", times, None))

    def stall_after_data(self, *, times: int | None = 1) -> None:
        """Read the message and never answer (until the client or the fixture hangs up)."""
        self.rules.append(_Rule("DATA", "stall", "", times, None))

    def stall(self, command: Literal["MAIL", "RCPT"], *, times: int | None = 1) -> None:
        """Never answer the next MAIL or RCPT (until the client or the fixture hangs up): a
        server stuck before the message data, so that nothing can have been delivered."""
        self.rules.append(_Rule(command, "stall", "", times, None))

    def take(self, command: Command, address: str | None = None) -> _Rule | None:
        for rule in self.rules:
            if rule.command == command and rule.address in {None, address}:
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times == 0:
                        self.rules.remove(rule)
                return rule
        return None


class RecordingHandler:
    """aiosmtpd handler hooks: record, obey the script, optionally require AUTH.

    (No attribute may start with `auth_`: aiosmtpd takes those for SASL mechanisms.)
    """

    def __init__(self, *, username: str, password: str, token: str, require_login: bool) -> None:
        self.username = username
        self.password = password
        self.token = token
        self.require_login = require_login
        self.script = SmtpScript()
        self.messages: list[ReceivedMessage] = []
        self.transcript: list[tuple[str, str]] = []
        self.auth_attempts: list[tuple[str, bool]] = []
        self.auth_reply: str | None = None
        self.xoauth2_error: dict[str, str] = {
            "status": "401", "schemes": "bearer", "scope": "https://mail.google.com/"
        }  # fmt: skip
        self.on_accept: Callable[[bytes], None] | None = None
        self.arrived = asyncio.Condition()

    async def handle_MAIL(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.require_login and not session.authenticated:
            return self._log(f"MAIL FROM:<{address}>", "530 5.7.0 Authentication required")
        rule = self.script.take("MAIL", address)
        if rule is not None and rule.action == "stall":
            await self._stall(f"MAIL FROM:<{address}>")
        if rule is not None:
            return self._log(f"MAIL FROM:<{address}>", rule.reply)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return self._log(f"MAIL FROM:<{address}>", "250 2.1.0 OK")

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        rule = self.script.take("RCPT", address)
        if rule is not None and rule.action == "stall":
            await self._stall(f"RCPT TO:<{address}>")
        if rule is not None:
            return self._log(f"RCPT TO:<{address}>", rule.reply)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return self._log(f"RCPT TO:<{address}>", "250 2.1.5 OK")

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        rule = self.script.take("DATA")
        if rule is not None and rule.action == "reply":
            return self._log("DATA", rule.reply)
        outcome: Outcome = "accepted" if rule is None else _OUTCOMES[rule.action]
        await self._record(server, session, envelope, outcome)
        if outcome == "accepted":
            return self._log("DATA", "250 2.0.0 Queued")
        if outcome == "dropped":
            assert server.transport is not None
            server.transport.close()
        self._log("DATA", f"({outcome}: no reply)")
        # Wait to be cancelled by connection_lost: returning would make aiosmtpd write
        # the reply (or fail writing it) on a connection we mean to be silent or gone.
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:  # noqa: N802
        blob = await _initial_response(server, args)
        if blob is None:
            return AuthResult(success=False, handled=True)
        fields = dict(part.split(b"=", 1) for part in blob.split(b"\x01") if b"=" in part)
        user, bearer = fields.get(b"user", b""), fields.get(b"auth", b"")
        if user == self.username.encode() and bearer == b"Bearer " + self.token.encode():
            return AuthResult(success=True, auth_data=LoginPassword(user, self.token.encode()))
        await server.challenge_auth(
            json.dumps(self.xoauth2_error)
        )  # the client answers with an empty line
        return AuthResult(success=False, handled=False)

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data == (
            self.username.encode(),
            self.password.encode(),
        )
        if self.auth_reply is not None:
            self.auth_attempts.append((mechanism, False))
            return AuthResult(success=False, handled=False, message=self.auth_reply)
        self.auth_attempts.append((mechanism, ok))
        return AuthResult(success=ok, handled=False, auth_data=data)

    async def wait_for(self, count: int) -> list[ReceivedMessage]:
        async with self.arrived:
            await self.arrived.wait_for(lambda: len(self.messages) >= count)
        return list(self.messages)

    async def _record(
        self, server: SMTP, session: Session, envelope: Envelope, outcome: Outcome
    ) -> None:
        content = envelope.content
        assert isinstance(content, bytes)
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        transport = server.transport
        tls = transport is not None and transport.get_extra_info("ssl_object") is not None
        message = ReceivedMessage(
            mail_from=str(envelope.mail_from),
            rcpt_tos=tuple(envelope.rcpt_tos),
            data=content,
            login=login,
            tls=tls,
            outcome=outcome,
        )
        if self.on_accept is not None:  # the provider files it (Sent) before it answers
            await asyncio.to_thread(self.on_accept, content)
        async with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()

    async def _stall(self, command: str) -> None:
        """Answer nothing, until connection_lost cancels the wait."""
        self._log(command, "(stalled: no reply)")
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    def _log(self, command: str, reply: str) -> str:
        self.transcript.append((command, reply))
        return reply


class _QuietSession(Session):
    """aiosmtpd itself sets the deprecated `login_data` on every AUTH, logging a warning
    each time; this keeps failed tests' logs about the test."""

    @property
    def login_data(self) -> Any:
        return self._login_data

    @login_data.setter
    def login_data(self, value: Any) -> None:
        self._login_data = value


class _TrackedSMTP(SMTP):
    """aiosmtpd's protocol, remembering live connections so close() can end them."""

    def __init__(self, handler: RecordingHandler, live: set[_TrackedSMTP], **options: Any) -> None:
        super().__init__(handler, **options)
        self._live = live

    def _create_session(self) -> Session:
        return _QuietSession(self.loop)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._live.add(self)

    def connection_lost(self, error: Exception | None) -> None:
        self._live.discard(self)
        super().connection_lost(error)


@dataclass
class SmtpServer:
    """A running recording SMTP server (see the module docstring for the script).

    Attributes:
        host, port: where to connect (127.0.0.1, an ephemeral port).
        tls: "none", "implicit" (TLS from the first byte) or "starttls" (required).
        cafile: the CA to trust, for the TLS variants.
        username, password: the AUTH PLAIN / LOGIN credentials.
        xoauth2_token: the bearer token XOAUTH2 accepts for `username`.
        mechanisms: the SASL mechanisms advertised.
        require_login: MAIL is refused with 530 until the client has authenticated.
    """

    tls: TlsMode = "none"
    cert: CertFiles | None = None
    cafile: Path | None = None
    mechanisms: frozenset[str] = frozenset({"PLAIN", "LOGIN"})
    require_login: bool = False
    username: str = "sender@example.org"
    password: str = field(default_factory=lambda: secrets.token_hex(12))
    xoauth2_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    host: str = LOOPBACK
    port: int = 0
    handler: RecordingHandler = field(init=False)
    _server: asyncio.Server | None = field(default=None, init=False, repr=False)
    _live: set[_TrackedSMTP] = field(default_factory=set, init=False, repr=False)

    @property
    def script(self) -> SmtpScript:
        return self.handler.script

    @property
    def messages(self) -> list[ReceivedMessage]:
        return self.handler.messages

    @property
    def transcript(self) -> list[tuple[str, str]]:
        """(command, reply) for every MAIL, RCPT and DATA, in order."""
        return self.handler.transcript

    @property
    def auth_attempts(self) -> list[tuple[str, bool]]:
        """(mechanism, accepted) for every AUTH PLAIN / LOGIN, in order."""
        return self.handler.auth_attempts

    async def wait_for_messages(self, count: int = 1) -> list[ReceivedMessage]:
        """Wait until `count` messages were recorded; bound it with `asyncio.timeout()`."""
        return await self.handler.wait_for(count)

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context trusting `cafile`."""
        if self.cafile is None:
            raise ValueError("this SMTP server has no TLS")
        return ssl.create_default_context(cafile=str(self.cafile))

    async def start(self) -> SmtpServer:
        if self.tls != "none" and self.cert is None:
            raise ValueError(f"tls={self.tls!r} needs a certificate")
        self.handler = RecordingHandler(
            username=self.username,
            password=self.password,
            token=self.xoauth2_token,
            require_login=self.require_login,
        )
        loop = asyncio.get_running_loop()
        server_tls = self.cert.server_context() if self.cert is not None else None
        options: dict[str, Any] = {
            "hostname": "localhost",  # not socket.getfqdn(), which may wait on DNS
            "enable_SMTPUTF8": True,
            "auth_require_tls": False,
            "auth_exclude_mechanism": sorted(ALL_MECHANISMS - self.mechanisms),
            "authenticator": self.handler.authenticate,
            "loop": loop,
        }
        if self.tls == "starttls":
            options |= {"tls_context": server_tls, "require_starttls": True}
        self._server = await loop.create_server(
            lambda: _TrackedSMTP(self.handler, self._live, **options),
            host=self.host,
            port=0,
            ssl=server_tls if self.tls == "implicit" else None,
        )
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def close(self) -> None:
        """Stop listening and hang up on every client (which ends any scripted stall)."""
        if self._server is None:
            return
        self._server.close()
        for protocol in list(self._live):
            if protocol.transport is not None:
                protocol.transport.close()
        for _ in range(200):  # connection_lost and the handler tasks need a few loop turns
            if not self._live:
                break
            await asyncio.sleep(0.005)
        await asyncio.sleep(0)
        self._server = None


async def start_smtpd(
    *,
    tls: TlsMode = "none",
    cert: CertFiles | None = None,
    cafile: Path | None = None,
    mechanisms: Iterable[str] = ("PLAIN", "LOGIN"),
    require_login: bool = False,
) -> SmtpServer:
    """Start a recording SMTP server in the running loop; `await server.close()` it."""
    server = SmtpServer(
        tls=tls,
        cert=cert,
        cafile=cafile,
        mechanisms=frozenset(mechanisms),
        require_login=require_login,
    )
    return await server.start()


async def _initial_response(server: SMTP, args: list[str]) -> bytes | None:
    if len(args) == 1:
        blob = await server.challenge_auth("")
        return None if blob is MISSING else bytes(blob)
    try:
        return base64.b64decode(args[1], validate=True)
    except binascii.Error:
        await server.push("501 5.5.2 Can't decode base64")
        return None
