"""Fixtures for the dashboard tests: a store built by the commands (in-process, as a user
would), a config pointing at it, and the dashboard's token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from followthru.adapters.store import Store
from followthru.adapters.template_check import check_templates
from followthru.adapters.web.routes import create_app
from followthru.adapters.web.token import load_token
from followthru.cli import main
from followthru.config import load_config
from followthru.resources import example_config
from followthru.service.contacts import Service
from followthru.service.dashboard import Dashboard
from followthru.service.outbox import Outbox

NOW = "2026-03-02T15:30:00+00:00"
PLAIN_THANKS = "Subject: Thank you, {{ contact.first_name or 'there' }}\n\nThank you for today.\n"
BASE = "http://127.0.0.1:8025"


def followthru(config: Path, *argv: str) -> None:
    assert main([*argv, "--config", str(config), "--now", NOW]) == 0


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config on a tmp store holding Bob (interviewed: a thank-you to approve) and Carol
    (a referral from Bob), made by `followthru add`."""
    path = tmp_path / "config.yaml"
    letters = tmp_path / "letters"  # a thank-you without [[ADD: ...]]: approvable as written
    letters.mkdir()
    (letters / "thank_you.txt.j2").write_text(PLAIN_THANKS)
    text = example_config().read_text()
    text = text.replace("  path: null ", f"  path: {tmp_path / 'state' / 'state.db'} ")
    path.write_text(text.replace("templates_dir: null", f"templates_dir: {letters}"))
    followthru(path, "add", "interview", "--email", "bob@acme.example", "--name", "Bob Stone",
               "--company", "Acme", "--role", "Platform engineer", "--at", "2026-03-02T14:00:00+00:00")  # fmt: skip
    followthru(path, "add", "referral", "--email", "carol@beta.example", "--name", "Carol",
               "--source", "bob@acme.example")  # fmt: skip
    service = open_service(path)  # the drafts written, as the daemon's next pass would
    try:
        Outbox(service, check_templates(letters)).prepare(datetime.fromisoformat(NOW))
    finally:
        service.store.close()
    return path


def open_service(config: Path) -> Service:
    loaded = load_config(config)
    return Service(Store.open(loaded.store_path), loaded)


@pytest.fixture
def token(config: Path) -> str:
    return load_token(load_config(config).store_path)


class OnLoopThread:
    """The dashboard opened on the thread that serves it (TestClient runs the app on a thread
    of its own; the store's SQLite connection belongs to the thread that opened it, as in the
    daemon, where it is the event loop's)."""

    def __init__(self, config: Path, token: str) -> None:
        self.config, self.token = config, token
        self.service: Service | None = None
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            if self.service is not None:
                self.service.store.close()
            await send({"type": "lifespan.shutdown.complete"})
            return
        if self.app is None:
            self.service = open_service(self.config)
            clock = lambda: datetime.fromisoformat(NOW)  # noqa: E731
            self.app = create_app(Dashboard(self.service), clock, self.token)
        await self.app(scope, receive, send)


@pytest.fixture
def client(config: Path, token: str) -> Iterator[TestClient]:
    """A client that has the token (as a header) and speaks to 127.0.0.1."""
    app = OnLoopThread(config, token)
    with TestClient(app, base_url=BASE, headers={"X-Followthru-Token": token}) as client:
        yield client
