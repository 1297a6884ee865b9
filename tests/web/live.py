"""A real dashboard for browser tests and screenshots: uvicorn on 127.0.0.1, port 0, on a
thread of its own (with its own event loop and its own store connection), stopped by `stop`.
And Debian's chromium, driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from followthru.adapters.store import Store
from followthru.adapters.web.server import address, bind, serve_socket
from followthru.adapters.web.token import load_token
from followthru.config import Listen, load_config
from followthru.service.contacts import Service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def chromium_or_skip() -> str:
    """Debian's chromium; skips without it, unless FOLLOWTHRU_REQUIRE_DOVECOT=1 (CI), where
    a missing browser is a failure."""
    found = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if found is None:
        if os.environ.get("FOLLOWTHRU_REQUIRE_DOVECOT") == "1":
            pytest.fail("chromium is missing (apt-get install chromium) and CI requires it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


@contextmanager
def live_dashboard(config_path: Path, now: str) -> Iterator[str]:
    """The dashboard served for real; yields its address with the token."""
    config = load_config(config_path)
    sock = bind(Listen("127.0.0.1", 0))
    url = f"{address(sock)}?token={load_token(config.store_path)}"
    ready, stop = threading.Event(), None
    loop_box: list[asyncio.AbstractEventLoop] = []
    failure: list[BaseException] = []

    async def main() -> None:
        nonlocal stop
        stop = asyncio.Event()
        loop_box.append(asyncio.get_running_loop())
        with Store.open(config.store_path) as store:
            ready.set()
            await serve_socket(
                Service(store, config), sock, lambda: datetime.fromisoformat(now), stop
            )

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # surfaced in the test's thread
            failure.append(exc)
            ready.set()

    thread = threading.Thread(target=run, name="dashboard", daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield url
    finally:
        if loop_box and stop is not None:
            loop_box[0].call_soon_threadsafe(stop.set)
        thread.join(10)
        assert not thread.is_alive(), "the dashboard did not stop"
    if failure:
        raise failure[0]
