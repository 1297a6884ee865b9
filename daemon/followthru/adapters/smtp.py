"""SMTP over aiosmtplib: connect safely and log in (sending one message is in sending.py).

Invariants:
- TLS as configured and never less: implicit TLS, required STARTTLS (refused when the server
  does not offer it), plain text only to loopback hosts.
- aiosmtplib and socket errors leave this module only as errors.py types, chained; a 4xx or a
  dropped connection is transient, a 5xx permanent, a refused login - or a login the server
  offers no usable mechanism for - is AuthenticationFailed (never retried: lock-out risk).
- The secret goes to aiosmtplib's AUTH methods only, never into a message or a log line.
- Closing the session never raises: whatever happened inside decides the result.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosmtplib

from followthru.adapters.tls import client_context, describe_tls_failure
from followthru.config import Server
from followthru.errors import AuthenticationFailed, PermanentSendError, TlsError, TransientSendError


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
                if oauth2:
                    await client.auth_xoauth2(username, secret)
                else:
                    await client.login(username, secret)
            except aiosmtplib.SMTPException as exc:
                if type(exc) is aiosmtplib.SMTPException:  # no AUTH, no usable mechanism
                    raise AuthenticationFailed(f"{where}: cannot log in: {exc.message}") from exc
                raise
    except PermanentSendError as exc:
        raise AuthenticationFailed(
            f"{where}: authentication failed for {username} ({exc.__cause__})"
        ) from exc


@asynccontextmanager
async def _mapped(where: str) -> AsyncIterator[None]:
    """Translate aiosmtplib, ssl and socket errors into errors.py."""
    try:
        yield
    except ssl.SSLError as exc:
        raise TlsError(f"{where}: {describe_tls_failure(exc)}") from exc
    except aiosmtplib.SMTPAuthenticationError as exc:
        raise AuthenticationFailed(
            f"{where}: authentication failed ({exc.code} {exc.message})"
        ) from exc
    except aiosmtplib.SMTPResponseException as exc:
        error = TransientSendError if 400 <= exc.code < 500 else PermanentSendError
        raise error(f"{where}: the server said {exc.code} {exc.message}") from exc
    except aiosmtplib.SMTPConnectError as exc:
        cause = exc.__cause__
        if isinstance(cause, ssl.SSLError):
            raise TlsError(f"{where}: {describe_tls_failure(cause)}") from exc
        raise TransientSendError(f"{where}: host unreachable ({exc})") from exc
    except aiosmtplib.SMTPTimeoutError as exc:
        raise TransientSendError(f"{where}: timed out") from exc
    except aiosmtplib.SMTPNotSupported as exc:
        raise TlsError(f"{where}: {exc}; refusing to go on in plain text") from exc
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise TransientSendError(f"{where}: connection failed ({exc})") from exc
