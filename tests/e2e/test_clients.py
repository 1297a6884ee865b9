"""Drafts survive real mail clients (SPEC "Drafts survive real mail clients"), on Dovecot and
pymap, with the scripted clients of tests/e2e/clients.py: for each client, edit + flag, edit +
send from the client, edit + delete, edit then `followthru edit`, edit then `approve`. Each
ends with exactly the deliveries the user meant (0 or 1), the user's text, the right
recipients, nothing left in Drafts, and the try counted once."""

from __future__ import annotations

import asyncio
import json
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from followthru.adapters.store import Store
from followthru.config import load_config
from tests.e2e.clients import CLIENTS, COLLEAGUE, USER_TEXT, Client
from tests.e2e.test_sending import cli, queue
from tests.e2e.test_watch import ADD_BOB
from tests.e2e.test_watch_faults import kill_at
from tests.rig import ImapAccount
from tests.rig.smtpd import SmtpServer

NOW = "2026-03-02T15:30:00+00:00"  # Monday 16:30 in Berlin, inside the send window
LATER, LATEST = "2026-03-02T15:35:00+00:00", "2026-03-02T15:40:00+00:00"
BOB = "bob@acme.example"
FOLLOWTHRU_LINE = "P.S. added with followthru edit."
EDITOR = f"""import sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
open(path, "w", encoding="utf-8").write(text.rstrip("\\n") + "\\n\\n{FOLLOWTHRU_LINE}\\n")
"""


@pytest.fixture
def client_config(config: Path, smtpd: SmtpServer, tmp_path: Path) -> Path:
    """The e2e config with SMTP on the test server and the shipped letters (with their
    [[ADD: ...]] placeholders: the user's edit fills them)."""
    (tmp_path / "credentials" / "smtp").write_text(smtpd.password)
    data = json.loads(config.read_text())
    data["accounts"][0]["smtp"] = {"host": smtpd.host, "port": smtpd.port, "tls": "none",
                                   "username": smtpd.username, "credential": "smtp"}  # fmt: skip
    config.write_text(json.dumps(data))
    return config


async def start(config: Path, capsys: pytest.CaptureFixture[str], server: ImapAccount,
                kind: str) -> tuple[Client, int]:  # fmt: skip
    await cli(config, capsys, *ADD_BOB, "--name", "Bob Stone", "--now", NOW)
    await cli(config, capsys, "run", "--once", "--now", NOW)
    client = Client(kind, server)
    [item] = await queue(config, capsys)
    client.edit()
    return client, int(str(item["id"]))


def delivered_text(smtpd: SmtpServer) -> list[tuple[tuple[str, ...], str]]:
    out = []
    for received in smtpd.messages:
        msg = message_from_bytes(received.data, policy=policy.default)
        body = msg.get_body(("plain",))
        out.append((received.rcpt_tos, body.get_content() if body is not None else ""))
    return out


def tries(config: Path) -> tuple[str, int]:
    """Bob's state and how many messages the user sent him (the try, counted once)."""
    with Store.open(load_config(config).store_path) as store:
        row = store.contacts.find(BOB)
        assert row is not None
        [(_, snapshot)] = store.contacts.snapshots(contact_id=row.id)
        assert snapshot is not None
        return snapshot.state.value, snapshot.next_try


