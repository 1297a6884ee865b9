"""Logging set-up: one handler on stderr, journald-friendly, and secrets scrubbed from every line.

Invariant: a secret registered with `register_secret` (and its base64 forms as they appear in
AUTH PLAIN, AUTH LOGIN and XOAUTH2 exchanges) never reaches a log line, whatever logger emitted
it (imapclient's protocol trace at debug level included).
"""

from __future__ import annotations

import base64
import logging
import os
import sys
from collections.abc import Mapping

_SECRETS: set[str] = set()
_MASK = "********"
_SYSLOG_LEVELS = {
    logging.DEBUG: 7,
    logging.INFO: 6,
    logging.WARNING: 4,
    logging.ERROR: 3,
    logging.CRITICAL: 2,
}


def register_secret(secret: str, username: str | None = None) -> None:
    """Remember a secret (and the encodings it travels in) so that no log line can show it."""
    if not secret:
        return
    forms = {secret, _b64(secret)}
    if username is not None:
        forms.add(_b64(f"\0{username}\0{secret}"))
        forms.add(_b64(f"user={username}\1auth=Bearer {secret}\1\1"))
    _SECRETS.update(f for f in forms if len(f) >= 4)


def scrub(text: str) -> str:
    """Replace every registered secret in `text`."""
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, _MASK)
    return text


class RedactingFilter(logging.Filter):
    """Renders each record once and scrubs the result; args are dropped so nothing re-renders them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _SECRETS:
            record.msg = scrub(record.getMessage())
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = scrub(record.exc_text)
        return True


class _JournalFormatter(logging.Formatter):
    """`<6>followthru.service: text`: journald reads the priority prefix and adds its own time."""

    def format(self, record: logging.LogRecord) -> str:
        level = _SYSLOG_LEVELS.get(record.levelno, 6)
        return f"<{level}>{super().format(record)}"


def setup_logging(
    *, verbose: bool = False, quiet: bool = False, env: Mapping[str, str] | None = None
) -> None:
    """Configure the root logger once: stderr, INFO (WARNING when quiet, DEBUG when verbose),
    secrets scrubbed."""
    env = os.environ if env is None else env
    handler = logging.StreamHandler(sys.stderr)
    if env.get("JOURNAL_STREAM"):
        handler.setFormatter(_JournalFormatter("%(name)s: %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)
    # imapclient's protocol trace is only useful at debug level; it is scrubbed like the rest.
    logging.getLogger("imapclient").setLevel(logging.DEBUG if verbose else logging.WARNING)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
