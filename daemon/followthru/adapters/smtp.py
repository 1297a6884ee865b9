"""SMTP over aiosmtplib: a safe, logged-in session, and one stored message sent at most once.

The session (`smtp_session`) connects, secures and logs in. `send_message` is one delivery
attempt of exactly the bytes given (the caller stored them and their Message-ID before calling).
Its SendReport gives what RCPT said for each recipient and one outcome:

    delivered           250 after the end of the message data
    not_sent_retryable  it failed before the message data was handed over: connect, TLS, EHLO,
                        a 4xx or a drop at MAIL, RCPT or DATA (before the 354), any recipient
                        refused with 4xx
    not_sent_permanent  the server said no with a 5xx (greeting, MAIL, every RCPT, DATA, or after
                        the end of data): the message was not delivered
    uncertain           the data was handed over and neither a 250 nor a 5xx came back (a drop, a
                        timeout, a stall, a 4xx): the server may have delivered it

Invariants of the session:
- TLS as configured and never less: implicit TLS, required STARTTLS (refused when the server
  does not offer it), plain text only to loopback hosts.
- aiosmtplib and socket errors leave this module only as errors.py types, chained. Transient:
  a 4xx (AUTH's 454 included: the server cannot check logins now), a dropped connection, any
  TLS error but a refused certificate. TlsError: a refused certificate or a missing STARTTLS
  (fix the config). Permanent: a 5xx. AuthenticationFailed: a refused login, or one the
  server offers no usable mechanism for (never retried: lock-out risk).
- One AUTH per login, with one mechanism (PLAIN, else LOGIN, else CRAM-MD5; XOAUTH2 for
  OAuth2): a refused password is one failure at the server, never one per mechanism.
- The secret goes to aiosmtplib's AUTH methods only, never into a message or a log line.
- Closing the session never raises: whatever happened inside decides the result.

Invariants of the send:
- "Before or after the hand-over" is decided at the protocol step, never guessed from exception
  types. aiosmtplib's `data()` raises the same SMTPDataError, SMTPServerDisconnected or
  SMTPReadTimeoutError for a failure in reply to DATA and for one after the body, so the DATA
  step is done here in two halves: `execute_command(b"DATA")` up to the 354 (any failure:
  not sent), then the dot-stuffed body through `protocol.write` (refused when the connection is
  already gone: not sent) and `protocol.read_response`: from the moment the body is written,
  every failure of any kind is `uncertain`.
- `handing_over`, when given, is called once the 354 has come and before the first byte of the
  body is written: the caller records there, durably, that the data may be on its way. If it
  raises, the body is never written (the connection is closed) and its exception goes up.
- Only `not_sent_retryable` is retried (send_with_retries); `uncertain` and `not_sent_permanent`
  never are, nor a refused login or certificate (SPEC invariant 5, reliability.md row 3).
- The bytes on the wire are the caller's: CRLF line ends only and no Bcc header, else ValueError
  before connecting. Recipients are exactly the given ones, each once (no Bcc is ever added).
- Some recipients refused with 5xx and the rest accepted: the accepted ones get the message and
  the report names the refused ones. Any 4xx refusal: nobody gets it now, it is retried whole.
- AuthenticationFailed and TlsError are raised, not reported: they are about the account.
- Neither the secret nor the message body reaches a log line, a reason or an exception message.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import re
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

import aiosmtplib
from tenacity import AsyncRetrying, RetryCallState, retry_if_result, stop_after_attempt
from tenacity.wait import wait_random_exponential

from followthru.adapters.oauth2 import describe_refusal, xoauth2_string
from followthru.adapters.tls import client_context, describe_tls_failure, refused_certificate
from followthru.config import Server
from followthru.errors import AuthenticationFailed, PermanentSendError, TlsError, TransientSendError

log = logging.getLogger(__name__)

_DOTS = re.compile(rb"(?m)^\.")
_BCC = re.compile(rb"(?im)^bcc[ \t]*:")
_ADDRESS = re.compile(r"[^\s<>]+@[^\s<>]+")
_MECHANISMS = ("plain", "login", "cram-md5")  # the first one the server offers is used


def endpoint(server: Server) -> str:
    """How messages and log lines name a server: `SMTP host:port`."""
    return f"SMTP {server.host}:{server.port}"


@asynccontextmanager
async def smtp_session(
    server: Server, secret: str | None, *, oauth2: bool = False
) -> AsyncIterator[aiosmtplib.SMTP]:
    """A connected, secured and (when configured) logged-in SMTP client; closed on exit."""
    where = endpoint(server)
    client = aiosmtplib.SMTP(
        hostname=server.host,
        port=server.port,
        use_tls=server.tls == "implicit",
        start_tls=False,  # done explicitly below, so that a missing STARTTLS is refused
        tls_context=client_context(server.cafile),
        timeout=server.timeout,
    )
    async with _mapped(where):
        await client.connect()
        if server.tls == "starttls":
            await _require_starttls(client, where)
    try:
        if server.username and secret is not None:
            await _login(client, where, server.username, secret, oauth2)
        yield client
    except (asyncio.CancelledError, KeyboardInterrupt):
        client.close()  # stopped mid-session: no QUIT, whose reply a stalled server never sends
        raise
    finally:
        if client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


async def _require_starttls(client: aiosmtplib.SMTP, where: str) -> None:
    """STARTTLS is required, never opportunistic (nostarttls.secvuln.info)."""
    await client.ehlo()
    if not client.supports_extension("starttls"):
        client.close()
        raise TlsError(
            f"{where}: the server does not offer STARTTLS; refusing to go on in plain text"
        )
    await client.starttls()


async def _login(
    client: aiosmtplib.SMTP, where: str, username: str, secret: str, oauth2: bool
) -> None:
    try:
        async with _mapped(where):
            try:
                await _authenticate(client, where, username, secret, oauth2)
            except aiosmtplib.SMTPException as exc:
                if type(exc) is aiosmtplib.SMTPException:  # no AUTH, no usable mechanism
                    raise AuthenticationFailed(f"{where}: cannot log in: {exc.message}") from exc
                raise
    except PermanentSendError as exc:
        raise AuthenticationFailed(
            f"{where}: authentication failed for {username} ({exc.__cause__})"
        ) from exc


async def _authenticate(
    client: aiosmtplib.SMTP, where: str, username: str, secret: str, oauth2: bool
) -> None:
    """One AUTH with one mechanism: aiosmtplib's login() tries every mechanism in turn, so a
    wrong password would count as two or three failures towards the server's lock-out."""
    if oauth2:
        await _xoauth2(client, where, username, secret)
        return
    if client.is_ehlo_or_helo_needed:
        await client.ehlo()
    if not client.supports_extension("auth"):
        raise aiosmtplib.SMTPException("the server does not offer SMTP AUTH")
    offered = [m for m in _MECHANISMS if m in client.server_auth_methods]
    if not offered:
        raise aiosmtplib.SMTPException(
            "No suitable authentication mechanism (followthru uses PLAIN, LOGIN or CRAM-MD5)"
        )
    await getattr(client, f"auth_{offered[0].replace('-', '')}")(username, secret)


