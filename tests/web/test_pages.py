"""The dashboard's pages over a store that changes under them (the daemon or a command writing
on their own connections) and their limits with many contacts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from starlette.testclient import TestClient

from followthru.core.model import ContactId
from followthru.service.dashboard import COLUMN_CARDS
from tests.web.conftest import followthru, open_service


def test_a_change_made_by_another_connection_shows_at_once(
    config: Path, client: TestClient
) -> None:
    assert "Dana" not in client.get("/").text  # the decoded contacts are cached now
    followthru(config, "add", "interview", "--email", "dana@acme.example", "--name", "Dana",
               "--at", "2026-03-02T09:00:00+00:00")  # fmt: skip
    assert "Dana" in client.get("/").text
    followthru(config, "outcome", "dana@acme.example", "offer")
    board = client.get("/").text
    assert 'aria-label="closed"' in board


def test_a_long_column_is_cut_and_shown_whole_on_its_own_page(
    config: Path, client: TestClient
) -> None:
    for n in range(COLUMN_CARDS + 2):
        followthru(config, "add", "interview", "--email", f"p{n}@big.example", "--at", "2026-03-09T09:00:00+00:00")  # fmt: skip
    board = client.get("/").text
    assert board.count("p5") >= 1 and f"all {COLUMN_CARDS + 2} scheduled" in board
    assert board.count('article class="card') == COLUMN_CARDS + 2  # 50 scheduled, Bob, Carol
    whole = client.get("/?state=scheduled").text
    assert whole.count('article class="card') == COLUMN_CARDS + 2 and "p0@big.example" in whole
    assert client.get("/?state=nonsense").status_code == 404


def test_a_contact_page_shows_the_notices_about_the_contact_escaped(
    config: Path, client: TestClient
) -> None:
    service = open_service(config)
    try:
        with service.store.transaction():
            service.store.notices.add("moved_on", "No reply from <b>Bob</b>: moved on.",
                                      datetime.fromisoformat("2026-03-20T09:00:00+00:00"),
                                      contact_id=ContactId("1"))  # fmt: skip
    finally:
        service.store.close()
    page = client.get("/contacts/1").text
    assert "<h2>Notices</h2>" in page and "moved_on" in page
    assert "No reply from &lt;b&gt;Bob&lt;/b&gt;: moved on." in page
    assert "nothing to tell" in client.get("/contacts/2").text
