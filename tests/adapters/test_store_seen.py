"""The store's seen-message bookkeeping in bulk, on real SQLite files: `seen_keys` answers what
`seen_key` answers for each key, `mark_seen_many` records what `mark_seen` records for each
message (with one timestamp), and both keep their answers across a reopen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from followthru.adapters.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "state.db") as opened:
        yield opened


def rows(store: Store) -> list[tuple[str, str, int, int, str]]:
    return list(
        store.conn.execute(
            "SELECT account, folder, uidvalidity, uid, message_key FROM seen ORDER BY folder, uid"
        )
    )


def test_seen_keys_are_the_keys_seen_key_knows(store: Store) -> None:
    store.mail.mark_seen("personal", "INBOX", 7, 1, "<a@x>")
    store.mail.mark_seen("personal", "Sent", 3, 9, "<b@x>")
    store.mail.mark_seen("work", "INBOX", 7, 2, "<c@x>")
    asked = ["<a@x>", "<b@x>", "<c@x>", "<d@x>", "<a@x>"]
    found = store.mail.seen_keys("personal", asked)
    assert found == {k for k in asked if store.mail.seen_key("personal", k)} == {"<a@x>", "<b@x>"}
    assert store.mail.seen_keys("work", asked) == {"<c@x>"}
    assert store.mail.seen_keys("personal", []) == set()
    assert store.mail.seen_keys("other", asked) == set()


def test_seen_keys_asks_in_chunks_and_finds_them_all(store: Store) -> None:
    keys = [f"<m{i}@x>" for i in range(2300)]
    store.mail.mark_seen_many("personal", "INBOX", 1, enumerate(keys[::3], start=1))
    found = store.mail.seen_keys("personal", (k for k in reversed(keys)))  # any iterable
    assert found == set(keys[::3])


def test_seen_keys_match_exactly(store: Store) -> None:
    store.mail.mark_seen("personal", "INBOX", 1, 1, "<A@x>")
    store.mail.mark_seen("personal", "INBOX", 1, 2, "<sha256-0f@followthru.invalid>")
    assert store.mail.seen_keys(
        "personal", ["<a@x>", "<A@x> ", "<sha256-0f@followthru.invalid>"]
    ) == {"<sha256-0f@followthru.invalid>"}


def test_mark_seen_many_records_what_mark_seen_records(tmp_path: Path) -> None:
    messages = [(5, "<a@x>"), (6, "<b@x>"), (9, "<a@x>")]  # one message twice in a folder
    with Store.open(tmp_path / "one.db") as one, Store.open(tmp_path / "many.db") as many:
        for uid, key in messages:
            one.mail.mark_seen("personal", "INBOX", 7, uid, key)
        assert many.mail.mark_seen_many("personal", "INBOX", 7, messages) == 3
        assert rows(one) == rows(many)
        moments = {r[0] for r in many.conn.execute("SELECT seen_at FROM seen")}
        assert len(moments) == 1 and datetime.fromisoformat(moments.pop()).tzinfo is not None


def test_mark_seen_many_ignores_what_was_seen_and_counts_what_is_new(store: Store) -> None:
    store.mail.mark_seen("personal", "INBOX", 7, 1, "<a@x>")
    before = rows(store)
    assert store.mail.mark_seen_many("personal", "INBOX", 7, [(1, "<other@x>"), (2, "<b@x>")]) == 1
    assert rows(store) == [*before, ("personal", "INBOX", 7, 2, "<b@x>")]  # UID 1 kept its key
    assert (
        store.mail.mark_seen_many("personal", "INBOX", 8, [(1, "<a@x>")]) == 1
    )  # a new UIDVALIDITY
    assert store.mail.mark_seen_many("personal", "INBOX", 8, []) == 0
    assert not store.mail.mark_seen("personal", "INBOX", 7, 2, "<b@x>")


def test_marks_last_and_roll_back_with_their_transaction(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with Store.open(path) as store:
        with store.transaction():
            store.mail.mark_seen_many("personal", "INBOX", 7, [(1, "<a@x>"), (2, "<b@x>")])
        with pytest.raises(RuntimeError), store.transaction():
            store.mail.mark_seen_many("personal", "INBOX", 7, [(3, "<c@x>")])
            raise RuntimeError
    with Store.open(path) as store:
        assert store.mail.seen_keys("personal", ["<a@x>", "<b@x>", "<c@x>"]) == {"<a@x>", "<b@x>"}
