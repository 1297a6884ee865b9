"""The dashboard's guard: an ASGI middleware every request passes before any page or action.

Invariants (each has a test in tests/web/test_security.py):
- Host: only a loopback name (127.0.0.1, [::1], localhost) is answered, whatever the port: a
  page fetched through a rebound DNS name carries the attacker's name and is refused.
- Token: without the dashboard token (query parameter, cookie or header) nothing is shown.
  The query parameter is taken once: it becomes an HttpOnly, SameSite=Strict cookie and the
  browser is sent to the same address without it (so it stays out of history and Referer).
- Cross-site requests: a POST whose Origin is not this host, or that the browser marks
  cross-site (Sec-Fetch-Site), is refused here; the CSRF token (per session, derived from the
  session cookie with the dashboard token as key) is checked by the action itself.
- Every response carries a strict Content-Security-Policy, no-store and nosniff headers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_COOKIE, SESSION_COOKIE = "followthru_token", "followthru_session"
TOKEN_HEADER = "x-followthru-token"  # noqa: S105  (a header name, not a secret)
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
}


def csrf_token(token: str, session: str) -> str:
    """The session's CSRF token: nobody without the dashboard token can compute it."""
    return hmac.new(token.encode(), f"csrf:{session}".encode(), hashlib.sha256).hexdigest()


def host_name(host: str) -> str:
    """The Host header's name, without its port (an IPv6 literal keeps its brackets)."""
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if ":" in host else host


class Guard:
    """Host check, token, cross-site refusal and security headers around `app`."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._refusal(scope, headers)
        cookies = _cookies(headers)
        session = cookies.get(SESSION_COOKIE) or ""
        new_session = not _well_formed(session)
        if new_session:
            session = secrets.token_urlsafe(24)
        if refusal is None and self._query_token(scope):
            refusal = self._welcome(scope)
        if refusal is not None:
            await _secured(refusal, send, self._cookies(session) if new_session else [])(
                scope, receive
            )
            return
        scope.setdefault("state", {})
        scope["state"]["csrf"] = csrf_token(self.token, session)
        await self.app(scope, receive, _adding(send, self._cookies(session) if new_session else []))

    def _refusal(self, scope: Scope, headers: Headers) -> Response | None:
        if host_name(headers.get("host", "").lower()) not in LOOPBACK_NAMES:
            return PlainTextResponse(
                "refused: this dashboard answers only to 127.0.0.1, [::1] or localhost\n", 421
            )
        if not (self._query_token(scope) or self._has_token(headers)):
            return PlainTextResponse(
                "the dashboard needs its token: open the address `followthru serve --url` prints\n",
                401,
            )
        if scope["method"] not in ("GET", "HEAD") and _cross_site(headers):
            return PlainTextResponse("refused: a request from another site\n", 403)
        return None

    def _has_token(self, headers: Headers) -> bool:
        given = [
            _cookies(headers).get(TOKEN_COOKIE, ""),
            headers.get(TOKEN_HEADER, ""),
            headers.get("authorization", "").removeprefix("Bearer "),
        ]
        return any(self._is_token(g) for g in given)

    def _query_token(self, scope: Scope) -> bool:
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        return self._is_token(query.get("token", ""))

    def _is_token(self, given: str) -> bool:
        return bool(given) and hmac.compare_digest(given.encode(), self.token.encode())

    def _welcome(self, scope: Scope) -> Response:
        """The token from the URL, once: into a cookie, and the same page without it."""
        rest = [
            (k, v)
            for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"))
            if k != "token"
        ]
        target = scope["path"] + (f"?{urlencode(rest)}" if rest else "")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict", path="/")
        return response

    def _cookies(self, session: str) -> list[str]:
        return [f"{SESSION_COOKIE}={session}; HttpOnly; SameSite=Strict; Path=/"]


def _cross_site(headers: Headers) -> bool:
    if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = headers.get("origin")
    if origin is None:
        return False  # not a browser's cross-site form (those always send Origin on POST)
    _, _, rest = origin.partition("://")
    return origin == "null" or rest.lower() != headers.get("host", "").lower()


def _cookies(headers: Headers) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except CookieError:  # a malformed cookie header is no cookie at all
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


def _well_formed(session: str) -> bool:
    return 20 <= len(session) <= 64 and session.replace("-", "").replace("_", "").isalnum()


def _adding(send: Send, cookies: list[str]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for key, value in HEADERS.items():
                headers[key] = value
            for cookie in cookies:
                headers.append("set-cookie", cookie)
        await send(message)

    return wrapped


def _secured(response: Response, send: Send, cookies: list[str]) -> _Bound:
    return _Bound(response, _adding(send, cookies))


class _Bound:
    def __init__(self, response: Response, send: Send) -> None:
        self.response, self.send = response, send

    async def __call__(self, scope: Scope, receive: Receive) -> None:
        await self.response(scope, receive, self.send)
