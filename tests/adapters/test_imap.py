"""The IMAP adapter (ImapSession and the async ImapMailbox) against Dovecot and pymap.

Real servers only (tests/rig); failures on the wire come from a loopback FaultProxy that
cuts, black-holes or says `* BYE`. Throughput is printed, never asserted.
"""

from __future__ import annotations

import ast
import asyncio
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from followthru.adapters import imapdata as imap_module
from followthru.adapters.headerparse import parse_headers
from followthru.adapters.imap import ImapSession
from followthru.adapters.imapdata import HEADER_FIELDS, HeaderRecord
from followthru.adapters.mailbox import ImapMailbox
from followthru.config import Server, TlsMode
from followthru.errors import MailboxUnavailable
from tests.rig import ImapAccount
from tests.rig.dovecot import DovecotAccount
from tests.rig.proxy import FaultProxy

WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def server_for(
    account: ImapAccount,
    *,
    host: str | None = None,
    port: int | None = None,
    tls: TlsMode = "none",
    timeout: float = 5.0,
) -> Server:
    cafile = account.cafile if tls != "none" else None
    return Server(
        host or account.host, port or account.port, tls, account.username, None, cafile, timeout
    )


@pytest.fixture
def session(imap_server: ImapAccount) -> Iterator[ImapSession]:
    opened = ImapSession.connect(server_for(imap_server), imap_server.password)
    yield opened
    opened.logout()


def message(n: int, **extra: str) -> bytes:
    headers = {
        "From": f"Recruiter {n} <r{n}@acme.example>",
        "To": "Jane Doe <jane@example.org>",
        "Subject": f"Re: Interview {n}",
        "Date": "Mon, 02 Mar 2026 09:30:00 +0000",
        "Message-ID": f"<m{n}@acme.example>",
        "In-Reply-To": f"<sent{n}@example.org>",
        "References": f"<first{n}@example.org> <sent{n}@example.org>",
        **extra,
    }
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (head + f"\r\nHello Jane,\r\nmessage {n}.\r\n").encode()


def seed(account: ImapAccount, count: int, folder: str = "INBOX") -> list[int]:
    uids = account.append_many(folder, [message(n) for n in range(count)], msg_time=WHEN)
    return [uid for uid in uids if uid is not None]


def later(seconds: float, action: Callable[[], object]) -> threading.Thread:
    """Run `action` on another thread after `seconds` (join the returned thread)."""

    def run() -> None:
        time.sleep(seconds)
        action()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


# --- folders --------------------------------------------------------------------------


def test_select_and_status_describe_the_folder(
    imap_server: ImapAccount, session: ImapSession
) -> None:
    uids = seed(imap_server, 2)

    state = session.select("INBOX")
    sent = session.status(imap_server.special_use["\\Sent"])

    assert state.uidvalidity == imap_server.uidvalidity("INBOX")
    assert state.exists == 2
    assert state.uidnext is not None and state.uidnext > max(uids)
    assert session.readonly and session.selected == state
    assert (sent.exists, sent.uidnext is not None) == (0, True)
    has_condstore = "CONDSTORE" in session.capabilities  # Dovecot yes, pymap no
    assert (state.highestmodseq is not None) == has_condstore
    assert (sent.highestmodseq is not None) == has_condstore


def test_a_missing_folder_is_an_error_but_the_session_goes_on(session: ImapSession) -> None:
    with pytest.raises(MailboxUnavailable, match="the server said"):
        session.select("No such folder")
    assert not session.broken
    assert session.select("INBOX").exists == 0


def test_uidvalidity_change_after_recreating_a_folder(
    imap_server: ImapAccount, session: ImapSession
) -> None:
    imap_server.create_folder("Archive")
    before = session.select("Archive").uidvalidity
    session.select("INBOX")

    imap_server.recreate_folder("Archive")

    assert session.select("Archive").uidvalidity != before


