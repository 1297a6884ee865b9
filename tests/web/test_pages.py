"""The dashboard's pages over a store that changes under them (the daemon or a command writing
on their own connections) and their limits with many contacts."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from followthru.service.dashboard import COLUMN_CARDS
from tests.web.conftest import followthru


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