async def _xoauth2(client: aiosmtplib.SMTP, where: str, username: str, token: str) -> None:
    """AUTH XOAUTH2 done here rather than by aiosmtplib's auth_xoauth2, which drops the 334
    challenge that says why a token was refused (adapters/oauth2.py). A 4xx stays a 4xx
    (transient); a refusal names its reason."""
    if client.is_ehlo_or_helo_needed:
        await client.ehlo()
    initial = base64.b64encode(xoauth2_string(username, token))
    response = await client.execute_command(b"AUTH", b"XOAUTH2", initial)
    challenge: str | None = None
    if response.code == 334:  # the error, as a challenge; an empty line gets the final reply
        challenge = response.message
        response = await client.execute_command(b"")
    if response.code == 235:
        return
    if response.code < 500:
        raise aiosmtplib.SMTPAuthenticationError(response.code, response.message)
    raise AuthenticationFailed(
        f"{where}: XOAUTH2 refused for {username}: "
        f"{describe_refusal(challenge, username)} ({response.code} {response.message})"
    )


@asynccontextmanager
async def _mapped(where: str) -> AsyncIterator[None]:
    """Translate aiosmtplib, ssl and socket errors into errors.py."""
    try:
        yield
    except ssl.SSLError as exc:
        raise _tls_failure(where, exc) from exc
    except aiosmtplib.SMTPAuthenticationError as exc:
        if 400 <= exc.code < 500:  # 454: the server cannot check logins now, not a refusal
            raise TransientSendError(
                f"{where}: the server cannot check the login now ({exc.code} {exc.message})"
            ) from exc
        raise AuthenticationFailed(
            f"{where}: authentication failed ({exc.code} {exc.message})"
        ) from exc
    except aiosmtplib.SMTPResponseException as exc:
        error = TransientSendError if 400 <= exc.code < 500 else PermanentSendError
        raise error(f"{where}: the server said {exc.code} {exc.message}") from exc
    except aiosmtplib.SMTPConnectError as exc:
        cause = exc.__cause__
        if isinstance(cause, ssl.SSLError):
            raise _tls_failure(where, cause) from exc
        raise TransientSendError(f"{where}: host unreachable ({exc})") from exc
    except aiosmtplib.SMTPTimeoutError as exc:
        raise TransientSendError(f"{where}: timed out") from exc
    except aiosmtplib.SMTPNotSupported as exc:
        raise TlsError(f"{where}: {exc}; refusing to go on in plain text") from exc
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise TransientSendError(f"{where}: connection failed ({exc})") from exc