@pytest.mark.dovecot
def test_uidvalidity_change_of_inbox_on_dovecot(dovecot_imap: DovecotAccount) -> None:
    for n in range(3):
        dovecot_imap.deliver("INBOX", message(n))
    first = ImapSession.connect(server_for(dovecot_imap), dovecot_imap.password)
    before = first.select("INBOX")
    first.logout()

    dovecot_imap.reset_uidvalidity("INBOX")
    dovecot_imap.deliver("INBOX", message(3))
    second = ImapSession.connect(server_for(dovecot_imap), dovecot_imap.password)
    try:
        after = second.select("INBOX")
        uids = second.uids_after(0)
    finally:
        second.logout()

    assert after.uidvalidity != before.uidvalidity
    assert uids == [1, 2, 3, 4]  # renumbered from 1: old watermarks mean nothing now


# --- searching ------------------------------------------------------------------------


def test_uids_after_filters_the_star_quirk(imap_server: ImapAccount, session: ImapSession) -> None:
    uids = seed(imap_server, 3)
    session.select("INBOX")

    assert session.uids_after(0) == uids
    assert session.uids_after(uids[0]) == uids[1:]
    # `n:*` matches the highest UID even when n is above it; both servers do this.
    assert session.client.search(["UID", f"{uids[-1] + 50}:*"]) == [uids[-1]]
    assert session.uids_after(uids[-1]) == []
    assert session.uids_after(uids[-1] + 50) == []


