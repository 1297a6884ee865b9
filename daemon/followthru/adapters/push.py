"""Push notifications through apprise (`notify.push`): a title and one short line, best effort.

Invariants:
- Never a message body, a letter's text or a secret: the caller passes a title and one line
  naming what happened and to whom (service/notices.py builds them).
- A push URL may hold a token: it is never logged, only its scheme; apprise's own logger,
  which may print URLs, is kept quiet.
- Never blocks the event loop: apprise is synchronous, so it runs in a worker thread, waited
  for at most `timeout` seconds (a hung server leaves the thread to finish on its own).
- Never raises: a failure is logged once per run of failures (the next success says so) and
  is not retried (a push is a courtesy; the INBOX holds the note).
- apprise is imported only when push is configured (it loads its plugins, ~0.5 s).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

log = logging.getLogger(__name__)
TIMEOUT = 10.0
MAX_LINE = 200  # characters of the one line pushed: a phone's notification, not a letter
_failing: set[tuple[str, ...]] = set()  # URL lists whose last push failed (one log a burst)


def scheme(url: str) -> str:
    """The part of a push URL that may be shown (`ntfy`, `json`); the rest may be a secret."""
    head, sep, _ = url.partition("://")
    return head.lower() if sep and head.isalnum() else "?"


def url_problem(url: str) -> str | None:
    """Why apprise cannot use `url` (None: it can), said without echoing the URL."""
    try:
        import apprise  # noqa: PLC0415  (heavy: only when push is configured)
    except ImportError:
        return "needs the `apprise` package (pip install apprise)"
    _quiet()
    if apprise.Apprise.instantiate(url, suppress_exceptions=True) is None:
        return f"apprise does not understand this URL (scheme `{scheme(url)}`)"
    return None


class ApprisePush:
    """Pushes to every configured URL at once."""

    def __init__(self, urls: Sequence[str], *, timeout: float = TIMEOUT) -> None:
        self.urls = tuple(urls)
        self.timeout = timeout

    async def push(self, title: str, line: str) -> bool:
        """Send `title` and `line` (cut to MAX_LINE); whether every URL took it."""
        if not self.urls:
            return True
        line = line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"
        try:
            work = asyncio.to_thread(_notify, self.urls, title, line)
            ok = await asyncio.wait_for(work, self.timeout)
        except TimeoutError:
            ok, why = False, f"no answer within {self.timeout:g} s"
        except Exception as exc:  # best effort: nothing may stop the daemon
            ok, why = False, type(exc).__name__
        else:
            why = "a service refused it"
        self._note(ok, why)
        return ok

    def _note(self, ok: bool, why: str) -> None:
        schemes = ",".join(sorted({scheme(u) for u in self.urls}))
        if ok and self.urls in _failing:
            _failing.discard(self.urls)
            log.info("push_works_again schemes=%s", schemes)
        elif not ok and self.urls not in _failing:
            _failing.add(self.urls)
            log.warning("push_failed schemes=%s: %s (not retried; said once until it works)",
                        schemes, why)  # fmt: skip


def _notify(urls: tuple[str, ...], title: str, line: str) -> bool:
    """One push, in the worker thread."""
    import apprise  # noqa: PLC0415

    _quiet()
    sender = apprise.Apprise()
    for url in urls:
        sender.add(url)
    return bool(sender.notify(title=title, body=line))


def _quiet() -> None:
    """apprise logs the URLs it talks to (tokens included): its logger says nothing."""
    logging.getLogger("apprise").setLevel(logging.CRITICAL + 1)
