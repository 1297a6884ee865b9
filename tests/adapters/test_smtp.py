"""Sending one stored message (adapters/smtp.py) against a real, scripted aiosmtpd.

Every test counts what the server recorded: a message is never there twice. What aiosmtpd
cannot script - the reply to the DATA command itself, before its 354 - comes from a few lines
of SMTP served on 127.0.0.1 here (BareSmtp).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import socket
import time
import traceback
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest

from followthru.adapters.smtp import RcptStatus, SendOutcome, SendReport, send_with_retries
from followthru.config import Secret, Server, TlsMode
from followthru.errors import AuthenticationFailed, TlsError
from tests.rig import LOOPBACK
from tests.rig.proxy import FaultProxy
from tests.rig.smtpd import SmtpServer
from tests.rig.tls import TlsRig

SENDER = "sender@example.org"
ADA = "ada@example.com"
BO = "bo@example.net"
StartSmtpd = Any  # conftest's smtpd_factory


def stored_message(*, bcc: bool = False) -> bytes:
    """What the outbox stores: To and Cc, a Message-ID, 8-bit text, lines that need dot-stuffing."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = f"Sam Sender <{SENDER}>"
    msg["To"] = f"Ada Lovelace <{ADA}>"
    msg["Cc"] = f"Bo <{BO}>"
    if bcc:
        msg["Bcc"] = "hidden@example.org"
    msg["Subject"] = "Following up on Tuesday"
    msg["Message-ID"] = "<followthru.1.abc@example.org>"
    msg.set_content("Hello Ada,\n.\n..two dots\nMerci, à bientôt.\n")
    return msg.as_bytes()


MESSAGE = stored_message()


def config(
    port: int,
    *,
    host: str = LOOPBACK,
    tls: TlsMode = "none",
    username: str | None = None,
    cafile: Any = None,
    timeout: float = 5.0,
) -> Server:
    secret = Secret("credential", "smtp") if username else None
    return Server(host, port, tls, username, secret, cafile, timeout)


def plain(server: SmtpServer) -> Server:
    return config(server.port, username=server.username)