def test_searches_run_in_uid_windows(
    imap_server: ImapAccount, session: ImapSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    uids = seed(imap_server, 7)
    monkeypatch.setattr(imap_module, "SEARCH_WINDOW", 2)
    session.select("INBOX")

    assert session.uids_after(0) == uids
    assert session.uids_after(uids[2]) == uids[3:]
    assert session.uids_since(WHEN.date()) == uids


def test_uids_since_selects_by_arrival_date(imap_server: ImapAccount, session: ImapSession) -> None:
    old = imap_server.append("INBOX", message(1), msg_time=WHEN - timedelta(days=100))
    new = imap_server.append("INBOX", message(2), msg_time=WHEN)
    session.select("INBOX")

    assert session.uids_since(WHEN.date() - timedelta(days=90)) == [new]
    assert session.uids_since(date(2000, 1, 1)) == [old, new]


# --- fetching -------------------------------------------------------------------------


def test_fetched_headers_match_the_appended_messages(
    imap_server: ImapAccount, session: ImapSession
) -> None:
    raws = [
        message(1),
        message(2, **{"X-Autoreply": "yes", "Auto-Submitted": "auto-replied"}),
        message(3, **{"List-Id": "<jobs.acme.example>", "Subject": "=?utf-8?q?Gr=C3=BC=C3=9Fe?="}),
    ]
    raws = [raw.replace(b"\r\n\r\n", b"\r\nX-Not-Fetched: secret\r\n\r\n", 1) for raw in raws]
    uids = imap_server.append_many("INBOX", raws, flags=[b"\\Flagged"], msg_time=WHEN)
    session.select("INBOX")

    records = list(session.fetch_headers(session.uids_after(0)))

    assert [r.uid for r in records] == uids
    for record, raw in zip(records, raws, strict=True):
        parsed, expected = parse_headers(record.header), parse_headers(raw)
        assert (parsed.message_id, parsed.in_reply_to, parsed.references) == (
            expected.message_id,
            expected.in_reply_to,
            expected.references,
        )
        assert (parsed.from_, parsed.to, parsed.subject) == (
            expected.from_,
            expected.to,
            expected.subject,
        )
        assert b"X-Not-Fetched" not in record.header
        assert record.flags == frozenset({"\\Flagged"})
        assert record.internaldate == WHEN
        assert record.size == len(raw)
        assert (record.gm_msgid, record.gm_thrid) == (None, None)  # not Gmail
    assert parse_headers(records[1].header).headers.get("auto-submitted") == "auto-replied"
    assert parse_headers(records[2].header).subject == "Grüße"


def test_fetch_message_is_bounded_and_none_when_gone(
    imap_server: ImapAccount, session: ImapSession
) -> None:
    raw = message(1)
    uid = imap_server.append("INBOX", raw)
    assert uid is not None
    session.select("INBOX")

    assert session.fetch_message(uid, 40) == raw[:40]
    assert session.fetch_message(uid, 1_000_000) == raw
    assert session.fetch_message(uid + 10, 1000) is None


def test_reading_never_sets_seen(imap_server: ImapAccount, session: ImapSession) -> None:
    uids = seed(imap_server, 2)
    session.select("INBOX")

    list(session.fetch_headers(uids))
    session.fetch_message(uids[0], 10_000)

    assert session.flags(uids) == {uid: frozenset() for uid in uids}
    with imap_server.session() as other:  # a second opinion, from a fresh connection
        other.select_folder("INBOX", readonly=True)
        assert all(b"\\Seen" not in f for f in other.get_flags(uids).values())


def test_a_5000_message_header_scan_streams_in_batches(
    imap_server: ImapAccount, session: ImapSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    count, batch, rounds = _seed_many(imap_server)
    session.select("INBOX")
    uids = session.uids_after(0)
    calls: list[int] = []
    fetch_batch = session.fetch_header_batch

    def counting(chunk: Sequence[int]) -> list[HeaderRecord]:
        calls.append(len(chunk))
        return fetch_batch(chunk)

    monkeypatch.setattr(session, "fetch_header_batch", counting)
    stream = session.fetch_headers(uids, batch=batch)
    first = next(stream)
    assert calls == [batch]  # lazy: one FETCH so far
    records = [first, *stream]
    assert len(records) == count and calls == [batch] * (count // batch)
    # Dovecot numbers Maildir files in the order it reads the folder, not by name: compare sets.
    read = {parse_headers(record.header).message_id for record in records}
    assert read == {f"<m{n}@acme.example>" for n in range(count)}

    ours, raw = _timed_scans(imap_server, session, uids, batch, rounds)
    print(
        f"\n{imap_server.kind}: header FETCH of {count} messages, {batch} per FETCH, median of "
        f"{rounds}: followthru {count / ours:,.0f} msg/s, raw imapclient {count / raw:,.0f} "
        f"msg/s (followthru takes {ours / raw:.2f}x the raw time)"
    )


def _seed_many(account: ImapAccount) -> tuple[int, int, int]:
    """(messages, batch, timed rounds): 5,000 on Dovecot (written into the Maildir); pymap
    only takes APPEND, so 1,000 there."""
    if isinstance(account, DovecotAccount):
        for n in range(5000):
            account.deliver("INBOX", message(n), msg_time=WHEN)
        return 5000, 1000, 3
    with account.session() as client:
        client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # see _tune
        for n in range(1000):
            client.append("INBOX", message(n), msg_time=WHEN)
    return 1000, 200, 1


def _timed_scans(
    account: ImapAccount, session: ImapSession, uids: list[int], batch: int, rounds: int
) -> tuple[float, float]:
    """Median seconds of our scan and of a raw imapclient loop, alternating, same run."""
    ours, raw = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        for _record in session.fetch_headers(uids, batch=batch):
            pass
        ours.append(time.perf_counter() - started)
        raw.append(_raw_imapclient_scan(account, uids, batch))
    return statistics.median(ours), statistics.median(raw)


def _raw_imapclient_scan(account: ImapAccount, uids: list[int], batch: int) -> float:
    """The baseline: the same FETCH items with imapclient alone."""
    items = ["FLAGS", "INTERNALDATE", "RFC822.SIZE", imap_module.HEADER_ITEM]
    with account.session() as client:
        client.select_folder("INBOX", readonly=True)
        started = time.perf_counter()
        for start in range(0, len(uids), batch):
            client.fetch(uids[start : start + batch], items)
        return time.perf_counter() - started


# --- writing our own messages ---------------------------------------------------------


def _without(session: ImapSession, capability: str) -> None:
    """Pretend the server lacks a capability (the adapter reads `session.capabilities`)."""
    session.capabilities = session.capabilities - {capability}


@pytest.mark.parametrize("uidplus", [True, False])
def test_append_returns_the_uid(
    imap_server: ImapAccount, session: ImapSession, uidplus: bool
) -> None:
    drafts = imap_server.special_use["\\Drafts"]
    seed(imap_server, 1, drafts)  # someone else's draft is already there
    if not uidplus:
        _without(session, "UIDPLUS")
    session.select("INBOX")

    uid = session.append(drafts, message(9), flags=["\\Draft", "\\Seen"], msg_time=WHEN)

    assert session.selected is not None and session.selected.folder == "INBOX"  # restored
    session.select(drafts)
    assert uid is not None and session.uids_after(0)[-1] == uid
    assert session.flags([uid])[uid] == frozenset({"\\Draft", "\\Seen"})
    assert parse_headers(session.fetch_message(uid, 4096) or b"").message_id == "<m9@acme.example>"


@pytest.mark.parametrize("uidplus", [True, False])
def test_remove_own_removes_only_our_message(
    imap_server: ImapAccount, session: ImapSession, uidplus: bool
) -> None:
    drafts = imap_server.special_use["\\Drafts"]
    users = imap_server.append(drafts, message(1), flags=[b"\\Draft"])
    users_deleted = imap_server.append(drafts, message(2), flags=[b"\\Deleted"])
    ours = session.append(drafts, message(3), flags=["\\Draft"])
    assert ours is not None and users_deleted is not None
    if not uidplus:
        _without(session, "UIDPLUS")

    expunged = session.remove_own(drafts, [ours])

    assert expunged is uidplus
    session.select(drafts)
    left = session.uids_after(0)
    assert [users, users_deleted] == [uid for uid in left if uid != ours]
    assert (ours in left) is not uidplus  # without UIDPLUS it waits, marked \Deleted
    assert "\\Deleted" in session.flags(left)[users_deleted]  # the user's own, untouched
    if not uidplus:
        assert "\\Deleted" in session.flags([ours])[ours]


# --- IDLE -----------------------------------------------------------------------------


async def test_idle_sees_an_append_from_another_connection(imap_server: ImapAccount) -> None:
    async with await ImapMailbox.connect(server_for(imap_server), imap_server.password) as box:
        await box.select("INBOX")
        appended: list[float] = []

        def append() -> None:
            appended.append(time.monotonic())
            imap_server.append("INBOX", message(1))

        writer = later(0.3, append)
        result = await box.idle_wait(10.0)
        seen = time.monotonic()
        writer.join()
        new = await box.uids_after(0)

    assert result.changed and any(kind == "EXISTS" for _n, kind in result.events)
    assert len(new) == 1
    latency = seen - appended[0]
    print(f"\n{imap_server.kind}: IDLE saw the APPEND {latency * 1000:.0f} ms after it began")
    assert latency < imap_server.idle_delay + 2.0


def test_a_quiet_idle_times_out_and_the_session_goes_on(session: ImapSession) -> None:
    session.select("INBOX")
    started = time.monotonic()

    result = session.idle_wait(0.5)

    assert not result.changed and result.supported
    assert 0.5 <= time.monotonic() - started < 2.0
    assert session.status("INBOX").exists == 0


def test_without_idle_the_caller_is_told_to_poll(session: ImapSession) -> None:
    _without(session, "IDLE")
    result = session.idle_wait(30.0)
    assert (result.supported, result.changed) == (False, False)


# --- failures on the wire -------------------------------------------------------------

TIMEOUT = 1.0  # the configured read timeout in these tests


@pytest.fixture
def proxy(imap_server: ImapAccount) -> Iterator[FaultProxy]:
    with FaultProxy(imap_server.host, imap_server.port) as running:
        yield running


@pytest.fixture
def proxied(imap_server: ImapAccount, proxy: FaultProxy) -> Iterator[ImapSession]:
    server = server_for(imap_server, host=proxy.host, port=proxy.port, timeout=TIMEOUT)
    opened = ImapSession.connect(server, imap_server.password)
    opened.select("INBOX")
    yield opened
    started = time.monotonic()
    opened.logout()
    assert time.monotonic() - started < 0.5  # a broken session closes without waiting


FAULTS: dict[str, Callable[[FaultProxy], None]] = {
    "bye": lambda p: p.inject_bye(),
    "cut": lambda p: p.cut(),
    "reset": lambda p: p.cut(reset=True),
    "black hole": lambda p: p.black_hole(),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_during_idle_is_mailbox_unavailable(
    proxy: FaultProxy, proxied: ImapSession, fault: str
) -> None:
    trigger = later(0.3, lambda: FAULTS[fault](proxy))
    started = time.monotonic()

    with pytest.raises(MailboxUnavailable) as caught:
        proxied.idle_wait(0.5 if fault == "black hole" else 30.0)

    trigger.join()
    elapsed = time.monotonic() - started
    assert proxied.broken
    print(f"\n{fault} during IDLE: {caught.value} ({elapsed:.2f} s)")
    # black hole: the 0.5 s IDLE ends, then DONE gets no answer within the read timeout
    assert elapsed < (0.5 + TIMEOUT + 1.0 if fault == "black hole" else 2.0)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_fault_between_commands_is_mailbox_unavailable(
    proxy: FaultProxy, proxied: ImapSession, fault: str
) -> None:
    if fault == "bye":
        proxy.inject_bye(close=False)  # the BYE waits in the socket for the next command
    else:
        FAULTS[fault](proxy)
    started = time.monotonic()

    with pytest.raises(MailboxUnavailable) as caught:
        proxied.status("INBOX")
    print(f"\n{fault} between commands: {caught.value}")

    assert time.monotonic() - started < TIMEOUT + 1.0
    assert proxied.broken


def test_a_black_holed_connect_times_out(imap_server: ImapAccount, proxy: FaultProxy) -> None:
    proxy.black_hole()
    server = server_for(imap_server, host=proxy.host, port=proxy.port, timeout=TIMEOUT)
    started = time.monotonic()

    with pytest.raises(MailboxUnavailable, match="timed out"):
        ImapSession.connect(server, imap_server.password)

    assert time.monotonic() - started < TIMEOUT + 1.0


def test_the_proxy_passes_through_again(imap_server: ImapAccount, proxy: FaultProxy) -> None:
    server = server_for(imap_server, host=proxy.host, port=proxy.port, timeout=TIMEOUT)
    proxy.black_hole()
    proxy.pass_through()
    opened = ImapSession.connect(server, imap_server.password)
    try:
        assert opened.select("INBOX").exists == 0
        assert proxy.connections == 1
    finally:
        opened.logout()


async def test_aclose_ends_a_running_idle_at_once(imap_server: ImapAccount) -> None:
    box = await ImapMailbox.connect(server_for(imap_server, timeout=10.0), imap_server.password)
    await box.select("INBOX")
    waiting = asyncio.create_task(box.idle_wait(60.0))
    await asyncio.sleep(0.3)
    waiting.cancel()  # what a TaskGroup does on SIGTERM
    started = time.monotonic()

    await box.aclose()

    assert time.monotonic() - started < 1.0
    with pytest.raises(MailboxUnavailable, match="closed"):
        await box.status("INBOX")


# --- the async wrapper, TLS, keepalive ------------------------------------------------


async def test_mailbox_on_an_exit_stack(imap_server: ImapAccount) -> None:
    uids = seed(imap_server, 3)
    async with AsyncExitStack() as stack:
        box = await stack.enter_async_context(
            await ImapMailbox.connect(server_for(imap_server), imap_server.password)
        )
        threads = {t.name for t in threading.enumerate()}
        await box.select("INBOX")
        records = [r async for r in box.fetch_headers(await box.uids_after(0), batch=2)]
        assert [r.uid for r in records] == uids
        assert await box.fetch_message(uids[0], 20) == message(0)[:20]
        assert any(name.startswith("imap-") for name in threads)
    for _ in range(100):  # the executor's thread ends soon after aclose()
        if not any(t.name.startswith("imap-") for t in threading.enumerate()):
            break
        await asyncio.sleep(0.01)
    assert not any(t.name.startswith("imap-") for t in threading.enumerate())


@pytest.mark.dovecot
@pytest.mark.parametrize("tls", ["implicit", "starttls"])
def test_tls_with_the_rig_ca(dovecot_imap: DovecotAccount, tls: TlsMode) -> None:
    port = dovecot_imap.tls_port if tls == "implicit" else dovecot_imap.port
    server = server_for(dovecot_imap, host="localhost", port=port, tls=tls)
    uid = dovecot_imap.append("INBOX", message(1))
    opened = ImapSession.connect(server, dovecot_imap.password)
    try:
        opened.select("INBOX")
        assert [r.uid for r in opened.fetch_headers([uid or 0])] == [uid]
        assert opened.client.socket().getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)
    finally:
        opened.logout()
    assert dovecot_imap.server_errors() == []


def test_tcp_keepalive_is_on(session: ImapSession) -> None:
    sock = session.client.socket()
    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    if hasattr(socket, "TCP_KEEPIDLE"):
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 60


# --- HEADER_FIELDS covers what the core reads -----------------------------------------


def test_header_fields_cover_every_header_the_core_reads() -> None:
    package = Path(imap_module.__file__).parents[1]
    read = _headers_read(package / "adapters" / "headerparse.py", ("get", "get_all", "raw_all"))
    assert {"message-id", "references", "from", "cc", "date"} <= read  # parse_headers
    for path in sorted((package / "core").rglob("*.py")):
        read |= _headers_read(path, ("header", "has"))
    assert {"x-autoreply", "list-id", "return-path"} <= read  # the scan still works

    missing = read - {field.lower() for field in HEADER_FIELDS}
    assert not missing, f"add these to HEADER_FIELDS: {sorted(missing)}"


def _headers_read(path: Path, methods: tuple[str, ...]) -> set[str]:
    """Header names passed to `methods` of a message's own headers: literals, or the loop
    variable of a `for name in (...)` over literals or over a module-level tuple."""
    tree = ast.parse(path.read_text())
    tuples = {
        target.id: _strings(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    loops: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            values = _strings(node.iter) or tuples.get(getattr(node.iter, "id", ""), set())
            loops.setdefault(node.target.id, set()).update(values)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _reads_own_header(node, methods):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value.lower())
            elif isinstance(arg, ast.Name):
                found |= loops.get(arg.id, set())
    return found


def _reads_own_header(node: ast.Call, methods: tuple[str, ...]) -> bool:
    if not (isinstance(node.func, ast.Attribute) and node.func.attr in methods and node.args):
        return False
    receiver = node.func.value
    if isinstance(receiver, ast.Name):
        return receiver.id in ("heads", "msg", "message")
    # msg.headers.has(...) yes; msg.original_headers / msg.delivery_fields (embedded) no
    return isinstance(receiver, ast.Attribute) and receiver.attr == "headers"


def _strings(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Tuple | ast.List):
        items = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        if items and all(isinstance(i, str) for i in items):
            return {str(i).lower() for i in items}
    return set()
