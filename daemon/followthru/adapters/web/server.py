"""uvicorn under our control: a loopback socket bound here, the server run as a coroutine in the
caller's event loop (the daemon's TaskGroup, or `followthru serve`'s own loop) until `stop`.

Invariants:
- Only a loopback address is ever bound (checked again here, whatever the caller parsed).
- uvicorn installs no signal handlers and no logging config: the daemon owns both.
- The token never reaches a log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
from collections.abc import Callable, Generator
from datetime import datetime

import uvicorn

from followthru.adapters.web.routes import create_app
from followthru.adapters.web.token import load_token
from followthru.config import Listen
from followthru.errors import FollowthruError, UsageError
from followthru.service.contacts import Service
from followthru.service.dashboard import Dashboard

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # the daemon (or `serve`) handles SIGTERM and SIGINT itself


def bind(listen: Listen) -> socket.socket:
    """A listening socket on the loopback `listen`; refuses any other address, naming it."""
    try:
        loopback = ipaddress.ip_address(listen.host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise UsageError(
            f"{listen.host} is not a loopback address: the dashboard listens on 127.0.0.1 or ::1 only"
        )
    family = socket.AF_INET6 if ":" in listen.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((listen.host, listen.port))
        sock.listen(64)
    except OSError as exc:
        sock.close()
        raise FollowthruError(f"the dashboard cannot listen on {listen}: {exc.strerror}") from exc
    return sock


def address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


async def serve_socket(
    service: Service, sock: socket.socket, clock: Callable[[], datetime], stop: asyncio.Event
) -> None:
    """Serve the dashboard on `sock` until `stop` is set (the socket is closed after)."""
    app = create_app(Dashboard(service), clock, load_token(service.config.store_path))
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off",
                            server_header=False, date_header=False)  # fmt: skip
    server = _Server(config)

    async def until_stop() -> None:
        await stop.wait()
        server.should_exit = True

    stopper = asyncio.create_task(until_stop())
    try:
        log.info("dashboard listening on %s", address(sock))
        await server.serve(sockets=[sock])
    finally:
        stopper.cancel()
        sock.close()


async def serve_dashboard(
    service: Service, listen: Listen, clock: Callable[[], datetime], stop: asyncio.Event
) -> None:
    """The daemon's dashboard task (dashboard.listen): bind, then serve until `stop`. A port
    already taken is logged, not fatal: the mail work goes on without the dashboard."""
    try:
        sock = bind(listen)
    except FollowthruError as exc:
        log.error("%s; the daemon runs without it", exc)
        await stop.wait()
        return
    await serve_socket(service, sock, clock, stop)
