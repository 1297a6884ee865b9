"""Reading several messages per command, against Dovecot and pymap: `fetch_messages` gives what
`fetch_message` gives for each UID, and `ImapMailbox.fetch_header_batches` gives fetch_headers'
records, one FETCH per list. Read-only: no \\Seen is set."""

from __future__ import annotations

import pytest

from followthru.adapters.imap import ImapSession
from followthru.adapters.mailbox import ImapMailbox
from tests.adapters.test_imap import message, seed, server_for, session

__all__ = ["session"]  # the fixture
from tests.rig import ImapAccount


def test_fetch_messages_is_fetch_message_for_each(
    imap_server: ImapAccount, session: ImapSession
) -> None:
    uids = seed(imap_server, 5)
    bigger = message(9, Subject="x" * 3000)
    big_uid = imap_server.append("INBOX", bigger)
    assert big_uid is not None
    session.select("INBOX")
    wanted = [*uids, big_uid]

    for limit in (40, 1000, 1_000_000):
        got = session.fetch_messages(wanted, limit)
        assert got == {uid: session.fetch_message(uid, limit) for uid in wanted}
    assert session.fetch_messages([big_uid], 1_000_000) == {big_uid: bigger}
    assert session.fetch_messages([uids[2]], 1_000_000) == {uids[2]: message(2)}
    assert session.flags(wanted) == {uid: frozenset() for uid in wanted}  # BODY.PEEK


def test_fetch_messages_leaves_out_what_is_gone(
    imap_server: ImapAccount, session: ImapSession
) -> None:
    uids = seed(imap_server, 3)
    session.select("INBOX")
    gone = uids[-1] + 10
    assert session.fetch_messages([uids[0], gone, uids[2]], 1000) == {
        uids[0]: message(0),
        uids[2]: message(2),
    }
    assert session.fetch_messages([gone], 1000) == {}
    assert session.fetch_messages([], 1000) == {}
    assert session.fetch_message(gone, 1000) is None


@pytest.mark.parametrize("batch", [1, 2, 5, 1000])
async def test_header_batches_are_the_header_records_a_fetch_at_a_time(
    imap_server: ImapAccount, batch: int
) -> None:
    uids = seed(imap_server, 5)
    async with await ImapMailbox.connect(server_for(imap_server), imap_server.password) as box:
        await box.select("INBOX")
        lists = [records async for records in box.fetch_header_batches(uids, batch)]
        flat = [record async for record in box.fetch_headers(uids, batch)]
        assert [len(records) for records in lists] == [
            len(uids[i : i + batch]) for i in range(0, len(uids), batch)
        ]
        assert [r for records in lists for r in records] == flat
        assert [r.uid for r in flat] == uids
        assert [records async for records in box.fetch_header_batches([], batch)] == []
        bodies = await box.fetch_messages(uids[:2], 20)
        assert bodies == {uid: message(n)[:20] for n, uid in enumerate(uids[:2])}