def _tls_failure(where: str, exc: ssl.SSLError) -> TlsError | TransientSendError:
    """A refused certificate is the account's configuration; any other TLS error is the
    connection failing before anything was handed over: retried (adapters/tls.py)."""
    if refused_certificate(exc):
        return TlsError(f"{where}: {describe_tls_failure(exc)}")
    return TransientSendError(f"{where}: connection failed ({describe_tls_failure(exc)})")


# --- sending one message ---------------------------------------------------------

Step = Literal["connect", "mail", "rcpt", "data", "end_of_data"]
"""Where an attempt ended: "connect" covers TCP, TLS, EHLO and AUTH; "data" is the DATA command
up to its 354; "end_of_data" is after the body was handed over (the only step that can be
`uncertain`)."""


class SendOutcome(StrEnum):
    DELIVERED = "delivered"
    NOT_SENT_RETRYABLE = "not_sent_retryable"
    NOT_SENT_PERMANENT = "not_sent_permanent"
    UNCERTAIN = "uncertain"


class RcptStatus(StrEnum):
    """What RCPT said; whether the message then reached an accepted recipient is the outcome."""

    ACCEPTED = "accepted"
    REFUSED_PERMANENTLY = "refused_permanently"
    REFUSED_TRANSIENTLY = "refused_transiently"
    NOT_TRIED = "not_tried"


@dataclass(frozen=True, slots=True)
class RecipientResult:
    address: str
    status: RcptStatus
    code: int | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class SendReport:
    """One attempt (or the last of several): `reason` is one line naming the server and the
    server's words, fit for a log and for the user; `reply` is the last reply (code, text)."""

    outcome: SendOutcome
    step: Step
    reason: str
    recipients: tuple[RecipientResult, ...]
    reply: tuple[int, str] | None = None
    attempts: int = 1

    @property
    def data_handed_over(self) -> bool:
        return self.step == "end_of_data"

    @property
    def accepted(self) -> tuple[str, ...]:
        return tuple(r.address for r in self.recipients if r.status is RcptStatus.ACCEPTED)

    @property
    def refused(self) -> tuple[RecipientResult, ...]:
        refusals = (RcptStatus.REFUSED_PERMANENTLY, RcptStatus.REFUSED_TRANSIENTLY)
        return tuple(r for r in self.recipients if r.status in refusals)


