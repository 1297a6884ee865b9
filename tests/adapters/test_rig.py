"""The test rig itself: every fixture, driven by raw imapclient and aiosmtplib.

If these fail, the adapter tests built on the rig cannot be trusted; nothing here uses
followthru code.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
import imapclient
import pytest
from imapclient.exceptions import LoginError

from tests.rig import ImapAccount
from tests.rig import dovecot as dovecot_rig
from tests.rig.dovecot import DovecotAccount, DovecotServer
from tests.rig.smtpd import SmtpServer
from tests.rig.tls import CertFiles, TlsRig

RAW = (
    b"From: Ada <ada@example.org>\r\n"
    b"To: Bob <bob@example.com>\r\n"
    b"Subject: Thanks for the interview\r\n"
    b"Message-ID: <rig-1@example.org>\r\n"
    b"\r\n"
    b"Hello Bob,\r\nthank you.\r\n"
)


# --- IMAP, against Dovecot and pymap -------------------------------------------------


def test_login_lists_the_special_use_folders(imap_server: ImapAccount) -> None:
    with imap_server.session() as client:
        folders = {name: flags for flags, _, name in client.list_folders()}
        capabilities = client.capabilities()

    assert {"INBOX", "Drafts", "Sent"} <= folders.keys()
    assert (b"SPECIAL-USE" in capabilities) == imap_server.advertises_special_use
    assert b"IDLE" in capabilities
    for use, name in imap_server.special_use.items():
        assert (use.encode() in folders[name]) == imap_server.advertises_special_use


@pytest.mark.dovecot
def test_special_use_is_found_by_attribute_on_dovecot(dovecot_imap: DovecotAccount) -> None:
    with dovecot_imap.session() as client:
        assert client.find_special_folder(b"\\Drafts") == "Drafts"
        assert client.find_special_folder(b"\\Sent") == "Sent"


@pytest.mark.parametrize("round_", [1, 2])
def test_each_test_gets_an_empty_mailbox(imap_server: ImapAccount, round_: int) -> None:
    # Both rounds see an empty INBOX although the first one left a message behind.
    assert imap_server.uidvalidity("INBOX") > 0
    with imap_server.session() as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
    imap_server.append("INBOX", RAW)


def test_append_then_fetch_body_peek(imap_server: ImapAccount) -> None:
    sent = imap_server.special_use["\\Sent"]
    when = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    uid = imap_server.append(sent, RAW, flags=[b"\\Flagged"], msg_time=when)

    with imap_server.session() as client:
        client.select_folder(sent)
        assert client.search() == [uid]
        fetched = client.fetch([uid], ["BODY.PEEK[]", "FLAGS", "INTERNALDATE"])[uid]
        flags_after = client.get_flags([uid])[uid]

    assert fetched[b"BODY[]"] == RAW
    assert b"\\Flagged" in fetched[b"FLAGS"]
    assert fetched[b"INTERNALDATE"].astimezone(UTC) == when
    assert b"\\Seen" not in flags_after  # PEEK did not mark it read


def test_idle_reports_a_new_message(imap_server: ImapAccount) -> None:
    watcher = imap_server.connect()
    try:
        watcher.select_folder("INBOX")
        watcher.idle()
        imap_server.append("INBOX", RAW)
        appended = time.monotonic()
        responses = _idle_until_exists(watcher, deadline=appended + 5.0)
        latency = time.monotonic() - appended
        watcher.idle_done()
    finally:
        watcher.logout()

    assert (1, b"EXISTS") in responses
    assert latency < imap_server.idle_delay + 1.0


def test_recreating_a_folder_changes_its_uidvalidity(imap_server: ImapAccount) -> None:
    imap_server.create_folder("Archive")
    old, new = imap_server.recreate_folder("Archive")
    assert old != new


def test_a_wrong_password_is_refused(imap_server: ImapAccount) -> None:
    client = imap_server.connect_unauthenticated()
    try:
        with pytest.raises(LoginError):
            client.login(imap_server.username, "not-the-password")
    finally:
        client.shutdown()


def _idle_until_exists(client: imapclient.IMAPClient, deadline: float) -> list[Any]:
    seen: list[Any] = []
    while time.monotonic() < deadline:
        seen += client.idle_check(timeout=max(0.0, deadline - time.monotonic()))
        if any(len(item) > 1 and item[1] == b"EXISTS" for item in seen):
            break
    return seen


# --- Dovecot only -------------------------------------------------------------------


@pytest.mark.dovecot
def test_dovecot_implicit_tls_with_the_trustme_ca(dovecot_imap: DovecotAccount) -> None:
    with dovecot_imap.session(tls=True) as client:
        assert client.list_folders()
    assert dovecot_imap.server_errors() == []


@pytest.mark.dovecot
def test_dovecot_starttls_on_the_plain_port(dovecot_imap: DovecotAccount) -> None:
    assert dovecot_imap.cafile is not None
    client = dovecot_imap.connect_unauthenticated()
    try:
        client.starttls(ssl.create_default_context(cafile=str(dovecot_imap.cafile)))
        client.login(dovecot_imap.username, dovecot_imap.password)
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
    finally:
        client.logout()


@pytest.mark.dovecot
def test_dovecot_tls_is_refused_without_the_rig_ca(dovecot_imap: DovecotAccount) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        imapclient.IMAPClient(
            dovecot_imap.host,
            dovecot_imap.tls_port,
            ssl=True,
            ssl_context=ssl.create_default_context(),
        )


@pytest.mark.dovecot
def test_dovecot_accepts_xoauth2_with_the_password_as_token(
    dovecot_imap: DovecotAccount,
) -> None:
    client = dovecot_imap.connect_unauthenticated(tls=True)
    try:
        client.oauth2_login(dovecot_imap.username, dovecot_imap.password)
        assert client.list_folders()
    finally:
        client.logout()
    refused = dovecot_imap.connect_unauthenticated(tls=True)
    try:
        with pytest.raises(LoginError):
            refused.oauth2_login(dovecot_imap.username, "expired-token")
    finally:
        refused.shutdown()


@pytest.mark.dovecot
def test_dovecot_deliver_seeds_the_maildir_directly(dovecot_imap: DovecotAccount) -> None:
    started = time.monotonic()
    for n in range(500):
        dovecot_imap.deliver("INBOX", RAW.replace(b"rig-1", b"rig-%d" % n))
    seeding = time.monotonic() - started
    when = datetime(2025, 12, 24, 18, 0, tzinfo=UTC)
    dovecot_imap.deliver("Sent", RAW, flags=("\\Seen", "\\Answered"), msg_time=when)

    with dovecot_imap.session() as client:
        assert client.select_folder("INBOX")[b"EXISTS"] == 500
        client.select_folder("Sent")
        [uid] = client.search()
        fetched = client.fetch([uid], ["FLAGS", "INTERNALDATE", "BODY.PEEK[]"])[uid]

    assert seeding < 5.0
    assert set(fetched[b"FLAGS"]) - {b"\\Recent"} == {b"\\Seen", b"\\Answered"}
    assert fetched[b"INTERNALDATE"].astimezone(UTC) == when
    assert fetched[b"BODY[]"] == RAW  # stored with LF, served with CRLF again


@pytest.mark.dovecot
def test_dovecot_reset_uidvalidity_renumbers_the_inbox(dovecot_imap: DovecotAccount) -> None:
    dovecot_imap.append_many("INBOX", [RAW, RAW])
    old = dovecot_imap.uidvalidity("INBOX")
    dovecot_imap.reset_uidvalidity("INBOX")

    with dovecot_imap.session() as client:
        status = client.select_folder("INBOX")
        uids = client.search()

    assert status[b"UIDVALIDITY"] != old
    assert (status[b"EXISTS"], uids) == (2, [1, 2])


@pytest.mark.dovecot
def test_dovecot_runs_with_the_generated_settings(dovecot_server: DovecotServer) -> None:
    config = dovecot_server.root / "dovecot.conf"
    doveconf = shutil.which("doveconf")  # dovecot-core ships it next to the daemon
    assert doveconf is not None

    def setting(name: str) -> str:
        shown = subprocess.run(
            [doveconf, "-c", str(config), "-h", name],
            capture_output=True,
            text=True,
            check=True,
        )
        return shown.stdout.strip()

    assert setting("service/imap/vsz_limit") == "1 G"
    assert setting("protocols") == "imap"
    assert setting("base_dir") == str(dovecot_server.root / "run")
    assert dovecot_server.start_seconds < 5.0
    assert dovecot_server.pid is not None


@pytest.mark.dovecot
def test_start_dovecot_serves_a_chosen_certificate(start_dovecot: Any, tls_rig: TlsRig) -> None:
    server: DovecotServer = start_dovecot(tls_rig.expired)
    account = server.new_account()  # the plain port still works
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate has expired"):
        account.connect(tls=True)


def test_missing_dovecot_skips_or_fails_as_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dovecot_rig, "find_dovecot", lambda: None)
    monkeypatch.delenv(dovecot_rig.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="dovecot not installed"):
        dovecot_rig.dovecot_or_skip()
    monkeypatch.setenv(dovecot_rig.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="FOLLOWTHRU_REQUIRE_DOVECOT=1"):
        dovecot_rig.dovecot_or_skip()


# --- SMTP -----------------------------------------------------------------------------


def _message(subject: str = "Following up") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "sender@example.org"
    message["To"] = "bob@example.com"
    message["Subject"] = subject
    message.set_content("Hello Bob.\n")
    return message


async def _send(server: SmtpServer, message: EmailMessage | None = None, **options: Any) -> Any:
    options.setdefault("timeout", 5.0)
    return await aiosmtplib.send(
        message or _message(),
        hostname=server.host,
        port=server.port,
        local_hostname="localhost",
        **options,
    )


async def test_smtpd_records_an_authenticated_message(smtpd: SmtpServer) -> None:
    sending = asyncio.create_task(_send(smtpd, username=smtpd.username, password=smtpd.password))
    async with asyncio.timeout(5):
        [received] = await smtpd.wait_for_messages(1)
    await sending

    assert received.mail_from == "sender@example.org"
    assert received.rcpt_tos == ("bob@example.com",)
    assert received.parsed()["Subject"] == "Following up"
    assert (received.login, received.tls, received.outcome) == (smtpd.username, False, "accepted")
    assert smtpd.transcript[-1] == ("DATA", "250 2.0.0 Queued")


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
async def test_smtpd_auth_mechanisms(smtpd: SmtpServer, mechanism: str) -> None:
    client = aiosmtplib.SMTP(
        hostname=smtpd.host, port=smtpd.port, local_hostname="localhost", start_tls=False
    )
    async with client:
        await client.ehlo()
        login = client.auth_plain if mechanism == "PLAIN" else client.auth_login
        response = await login(smtpd.username, smtpd.password)
        await client.send_message(_message())
    assert response.code == 235
    assert smtpd.messages[0].login == smtpd.username


async def test_smtpd_refuses_a_wrong_password(smtpd: SmtpServer) -> None:
    with pytest.raises(aiosmtplib.SMTPAuthenticationError) as refused:
        await _send(smtpd, username=smtpd.username, password="wrong")
    assert refused.value.code == 535
    assert smtpd.messages == []


@pytest.mark.parametrize(
    ("command", "reply", "error"),
    [
        ("MAIL", "451 4.3.0 Try again later", aiosmtplib.SMTPSenderRefused),
        ("MAIL", "553 5.7.1 Sender not allowed", aiosmtplib.SMTPSenderRefused),
        ("RCPT", "450 4.2.0 Mailbox busy", aiosmtplib.SMTPRecipientsRefused),
        ("RCPT", "550 5.1.1 No such user", aiosmtplib.SMTPRecipientsRefused),
        ("DATA", "452 4.3.1 Insufficient storage", aiosmtplib.SMTPDataError),
        ("DATA", "554 5.7.1 Message rejected", aiosmtplib.SMTPDataError),
    ],
)
async def test_smtpd_scripted_failure_then_success(
    smtpd: SmtpServer, command: Any, reply: str, error: type[Exception]
) -> None:
    smtpd.script.fail(command, reply)

    with pytest.raises(error) as refused:
        await _send(smtpd)
    await _send(smtpd)  # the rule was for one answer only

    assert _reply_code(refused.value) == int(reply[:3])
    assert [m.outcome for m in smtpd.messages] == ["accepted"]
    assert [c.split()[0] for c, r in smtpd.transcript if r == reply] == [command]


async def test_smtpd_refuses_one_recipient_of_two(smtpd: SmtpServer) -> None:
    smtpd.script.fail("RCPT", "550 5.1.1 No such user", address="gone@example.com")

    errors, _ = await _send(smtpd, recipients=["bob@example.com", "gone@example.com"])

    assert errors["gone@example.com"].code == 550
    assert smtpd.messages[0].rcpt_tos == ("bob@example.com",)


async def test_smtpd_drops_the_connection_after_the_final_dot(smtpd: SmtpServer) -> None:
    smtpd.script.drop_after_data()

    with pytest.raises(aiosmtplib.SMTPServerDisconnected):
        await _send(smtpd)

    [received] = smtpd.messages
    assert received.outcome == "dropped"  # the server has it; the client never heard


async def test_smtpd_stalls_after_data(smtpd: SmtpServer) -> None:
    smtpd.script.stall_after_data()

    with pytest.raises(aiosmtplib.SMTPTimeoutError):
        await _send(smtpd, timeout=0.5)

    assert [m.outcome for m in smtpd.messages] == ["stalled"]


async def test_smtpd_implicit_tls(smtpd_tls: SmtpServer) -> None:
    await _send(
        smtpd_tls,
        use_tls=True,
        tls_context=smtpd_tls.client_context(),
        username=smtpd_tls.username,
        password=smtpd_tls.password,
    )
    assert smtpd_tls.messages[0].tls
    with pytest.raises(aiosmtplib.SMTPConnectError):
        await _send(smtpd_tls, use_tls=True)  # the system CAs do not know the rig's CA


async def test_smtpd_starttls_is_required(smtpd_starttls: SmtpServer) -> None:
    with pytest.raises(aiosmtplib.SMTPSenderRefused) as refused:
        await _send(smtpd_starttls, start_tls=False)
    await _send(smtpd_starttls, start_tls=True, tls_context=smtpd_starttls.client_context())

    assert refused.value.code == 530
    assert [m.tls for m in smtpd_starttls.messages] == [True]


async def test_smtpd_xoauth2(smtpd_xoauth2: SmtpServer) -> None:
    server = smtpd_xoauth2
    tls: dict[str, Any] = {"use_tls": True, "tls_context": server.client_context()}

    async def good_token() -> str:
        return server.xoauth2_token

    async def stale_token() -> str:
        return "stale"

    await _send(server, username=server.username, oauth_token_generator=good_token, **tls)
    with pytest.raises(aiosmtplib.SMTPAuthenticationError) as bad_token:
        await _send(server, username=server.username, oauth_token_generator=stale_token, **tls)
    with pytest.raises(aiosmtplib.SMTPSenderRefused) as no_auth:
        await _send(server, **tls)
    with pytest.raises(aiosmtplib.SMTPException, match="No suitable authentication"):
        await _send(server, username=server.username, password=server.password, **tls)

    assert [m.login for m in server.messages] == [server.username]
    assert bad_token.value.code == 535
    assert no_auth.value.code == 530


@pytest.mark.parametrize(
    ("certificate", "reason"),
    [
        ("wrong_host", "IP address mismatch"),
        ("expired", "certificate has expired"),
        ("self_signed", "self-signed certificate"),
    ],
)
async def test_bad_server_certificates_are_refused(
    smtpd_factory: Any, tls_rig: TlsRig, certificate: str, reason: str
) -> None:
    cert: CertFiles = getattr(tls_rig, certificate)
    server: SmtpServer = await smtpd_factory(tls="implicit", cert=cert)

    with pytest.raises(aiosmtplib.SMTPConnectError) as refused:
        await _send(server, use_tls=True, tls_context=tls_rig.client_context())

    assert reason in str(refused.value)
    assert server.messages == []


def test_tls_rig_writes_pem_files(tls_rig: TlsRig) -> None:
    files: list[Path] = [tls_rig.cafile]
    for leaf in (tls_rig.localhost, tls_rig.wrong_host, tls_rig.expired, tls_rig.self_signed):
        files += [leaf.cert, leaf.key]
    assert all(path.read_bytes().startswith(b"-----BEGIN ") for path in files)


def _reply_code(error: Exception) -> int:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return error.recipients[0].code
    assert isinstance(error, aiosmtplib.SMTPResponseException)
    return error.code
