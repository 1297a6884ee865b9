"""The one TLS policy for IMAP and SMTP: verified certificates and host names, TLS 1.2 or newer.

A private CA is trusted only through an explicit `cafile`; there is no way to turn verification
off (reliability.md row 15: the stdlib mail clients do not verify unless given a context).

What a TLS failure means for the caller: only a certificate that fails verification (untrusted,
expired, another host's name) is a configuration error (`refused_certificate`); any other
ssl.SSLError - an EOF or a reset in the middle of a record, a record that cannot be decrypted,
plaintext in the stream, a server that closes during the handshake - is the connection failing,
which a retry with backoff may fix.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from followthru.errors import TlsError


def client_context(cafile: Path | None = None) -> ssl.SSLContext:
    """A verifying client context; with `cafile`, only that CA is trusted."""
    try:
        context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
    except (OSError, ssl.SSLError) as exc:
        raise TlsError(f"{cafile}: cannot load the CA file: {exc}") from exc
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def refused_certificate(exc: BaseException | None) -> bool:
    """Is `exc` a certificate (or host name) that failed verification: a configuration error?"""
    return isinstance(exc, ssl.SSLCertVerificationError)


def describe_tls_failure(exc: ssl.SSLError) -> str:
    """One line a user can act on, from an SSL error."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = exc.verify_message or exc.reason or "verification failed"
        return f"certificate invalid: {reason}"
    return f"TLS failed: {exc.reason or exc}"