async def send_message(
    server: Server,
    secret: str | None,
    *,
    oauth2: bool,
    message: bytes,
    sender: str,
    recipients: Sequence[str],
    timeout: float | None = None,  # noqa: ASYNC109 - per reply; see the docstring
    handing_over: Callable[[], None] | None = None,
) -> SendReport:
    """One delivery attempt of exactly `message` from `sender` to `recipients`.

    `timeout` (default: the server's) bounds the connect and each reply, the one after the end
    of data included. It is per reply on purpose: a deadline around the whole call could cancel
    it anywhere, and nobody would know whether the data was handed over.

    Raises AuthenticationFailed and TlsError (nothing was sent), and ValueError for a message or
    an address that must not go out as given (checked before connecting).
    """
    attempt = _Attempt(endpoint(server), _address(sender), _unique(recipients), _checked(message))
    attempt.handing_over = handing_over
    wait = server.timeout if timeout is None else timeout
    report: SendReport | None = None
    try:
        async with smtp_session(replace(server, timeout=wait), secret, oauth2=oauth2) as client:
            report = await _transaction(client, attempt, wait)
    except (TransientSendError, PermanentSendError) as exc:
        # A report made before the session failed to close stands; else nothing was sent.
        return report if report is not None else attempt.session_failed(exc)
    return report


async def send_with_retries(  # noqa: PLR0913 - send_message's arguments plus the backoff
    server: Server,
    secret: str | None,
    *,
    oauth2: bool,
    message: bytes,
    sender: str,
    recipients: Sequence[str],
    timeout: float | None = None,  # noqa: ASYNC109 - per reply, as in send_message
    attempts: int = 4,
    base_delay: float = 10.0,
    max_delay: float = 300.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    handing_over: Callable[[], None] | None = None,
) -> SendReport:
    """send_message, tried again only while the outcome is `not_sent_retryable`.

    Waits between tries grow exponentially from `base_delay`, with jitter (uniformly between
    base_delay / 2 and base_delay * 2**n), capped at `max_delay`; `sleep` does the waiting.
    Returns the last report, its `attempts` counting the tries. Exceptions are never retried.
    """
    tries = 0

    async def attempt() -> SendReport:
        nonlocal tries
        tries += 1
        return await send_message(
            server,
            secret,
            oauth2=oauth2,
            message=message,
            sender=sender,
            recipients=recipients,
            timeout=timeout,
            handing_over=handing_over,
        )

    retrying = AsyncRetrying(
        stop=stop_after_attempt(attempts),
        wait=wait_random_exponential(multiplier=base_delay, max=max_delay, min=base_delay / 2),
        retry=retry_if_result(_retryable),
        retry_error_callback=_last_report,
        before_sleep=_log_retry,
        sleep=sleep,
    )
    report: SendReport = await retrying(attempt)
    return replace(report, attempts=tries)


async def _transaction(client: aiosmtplib.SMTP, attempt: _Attempt, wait: float) -> SendReport:
    """EHLO, MAIL, RCPT and DATA up to its 354, all before the hand-over; then the hand-over."""
    try:
        if client.is_ehlo_or_helo_needed:
            await client.ehlo()
        attempt.step = "mail"
        await client.mail(attempt.sender, options=_mail_options(client, attempt.message))
        attempt.step = "rcpt"
        refused = await _recipients(client, attempt)
        if refused is not None:
            return refused
        attempt.step = "data"
        go_ahead = await client.execute_command(b"DATA")
    except aiosmtplib.SMTPResponseException as exc:
        return attempt.refused(exc.code, exc.message)
    except (aiosmtplib.SMTPException, OSError) as exc:
        client.close()
        return attempt.lost(exc)
    if go_ahead.code != 354:
        return attempt.refused(go_ahead.code, go_ahead.message)
    return await _hand_over(client, attempt, wait)


