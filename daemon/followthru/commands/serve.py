"""`followthru serve [--listen ADDR:PORT] [--url]`: the dashboard on loopback, from a shell.

It opens the store like any command (a WAL reader next to the daemon, never blocking it) and
serves until SIGINT or SIGTERM. `--url` prints the address with the token and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Callable
from datetime import datetime

from followthru.adapters.store import Store
from followthru.adapters.web.server import address, bind, serve_socket
from followthru.adapters.web.token import load_token
from followthru.config import Config, Listen, parse_listen
from followthru.errors import UsageError
from followthru.service.contacts import Service

DEFAULT_LISTEN = Listen("127.0.0.1", 8025)


def listen_of(config: Config, text: str | None) -> Listen:
    """--listen, else dashboard.listen, else 127.0.0.1:8025."""
    if text is None:
        return config.dashboard.listen or DEFAULT_LISTEN
    try:
        return parse_listen(text)
    except ValueError as exc:
        raise UsageError(f"--listen {exc}") from None


def url(config: Config, listen: Listen) -> str:
    return f"http://{listen}/?token={load_token(config.store_path)}"


def serve(
    config: Config, text: str | None, *, print_url: bool, clock: Callable[[], datetime]
) -> int:
    listen = listen_of(config, text)
    if print_url:
        print(url(config, listen))
        return 0
    load_token(config.store_path)  # made before the port opens: whoever connects can use it
    sock = bind(listen)
    print(f"followthru: the dashboard is at {address(sock)} (`followthru serve --url` adds the token); Ctrl-C stops it",
          flush=True)  # fmt: skip
    with Store.open(config.store_path) as store:
        asyncio.run(_serve(Service(store, config), sock, clock))
    return 0


async def _serve(service: Service, sock: socket.socket, clock: Callable[[], datetime]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread: no signals
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGINT, stop.set)
    await serve_socket(service, sock, clock, stop)
