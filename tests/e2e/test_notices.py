"""The user is told where they live, on real servers: the digest in the INBOX once a day
(none on a day with nothing to say, none again after a restart), never read back as mail,
and a note to self sent from the client closes its task (Dovecot and pymap)."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from followthru.core.digest import MARKER
from tests.e2e.test_watch import ADD_BOB, cli, event_count
from tests.rig import ImapAccount


@pytest.fixture
def digest_config(config: Path) -> Path:
    data = json.loads(config.read_text())
    data["notify"] = {"digest_at": "08:00", "digest_days": "mon-fri"}
    config.write_text(json.dumps(data))
    return config


def ours_in_inbox(server: ImapAccount) -> list[tuple[str, bool]]:
    """(kind, unread) of followthru's own messages in the INBOX."""
    with server.session() as client:
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        data = client.fetch(uids, ["BODY.PEEK[HEADER]", "FLAGS"]) if uids else {}
    found = []
    for item in data.values():
        msg = message_from_bytes(item[b"BODY[HEADER]"], policy=policy.default)
        if msg[MARKER]:
            found.append((str(msg[MARKER]), b"\\Seen" not in item[b"FLAGS"]))
    return found


def test_the_digest_reaches_the_inbox_once_a_day_and_is_never_read_back(
    imap_server: ImapAccount, digest_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(at: str) -> str:
        return cli(digest_config, capsys, "run", "--once", "--now", at)

    run("2026-03-02T07:30:00+00:00")
    assert ours_in_inbox(imap_server) == []  # Monday 08:30, nothing to say: no digest today
    cli(digest_config, capsys, *ADD_BOB, "--now", "2026-03-02T15:30:00+00:00")
    run("2026-03-02T15:30:00+00:00")
    assert ours_in_inbox(imap_server) == []  # one digest time a day: Monday's has passed
    run("2026-03-03T07:30:00+00:00")
    assert ours_in_inbox(imap_server) == [("digest", True)]  # Tuesday: unread, in the INBOX
    before = event_count(digest_config)
    for minute in (35, 40):  # restarts the same day: no second digest, and no event from it
        assert "0 about contacts" in run(f"2026-03-03T07:{minute}:00+00:00")
    assert ours_in_inbox(imap_server) == [("digest", True)]
    assert event_count(digest_config) == before
    run("2026-03-04T07:30:00+00:00")
    assert ours_in_inbox(imap_server) == [("digest", True)]  # Wednesday's replaced Tuesday's