async def _recipients(client: aiosmtplib.SMTP, attempt: _Attempt) -> SendReport | None:
    """RCPT for each recipient; a report when the message must not go on to DATA."""
    for address in attempt.recipients:
        try:
            reply = await client.rcpt(address)
        except aiosmtplib.SMTPRecipientRefused as exc:
            attempt.answered(address, exc.code, exc.message)
            if exc.code == 421:  # the server is closing the connection
                return attempt.refused(exc.code, exc.message)
        else:
            attempt.answered(address, reply.code, reply.message)
    return attempt.after_recipients()


async def _hand_over(client: aiosmtplib.SMTP, attempt: _Attempt, wait: float) -> SendReport:
    """Write the body and its final "." and read the one reply that says what became of it."""
    protocol = client.protocol
    try:
        if protocol is None:
            raise aiosmtplib.SMTPServerDisconnected("Connection lost")
        _announce(client, attempt)
        protocol.write(_dot_stuffed(attempt.message))
    except aiosmtplib.SMTPServerDisconnected as exc:
        client.close()
        return attempt.lost(exc)  # the write was refused: not a byte of the body left
    attempt.step = "end_of_data"
    try:
        reply = await protocol.read_response(timeout=wait)
    except Exception as exc:  # whatever it is, the server may have the message by now
        client.close()
        return attempt.unanswered(exc)
    return attempt.final(reply.code, reply.message)


def _announce(client: aiosmtplib.SMTP, attempt: _Attempt) -> None:
    """Tell the caller the body is about to go (it records that first); if it cannot, the
    connection is closed without a byte of the body, and its error goes up."""
    if attempt.handing_over is None:
        return
    try:
        attempt.handing_over()
    except BaseException:
        client.close()
        raise


@dataclass(slots=True)
class _Attempt:
    """What one attempt learnt so far, and the reports it can end with."""

    where: str
    sender: str
    recipients: tuple[str, ...]
    message: bytes
    step: Step = "connect"
    answers: dict[str, RecipientResult] = field(default_factory=dict)
    handing_over: Callable[[], None] | None = None

    def answered(self, address: str, code: int, text: str) -> None:
        self.answers[address] = RecipientResult(address, _rcpt_status(code), code, text)

    def after_recipients(self) -> SendReport | None:
        statuses = [r.status for r in self.answers.values()]
        refusals = "; ".join(
            f"{r.address}: {r.code} {r.text}"
            for r in self.answers.values()
            if r.status is not RcptStatus.ACCEPTED
        )
        if RcptStatus.REFUSED_TRANSIENTLY in statuses:
            return self.report(SendOutcome.NOT_SENT_RETRYABLE, f"RCPT refused for now ({refusals})")
        if RcptStatus.ACCEPTED not in statuses:
            return self.report(SendOutcome.NOT_SENT_PERMANENT, f"every RCPT refused ({refusals})")
        return None

    def refused(self, code: int, text: str) -> SendReport:
        """A reply before the hand-over: 5xx is final, anything else may pass with time."""
        outcome = (
            SendOutcome.NOT_SENT_PERMANENT if 500 <= code < 600 else SendOutcome.NOT_SENT_RETRYABLE
        )
        words = f"{self.step.upper()} refused: {code} {text}"
        return self.report(outcome, words, (code, text))

    def lost(self, exc: BaseException) -> SendReport:
        words = f"connection lost at {self.step.upper()}, before the message data ({_said(exc)})"
        return self.report(SendOutcome.NOT_SENT_RETRYABLE, words)

    def unanswered(self, exc: BaseException) -> SendReport:
        words = f"no reply after the message data ({_said(exc)}): it may have been delivered"
        return self.report(SendOutcome.UNCERTAIN, words)

    def final(self, code: int, text: str) -> SendReport:
        if code == 250:
            return self.report(SendOutcome.DELIVERED, f"delivered: {code} {text}", (code, text))
        if 500 <= code < 600:
            return self.report(
                SendOutcome.NOT_SENT_PERMANENT, f"refused: {code} {text}", (code, text)
            )
        words = f"answered {code} {text} after the message data: it may have been delivered"
        return self.report(SendOutcome.UNCERTAIN, words, (code, text))

    def session_failed(self, exc: TransientSendError | PermanentSendError) -> SendReport:
        if isinstance(exc, PermanentSendError):
            return SendReport(SendOutcome.NOT_SENT_PERMANENT, "connect", str(exc), self._results())
        return SendReport(SendOutcome.NOT_SENT_RETRYABLE, "connect", str(exc), self._results())

    def report(
        self, outcome: SendOutcome, words: str, reply: tuple[int, str] | None = None
    ) -> SendReport:
        reason = f"{self.where}: {words}"
        return SendReport(outcome, self.step, reason, self._results(), reply)

    def _results(self) -> tuple[RecipientResult, ...]:
        return tuple(
            self.answers.get(a) or RecipientResult(a, RcptStatus.NOT_TRIED) for a in self.recipients
        )


