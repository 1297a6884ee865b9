"""The exception tree, grouped by what the caller does next.

    FollowthruError
      ConfigError            bad configuration: cli exits 2 (78 from `run`); never retried
      StoreError             the state store cannot be used (locked, newer schema, not ours, disk full, I/O, damaged)
        StoreLocked
      TransientError         retry with backoff (blast radius: the connection or the item)
        MailboxUnavailable   IMAP connect/read failures, timeouts, BYE, TLS errors but a refused certificate
          ServerBusy         the IMAP server refused a command for now, with a hint when to retry
        TransientSendError   SMTP 4xx, disconnects and TLS errors before the message data was handed over
      PermanentError         do not retry (blast radius: the item or the account)
        AuthenticationFailed wrong credentials: said once, never retried (lock-out risk)
        TlsError             certificate refused, STARTTLS missing: a retry cannot fix it
        SecretUnavailable    the password command / credential / keyring gave nothing
        PermanentSendError   SMTP 5xx
      MessageRejected        one inbound message could not be handled: quarantine it, go on
      UserError              a command about something that cannot be done (unknown id, withdrawn item)
      UsageError             a command-line value that cannot be used (cli exits 2)

Adapters translate foreign exceptions in one place and chain them (`raise ... from exc`).
Only cli.main() turns an error into an exit code.
"""

from __future__ import annotations


class FollowthruError(Exception):
    """Base of every error followthru raises on purpose."""


class ConfigError(FollowthruError):
    """The configuration is unusable. Carries every problem found, each with its key path."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{path}: {len(self.problems)} problem(s) in the configuration:\n{lines}")


class StoreError(FollowthruError):
    """The state store cannot be opened or used; the message says what to do (cli exits 1)."""


class StoreLocked(StoreError):
    """Another followthru process holds the store."""


class TransientError(FollowthruError):
    """A failure that may go away: retry with backoff."""


class MailboxUnavailable(TransientError):
    """The IMAP server cannot be reached or dropped the connection."""


class ServerBusy(MailboxUnavailable):
    """A NO that asks to wait and try again (Exchange's "Request is throttled. Suggested
    Backoff Time: N milliseconds", RFC 5530's [UNAVAILABLE]): the connection is fine."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TransientSendError(TransientError):
    """SMTP failed before the message data was handed over (4xx, disconnect): safe to retry."""


class PermanentError(FollowthruError):
    """A failure a retry cannot fix."""


class AuthenticationFailed(PermanentError):
    """The server refused the credentials. Never retried: repeated failures lock accounts."""


class TlsError(PermanentError):
    """TLS could not be established safely: bad certificate, wrong host name, STARTTLS missing.

    Not a TLS error that a broken connection causes (an EOF mid-record, a garbled record, a
    handshake cut short): those are MailboxUnavailable or TransientSendError, and retried."""


class SecretUnavailable(PermanentError):
    """The configured secret source (command, credential file, keyring) gave no secret."""


class PermanentSendError(PermanentError):
    """SMTP refused the message or a recipient with a 5xx reply."""


class MessageRejected(FollowthruError):
    """One inbound message could not be parsed or handled; it goes to quarantine."""


class UserError(FollowthruError):
    """A command asked for something that cannot be done (unknown id, withdrawn item)."""


class UsageError(FollowthruError):
    """A command-line value that cannot be used (a bad time, address or duration)."""