class Naps:
    """The injected sleep: records the backoff delays and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


async def send(
    server: Server,
    secret: str | None,
    naps: Naps,
    *,
    recipients: Sequence[str] = (ADA, BO),
    message: bytes = MESSAGE,
    **options: Any,
) -> SendReport:
    options = {"attempts": 3, "base_delay": 0.01, "max_delay": 0.05, **options}
    return await send_with_retries(
        server,
        secret,
        oauth2=options.pop("oauth2", False),
        message=message,
        sender=SENDER,
        recipients=recipients,
        sleep=naps,
        **options,
    )


def secret_forms(secret: str, username: str) -> list[str]:
    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    return [
        secret,
        b64(secret),
        b64(f"\0{username}\0{secret}"),
        b64(f"user={username}\1auth=Bearer {secret}\1\1"),
    ]


def assert_not_leaked(secret: str, username: str, exc: BaseException, caplog: Any) -> None:
    ours = [r for r in caplog.records if r.name != "mail.log"]  # aiosmtpd traces its side
    shown = "".join(traceback.format_exception(exc)) + "\n".join(r.getMessage() for r in ours)
    for form in secret_forms(secret, username):
        assert form not in shown


# --- delivered -----------------------------------------------------------------------------


async def test_delivers_exactly_the_stored_bytes_to_to_and_cc(smtpd: SmtpServer) -> None:
    naps = Naps()
    report = await send(plain(smtpd), smtpd.password, naps)

    [received] = smtpd.messages
    assert report.outcome is SendOutcome.DELIVERED
    assert (report.step, report.attempts, report.reply) == ("end_of_data", 1, (250, "2.0.0 Queued"))
    assert report.accepted == (ADA, BO) and report.refused == ()
    assert received.data == MESSAGE  # byte for byte: the "." lines went through dot-stuffing
    assert (received.mail_from, received.rcpt_tos) == (SENDER, (ADA, BO))
    assert (received.login, received.outcome) == (smtpd.username, "accepted")
    assert received.parsed()["Bcc"] is None
    assert naps.delays == []


async def test_each_recipient_gets_exactly_one_rcpt(smtpd: SmtpServer) -> None:
    report = await send(plain(smtpd), smtpd.password, Naps(), recipients=[ADA, BO, ADA.upper()])

    assert report.outcome is SendOutcome.DELIVERED
    assert [m.rcpt_tos for m in smtpd.messages] == [(ADA, BO)]
    assert [c for c, _ in smtpd.transcript if c.startswith("RCPT")] == [
        f"RCPT TO:<{ADA}>",
        f"RCPT TO:<{BO}>",
    ]


@pytest.mark.parametrize(
    ("message", "recipients", "problem"),
    [
        (stored_message(bcc=True), [ADA], "Bcc header"),
        (MESSAGE.replace(b"\r\n", b"\n"), [ADA], "CRLF"),
        (MESSAGE, [], "non-empty list"),
        (MESSAGE, ["ada@example.com\r\nRCPT TO:<x@example.org>"], "SMTP envelope"),
        (MESSAGE, ["Ada <ada@example.com>"], "SMTP envelope"),
    ],
)
async def test_what_must_not_go_out_as_given_is_refused_before_connecting(
    smtpd: SmtpServer, message: bytes, recipients: list[str], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        await send(plain(smtpd), smtpd.password, Naps(), message=message, recipients=recipients)
    assert smtpd.transcript == [] and smtpd.messages == []


# --- before the data: retried -------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("MAIL", "421 4.3.0 Try again later"),
        ("MAIL", "451 4.3.0 Local error"),
        ("RCPT", "450 4.2.0 Mailbox busy"),
        ("RCPT", "421 4.3.0 Closing"),
    ],
)
async def test_a_4xx_before_the_data_is_retried_and_delivered_once(
    smtpd: SmtpServer, command: Any, reply: str
) -> None:
    smtpd.script.fail(command, reply)
    naps = Naps()

    report = await send(plain(smtpd), smtpd.password, naps)

    assert report.outcome is SendOutcome.DELIVERED
    assert report.attempts == 2 and len(naps.delays) == 1
    assert [m.outcome for m in smtpd.messages] == ["accepted"]
    assert [c.split()[0] for c, r in smtpd.transcript if r == reply] == [command]


async def test_one_recipient_refused_for_now_holds_the_whole_message_back(
    smtpd: SmtpServer,
) -> None:
    smtpd.script.fail("RCPT", "452 4.2.2 Mailbox full", address=BO)
    naps = Naps()

    report = await send(plain(smtpd), smtpd.password, naps, attempts=1)
    assert report.outcome is SendOutcome.NOT_SENT_RETRYABLE
    assert [(r.address, r.status, r.code) for r in report.recipients] == [
        (ADA, RcptStatus.ACCEPTED, 250),
        (BO, RcptStatus.REFUSED_TRANSIENTLY, 452),
    ]
    assert smtpd.messages == []  # nobody got it: it goes out whole, later

    again = await send(plain(smtpd), smtpd.password, naps)
    assert again.outcome is SendOutcome.DELIVERED
    assert [m.rcpt_tos for m in smtpd.messages] == [(ADA, BO)]


async def test_retries_stop_after_the_attempts_with_capped_jittered_backoff(
    smtpd: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtpd.script.fail("MAIL", "421 4.3.0 Try again later", times=None)
    naps = Naps()

    report = await send(plain(smtpd), smtpd.password, naps, attempts=6, base_delay=1, max_delay=5)

    assert report.outcome is SendOutcome.NOT_SENT_RETRYABLE
    assert (report.attempts, report.step, report.reply) == (
        6,
        "mail",
        (421, "4.3.0 Try again later"),
    )
    assert len(naps.delays) == 5
    for n, delay in enumerate(naps.delays):
        assert 0.5 <= delay <= min(5, 2**n)
    assert len(set(naps.delays)) > 1  # jittered
    assert smtpd.messages == []
    assert "trying again in" in caplog.text


async def test_an_unreachable_server_is_retryable() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind((LOOPBACK, 0))
        port = probe.getsockname()[1]
    naps = Naps()

    report = await send(config(port), None, naps)

    assert report.outcome is SendOutcome.NOT_SENT_RETRYABLE
    assert report.step == "connect" and report.attempts == 3 and len(naps.delays) == 2
    assert {r.status for r in report.recipients} == {RcptStatus.NOT_TRIED}


# --- the reply to DATA itself: still before the data ---------------------------------------


@asynccontextmanager
async def bare_smtp(data_replies: list[str | None]) -> AsyncIterator[BareSmtp]:
    bare = BareSmtp(data_replies)
    server = await asyncio.start_server(bare.serve, LOOPBACK, 0)
    bare.port = server.sockets[0].getsockname()[1]
    try:
        yield bare
    finally:
        server.close()
        await server.wait_closed()


class BareSmtp:
    """Answers DATA on the n-th connection with `data_replies[n]` (None: hangs up instead);
    a 354 takes the message and accepts it."""

    def __init__(self, data_replies: list[str | None]) -> None:
        self.data_replies = data_replies
        self.received: list[bytes] = []
        self.port = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data_reply = self.data_replies.pop(0) if self.data_replies else "354 Go ahead"
        writer.write(b"220 bare ESMTP\r\n")
        while (verb := (await reader.readline())[:4].upper()) and verb != b"QUIT":
            if verb != b"DATA":
                writer.write(b"250-bare\r\n250 8BITMIME\r\n" if verb == b"EHLO" else b"250 OK\r\n")
                continue
            if data_reply is None:
                break
            writer.write(data_reply.encode() + b"\r\n")
            if data_reply.startswith("354"):
                self.received.append(await reader.readuntil(b"\r\n.\r\n"))
                writer.write(b"250 OK\r\n")
        writer.close()


@pytest.mark.parametrize("data_reply", ["451 4.3.0 Not now", None])
async def test_a_4xx_or_a_hang_up_in_reply_to_data_is_before_the_hand_over(
    data_reply: str | None,
) -> None:
    naps = Naps()
    async with bare_smtp([data_reply]) as bare:
        report = await send(config(bare.port), None, naps)

    assert report.outcome is SendOutcome.DELIVERED
    assert report.attempts == 2 and len(naps.delays) == 1
    assert len(bare.received) == 1


async def test_a_5xx_in_reply_to_data_is_final() -> None:
    naps = Naps()
    async with bare_smtp(["554 5.7.1 No mail from you"]) as bare:
        report = await send(config(bare.port), None, naps)

    assert report.outcome is SendOutcome.NOT_SENT_PERMANENT
    assert (report.step, report.reply) == ("data", (554, "5.7.1 No mail from you"))
    assert not report.data_handed_over
    assert bare.received == [] and naps.delays == []


# --- after the final ".": never retried ---------------------------------------------------


async def test_a_drop_after_the_final_dot_is_uncertain_and_never_retried(
    smtpd: SmtpServer,
) -> None:
    smtpd.script.drop_after_data()
    naps = Naps()

    report = await send(plain(smtpd), smtpd.password, naps)

    assert report.outcome is SendOutcome.UNCERTAIN
    assert report.data_handed_over and report.reply is None
    assert report.attempts == 1 and naps.delays == []
    assert [m.outcome for m in smtpd.messages] == ["dropped"]  # it did arrive, once


async def test_a_stall_after_the_final_dot_is_uncertain_and_never_retried(
    smtpd: SmtpServer,
) -> None:
    smtpd.script.stall_after_data()
    naps = Naps()
    started = time.monotonic()

    report = await send(plain(smtpd), smtpd.password, naps, timeout=0.3)

    assert time.monotonic() - started < 2
    assert report.outcome is SendOutcome.UNCERTAIN
    assert "timed out" in report.reason
    assert report.attempts == 1 and naps.delays == []
    assert [m.outcome for m in smtpd.messages] == ["stalled"]


async def test_a_4xx_after_the_final_dot_is_uncertain_and_never_retried(
    smtpd: SmtpServer,
) -> None:
    smtpd.script.fail("DATA", "451 4.3.0 Queue write error")
    naps = Naps()

    report = await send(plain(smtpd), smtpd.password, naps)

    assert report.outcome is SendOutcome.UNCERTAIN
    assert report.reply == (451, "4.3.0 Queue write error")
    assert report.attempts == 1 and naps.delays == []
    assert smtpd.messages == []


async def test_a_5xx_after_the_final_dot_is_final(smtpd: SmtpServer) -> None:
    smtpd.script.fail("DATA", "554 5.7.1 Message rejected as spam")
    naps = Naps()

    report = await send(plain(smtpd), smtpd.password, naps)

    assert report.outcome is SendOutcome.NOT_SENT_PERMANENT
    assert report.data_handed_over and report.reply == (554, "5.7.1 Message rejected as spam")
    assert report.attempts == 1 and naps.delays == []
    assert smtpd.messages == []


# --- refusals -----------------------------------------------------------------------------


async def test_one_recipient_refused_the_other_gets_it(smtpd: SmtpServer) -> None:
    smtpd.script.fail("RCPT", "550 5.1.1 No such user", address=BO)

    report = await send(plain(smtpd), smtpd.password, Naps())

    assert report.outcome is SendOutcome.DELIVERED
    assert report.accepted == (ADA,)
    [refused] = report.refused
    assert (refused.address, refused.status) == (BO, RcptStatus.REFUSED_PERMANENTLY)
    assert (refused.code, refused.text) == (550, "5.1.1 No such user")
    assert [m.rcpt_tos for m in smtpd.messages] == [(ADA,)]


@pytest.mark.parametrize(
    ("command", "reply", "step"),
    [
        ("RCPT", "550 5.1.1 No such user", "rcpt"),
        ("MAIL", "553 5.7.1 Sender not allowed", "mail"),
    ],
)
async def test_a_5xx_for_every_recipient_or_the_sender_is_final(
    smtpd: SmtpServer, command: Any, reply: str, step: str
) -> None:
    smtpd.script.fail(command, reply, times=None)
    naps = Naps()

    report = await send(plain(smtpd), smtpd.password, naps)

    assert report.outcome is SendOutcome.NOT_SENT_PERMANENT
    assert report.step == step and report.attempts == 1 and naps.delays == []
    assert smtpd.messages == []


async def test_a_refused_login_is_raised_never_retried_and_never_shows_the_password(
    smtpd: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    naps = Naps()
    wrong = smtpd.password + "-wrong"

    with pytest.raises(AuthenticationFailed, match="authentication failed") as refused:
        await send(plain(smtpd), wrong, naps)

    assert naps.delays == [] and smtpd.transcript == [] and smtpd.messages == []
    assert_not_leaked(wrong, smtpd.username, refused.value, caplog)
    # One AUTH, one mechanism: aiosmtplib's login() would go on to LOGIN after PLAIN failed,
    # two refusals per attempt towards the server's lock-out.
    assert smtpd.auth_attempts == [("PLAIN", False)]


async def test_a_login_the_server_cannot_check_now_is_retried(smtpd: SmtpServer) -> None:
    """454 is the server's trouble (its auth backend is down), not a wrong password: retried
    with backoff like any failure before the message data, never a final refusal."""
    smtpd.handler.auth_reply = "454 4.7.0 Temporary authentication failure"
    naps = Naps()
    report = await send(plain(smtpd), smtpd.password, naps)
    assert report.outcome is SendOutcome.NOT_SENT_RETRYABLE and report.step == "connect"
    assert "454" in report.reason and report.attempts == 3 and len(naps.delays) == 2
    assert smtpd.auth_attempts == [("PLAIN", False)] * 3 and smtpd.messages == []


@pytest.mark.parametrize("offered", [("LOGIN",), ("PLAIN", "LOGIN")])
async def test_a_login_uses_one_mechanism(
    smtpd_factory: StartSmtpd, offered: tuple[str, ...]
) -> None:
    server = await smtpd_factory(mechanisms=offered)
    report = await send(plain(server), server.password, Naps())
    assert report.outcome is SendOutcome.DELIVERED
    assert server.auth_attempts == [(offered[0], True)]


# --- TLS ----------------------------------------------------------------------------------


async def test_implicit_tls_and_starttls_with_the_private_ca(
    smtpd_tls: SmtpServer, smtpd_starttls: SmtpServer, tls_rig: TlsRig
) -> None:
    for server, tls in ((smtpd_tls, "implicit"), (smtpd_starttls, "starttls")):
        mode: TlsMode = "implicit" if tls == "implicit" else "starttls"
        settings = config(
            server.port, host="localhost", tls=mode, username=server.username, cafile=tls_rig.cafile
        )
        report = await send(settings, server.password, Naps())
        assert report.outcome is SendOutcome.DELIVERED
        assert [(m.tls, m.data) for m in server.messages] == [(True, MESSAGE)]


@pytest.mark.parametrize("certificate", ["expired", "wrong_host", "self_signed"])
async def test_an_invalid_certificate_is_refused_and_nothing_is_sent(
    smtpd_factory: StartSmtpd, tls_rig: TlsRig, certificate: str
) -> None:
    server = await smtpd_factory(tls="implicit", cert=getattr(tls_rig, certificate))
    naps = Naps()
    settings = config(
        server.port,
        host="localhost",
        tls="implicit",
        username=server.username,
        cafile=tls_rig.cafile,
    )

    with pytest.raises(TlsError, match="certificate invalid"):
        await send(settings, server.password, naps)

    assert naps.delays == [] and server.messages == []


@pytest.mark.parametrize("answer", [b"", b"421 4.3.2 not now\r\n"], ids=["cut", "plaintext"])
@pytest.mark.parametrize("mode", ["implicit", "starttls"])
async def test_a_handshake_cut_short_is_a_connection_failure_retried(
    smtpd_factory: StartSmtpd, tls_rig: TlsRig, mode: TlsMode, answer: bytes
) -> None:
    """A server that accepts TCP and closes before TLS is up (the FaultProxy closes at the
    client's first handshake record, after `answer` in plaintext) is the network failing,
    not the certificate: retried with backoff, never a configuration error; nothing sent."""
    server = await smtpd_factory(tls=mode)
    naps = Naps()
    with FaultProxy(server.host, server.port) as proxy:
        proxy.refuse_handshakes(answer=answer)
        settings = config(proxy.port, tls=mode, username=server.username, cafile=tls_rig.cafile)
        report = await send(settings, server.password, naps)
    assert report.outcome is SendOutcome.NOT_SENT_RETRYABLE and report.step == "connect"
    assert report.attempts == 3
    assert len(naps.delays) == 2 and server.messages == []


async def test_starttls_required_but_not_offered_is_refused_and_nothing_is_sent(
    smtpd: SmtpServer,
) -> None:
    naps = Naps()
    settings = config(smtpd.port, tls="starttls", username=smtpd.username)

    with pytest.raises(TlsError, match="does not offer STARTTLS"):
        await send(settings, smtpd.password, naps)

    assert naps.delays == [] and smtpd.transcript == [] and smtpd.messages == []


# --- XOAUTH2 ------------------------------------------------------------------------------


async def test_xoauth2_delivers_with_the_right_token_and_refuses_a_wrong_one(
    smtpd_xoauth2: SmtpServer, tls_rig: TlsRig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = smtpd_xoauth2
    settings = config(
        server.port,
        host="localhost",
        tls="implicit",
        username=server.username,
        cafile=tls_rig.cafile,
    )
    naps = Naps()

    report = await send(settings, server.xoauth2_token, naps, oauth2=True)
    stale = server.xoauth2_token[::-1]
    with pytest.raises(AuthenticationFailed, match="535") as refused:
        await send(settings, stale, naps, oauth2=True)

    assert report.outcome is SendOutcome.DELIVERED
    assert [(m.login, m.data) for m in server.messages] == [(server.username, MESSAGE)]
    assert naps.delays == []
    assert_not_leaked(stale, server.username, refused.value, caplog)
    assert_not_leaked(server.xoauth2_token, server.username, refused.value, caplog)


async def test_a_password_where_only_xoauth2_is_offered_is_a_refused_login(
    smtpd_xoauth2: SmtpServer, tls_rig: TlsRig
) -> None:
    server = smtpd_xoauth2
    settings = config(
        server.port,
        host="localhost",
        tls="implicit",
        username=server.username,
        cafile=tls_rig.cafile,
    )
    naps = Naps()

    with pytest.raises(AuthenticationFailed, match="cannot log in: No suitable authentication"):
        await send(settings, server.password, naps)

    assert naps.delays == [] and server.transcript == [] and server.messages == []
