"""XOAUTH2, the SASL mechanism Gmail and Microsoft 365 take: the client's string, and the
server's refusal in one line a person can act on.

A refused XOAUTH2 login is not a bare "NO": Gmail first sends a challenge holding a base64
JSON object such as `{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`
and waits for an empty line before its final NO (IMAP) or 535 (SMTP)
(developers.google.com/gmail/imap/xoauth2-protocol, "Error response"). Microsoft 365 answers
"AUTHENTICATE failed." with no challenge. The JSON says why, so it is decoded here and the
rest of the product only shows the line.

Invariant: nothing here ever puts the token into a message.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json


def xoauth2_string(username: str, token: str) -> bytes:
    """The client's XOAUTH2 initial response, before base64."""
    return f"user={username}\x01auth=Bearer {token}\x01\x01".encode()


class Xoauth2Exchange:
    """A SASL callback for imapclient's sasl_login: answers the first (empty) challenge with
    the XOAUTH2 string and any later one, the server's error, with an empty line (as the
    protocol asks), keeping that error for describe_refusal()."""

    def __init__(self, username: str, token: str) -> None:
        self._string = xoauth2_string(username, token)
        self._answered = False
        self.error: bytes | None = None

    def __call__(self, challenge: bytes) -> bytes:
        if not self._answered:
            self._answered = True
            return self._string
        self.error = challenge
        return b""


def describe_refusal(error: bytes | str | None, username: str) -> str:
    """Why the server refused the token, in words (the decoded JSON challenge when there is
    one); `error` may be the raw JSON or its base64 form, as the two protocols carry it."""
    fields = _decode(error)
    status = str(fields.get("status", "")).strip()
    reason = str(fields.get("error", "")).lower()
    scope = str(fields.get("scope", "")) or "the provider's mail scope"
    if "scope" in reason or status == "403":
        return (
            f"the token lacks the mail scope (status {status or reason}; it needs {scope}); "
            "authorise the token helper again with that scope"
        )
    if status == "401":
        return (
            "the token is expired or invalid (status 401); run your token command again "
            "(and re-authorise the helper if that does not help)"
        )
    if status == "400":
        return (
            f"the token does not belong to {username} (status 400); check the username and "
            "the account the token command asks for"
        )
    if fields:
        return f"the server refused the token (status {status or 'unknown'})"
    return "the server refused the token and gave no reason; run your token command again"


def _decode(error: bytes | str | None) -> dict[str, object]:
    """The JSON object in `error` (plain or base64), or {} when it is not one."""
    if not error:
        return {}
    raw = error.encode() if isinstance(error, str) else error
    raw = raw.strip()
    candidates = [raw]
    with contextlib.suppress(binascii.Error, ValueError):
        candidates.append(base64.b64decode(raw, validate=True))
    for candidate in candidates:
        try:
            found = json.loads(candidate)
        except (UnicodeDecodeError, ValueError):
            continue
        if isinstance(found, dict):
            return found
    return {}