async def notices(config: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The kinds `followthru notices --json` lists (and its JSON shape)."""
    rows = json.loads(await cli(config, capsys, "notices", "--json"))
    assert all(set(r) == {"id", "at", "kind", "contact", "item", "text", "read"} for r in rows)
    return [r["kind"] for r in rows]


@pytest.mark.parametrize("kind", CLIENTS)
async def test_edit_then_flag_sends_the_users_version_once(
    imap_server: ImapAccount, client_config: Path, smtpd: SmtpServer,
    capsys: pytest.CaptureFixture[str], kind: str,
) -> None:  # fmt: skip
    client, _ = await start(client_config, capsys, imap_server, kind)
    client.flag()
    await cli(client_config, capsys, "run", "--once", "--now", LATER)
    client.expunge_late()
    await cli(client_config, capsys, "run", "--once", "--now", LATEST)
    to = (COLLEAGUE,) if kind == "mutt" else (BOB,)
    [(rcpt, text)] = delivered_text(smtpd)
    assert rcpt == to and USER_TEXT in text and "[[ADD" not in text
    assert client.drafts() == {}
    [item] = await queue(client_config, capsys)
    assert item["status"] == "sent"
    assert tries(client_config) == ("awaiting_reply", 1)
    assert ("recipient_changed" in await notices(client_config, capsys)) is (kind == "mutt")
    if kind == "mutt":  # the colleague the user wrote to instead counts as Bob's from now on
        with Store.open(load_config(client_config).store_path) as store:
            row = store.contacts.find(COLLEAGUE)
            assert row is not None and row.email == BOB


@pytest.mark.parametrize("kind", CLIENTS)
async def test_edit_then_send_from_the_client_is_the_try(
    imap_server: ImapAccount, client_config: Path, smtpd: SmtpServer,
    capsys: pytest.CaptureFixture[str], kind: str,
) -> None:  # fmt: skip
    client, _ = await start(client_config, capsys, imap_server, kind)
    client.send()
    await cli(client_config, capsys, "run", "--once", "--now", LATER)
    await cli(client_config, capsys, "run", "--once", "--now", LATEST)
    assert smtpd.messages == [] and len(client.sent_by_client) == 1
    assert client.drafts() == {}
    [item] = await queue(client_config, capsys)
    assert item["status"] in ("sent", "withdrawn")  # ours (its Message-ID) or the user's own
    assert tries(client_config) == ("awaiting_reply", 1)


@pytest.mark.parametrize("kind", CLIENTS)
async def test_edit_then_delete_skips_the_try(
    imap_server: ImapAccount, client_config: Path, smtpd: SmtpServer,
    capsys: pytest.CaptureFixture[str], kind: str,
) -> None:  # fmt: skip
    client, _ = await start(client_config, capsys, imap_server, kind)
    client.delete()
    await cli(client_config, capsys, "run", "--once", "--now", LATER)
    await cli(client_config, capsys, "run", "--once", "--now", LATEST)
    assert smtpd.messages == [] and client.drafts() == {}
    [item] = await queue(client_config, capsys)
    assert item["status"] == "rejected"
    assert tries(client_config) == ("awaiting_reply", 1)  # skipped: the cadence goes on


@pytest.mark.parametrize("kind", CLIENTS)
async def test_edit_then_approve_sends_the_users_version(
    imap_server: ImapAccount, client_config: Path, smtpd: SmtpServer,
    capsys: pytest.CaptureFixture[str], kind: str,
) -> None:  # fmt: skip
    client, item = await start(client_config, capsys, imap_server, kind)
    await cli(client_config, capsys, "run", "--once", "--now", LATER)  # the edit is read
    client.expunge_late()
    await cli(client_config, capsys, "approve", str(item), "--now", LATER)
    await cli(client_config, capsys, "run", "--once", "--now", LATEST)
    [(rcpt, text)] = delivered_text(smtpd)
    assert rcpt == ((COLLEAGUE,) if kind == "mutt" else (BOB,)) and USER_TEXT in text
    assert client.drafts() == {}
    assert tries(client_config) == ("awaiting_reply", 1)


@pytest.mark.parametrize("kind", CLIENTS)
async def test_edit_then_followthru_edit_starts_from_the_users_version(
    imap_server: ImapAccount, client_config: Path, smtpd: SmtpServer,
    capsys: pytest.CaptureFixture[str], kind: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    client, item = await start(client_config, capsys, imap_server, kind)
    await cli(client_config, capsys, "run", "--once", "--now", LATER)  # the edit is read
    client.expunge_late()
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR)
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    await cli(client_config, capsys, "edit", str(item), "--now", LATER)
    await cli(client_config, capsys, "run", "--once", "--now", LATER)  # the draft is replaced
    [(raw, _)] = client.drafts().values()  # Drafts and what will be sent are the same
    body = message_from_bytes(raw, policy=policy.default).get_body(("plain",))
    assert body is not None
    shown = body.get_content()
    assert USER_TEXT in shown and FOLLOWTHRU_LINE in shown
    await cli(client_config, capsys, "approve", str(item), "--now", LATER)
    await cli(client_config, capsys, "run", "--once", "--now", LATEST)
    [(_, text)] = delivered_text(smtpd)
    assert USER_TEXT in text and FOLLOWTHRU_LINE in text
    assert client.drafts() == {}


async def test_a_kill_between_reading_the_flagged_version_and_storing_it_sends_once(
    imap_server: ImapAccount, client_config: Path, smtpd: SmtpServer,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """kill -9 while the daemon reads the user's flagged version (before it is stored): the
    next pass reads it again, stores it, and it goes out once, as the user left it."""
    client, _ = await start(client_config, capsys, imap_server, "gmail")
    client.flag()
    await asyncio.to_thread(
        kill_at, client_config, b"BODY.PEEK[]<0.", "run", "--once", "--now", LATER, "-v"
    )
    assert smtpd.messages == []
    await cli(client_config, capsys, "run", "--once", "--now", LATEST)
    client.expunge_late()
    await cli(client_config, capsys, "run", "--once", "--now", "2026-03-02T15:45:00+00:00")
    [(rcpt, text)] = delivered_text(smtpd)
    assert rcpt == (BOB,) and USER_TEXT in text
    assert client.drafts() == {}