def _rcpt_status(code: int) -> RcptStatus:
    if 200 <= code < 300:
        return RcptStatus.ACCEPTED
    if 500 <= code < 600:
        return RcptStatus.REFUSED_PERMANENTLY
    return RcptStatus.REFUSED_TRANSIENTLY


def _mail_options(client: aiosmtplib.SMTP, message: bytes) -> list[str]:
    """SIZE lets the server refuse a too-big message at MAIL, before any data (RFC 1870)."""
    options = []
    if client.supports_extension("size"):
        options.append(f"SIZE={len(message)}")
    if not message.isascii() and client.supports_extension("8bitmime"):
        options.append("BODY=8BITMIME")
    return options


def _dot_stuffed(message: bytes) -> bytes:
    """RFC 5321 4.5.2 transparency, then the end-of-data line. `message` ends with CRLF."""
    return _DOTS.sub(b"..", message) + b".\r\n"


def _checked(message: bytes) -> bytes:
    crlf = message.count(b"\r\n")
    if (
        not message.endswith(b"\r\n")
        or message.count(b"\n") != crlf
        or message.count(b"\r") != crlf
    ):
        raise ValueError("the message must use CRLF line ends only, as it is stored and sent")
    if _BCC.search(message.split(b"\r\n\r\n", 1)[0]):
        raise ValueError("the message carries a Bcc header, which every recipient would read")
    return message


def _address(address: str) -> str:
    if not (address.isascii() and address.isprintable() and _ADDRESS.fullmatch(address)):
        raise ValueError(f"{address!r} cannot go into an SMTP envelope")
    return address


def _unique(recipients: Sequence[str]) -> tuple[str, ...]:
    """Each recipient once (case-insensitively): a repeated RCPT can mean two deliveries."""
    if isinstance(recipients, str) or not recipients:
        raise ValueError("give a non-empty list of recipients")
    seen: dict[str, str] = {}
    for address in recipients:
        seen.setdefault(_address(address).lower(), address)
    return tuple(seen.values())


def _said(exc: BaseException) -> str:
    if isinstance(exc, aiosmtplib.SMTPTimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _retryable(report: SendReport) -> bool:
    return report.outcome is SendOutcome.NOT_SENT_RETRYABLE


def _last_report(state: RetryCallState) -> SendReport:
    if state.outcome is None:
        raise RuntimeError("tenacity gave up before any attempt")
    report: SendReport = state.outcome.result()
    return report


def _log_retry(state: RetryCallState) -> None:
    if state.outcome is None or state.next_action is None:
        return
    report: SendReport = state.outcome.result()
    log.warning(
        "%s; not sent, trying again in %.1f s (after attempt %d)",
        report.reason,
        state.next_action.sleep,
        state.attempt_number,
    )
