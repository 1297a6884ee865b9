"""`followthru check` against real servers: Dovecot and pymap for IMAP, aiosmtpd for SMTP.

The command runs in a worker thread (it has its own event loop for SMTP) while the SMTP server
runs in the test's loop. Secrets come from systemd-style credential files, and no output or log
line may contain them, even with --verbose.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from followthru.cli import main
from tests.rig import ImapAccount
from tests.rig.smtpd import SmtpServer
from tests.rig.tls import TlsRig


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "credentials"
    folder.mkdir()
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(folder))
    return folder


@pytest.fixture(autouse=True)
def _quiet_test_servers() -> Iterator[None]:
    """aiosmtpd runs in this process; its own log lines are not followthru's output."""
    server_log = logging.getLogger("mail.log")
    level = server_log.level
    server_log.setLevel(logging.WARNING)
    yield
    server_log.setLevel(level)
    logging.getLogger().handlers.clear()


def write_config(tmp_path: Path, creds: Path, imap: dict[str, object], smtp: dict[str, object],
                 imap_password: str, smtp_password: str | None) -> Path:  # fmt: skip
    (creds / "imap").write_text(imap_password + "\n")
    if smtp_password is not None:
        (creds / "smtp").write_text(smtp_password + "\n")
        smtp = {**smtp, "credential": "smtp"}
    config = {
        "identity": {"name": "Jane Doe", "email": "jane@example.org", "timezone": "Europe/Berlin"},
        "accounts": [{"name": "personal", "imap": {**imap, "credential": "imap"}, "smtp": smtp}],
        "store": {"path": str(tmp_path / "state.db")},
        "notify": {"digest_at": None},
    }
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(config))  # JSON is YAML
    return path


async def run_check(capsys: pytest.CaptureFixture[str], config: Path, *extra: str) -> Run:
    code = await asyncio.to_thread(main, ["check", "--config", str(config), *extra])
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def plain_imap(account: ImapAccount) -> dict[str, object]:
    return {"host": account.host, "port": account.port, "tls": "none", "username": account.username}


def plain_smtp(server: SmtpServer) -> dict[str, object]:
    return {"host": server.host, "port": server.port, "tls": "none", "username": server.username}


def secret_forms(secret: str, username: str) -> list[str]:
    return [
        secret,
        base64.b64encode(secret.encode()).decode(),
        base64.b64encode(f"\0{username}\0{secret}".encode()).decode(),
    ]


async def test_check_logs_in_and_shows_the_folders(
    imap_server: ImapAccount,
    smtpd: SmtpServer,
    tmp_path: Path,
    credentials: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write_config(
        tmp_path,
        credentials,
        plain_imap(imap_server),
        plain_smtp(smtpd),
        imap_server.password,
        smtpd.password,
    )
    run = await run_check(capsys, config)
    assert run.code == 0, run.err
    found_by = "SPECIAL-USE" if imap_server.advertises_special_use else "common name"
    assert (
        f"Drafts  Drafts  ({found_by} \\Drafts)" in run.out
        or f"Drafts  Drafts  ({found_by})" in run.out
    )
    assert f"Sent    Sent  ({found_by}" in run.out
    assert "Inbox   INBOX  (configured)" in run.out
    assert f"logged in as {imap_server.username}" in run.out
    assert (
        f"SMTP    127.0.0.1:{smtpd.port} (plain text, loopback): logged in as {smtpd.username}"
        in run.out
    )
    assert run.err == ""


async def test_check_json(
    imap_server: ImapAccount,
    smtpd: SmtpServer,
    tmp_path: Path,
    credentials: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write_config(
        tmp_path,
        credentials,
        plain_imap(imap_server),
        plain_smtp(smtpd),
        imap_server.password,
        smtpd.password,
    )
    run = await run_check(capsys, config, "--json")
    report = json.loads(run.out)
    assert run.code == 0 and report["ok"] is True
    [account] = report["accounts"]
    assert account["folders"]["drafts"]["name"] == "Drafts"
    assert account["folders"]["sent"]["name"] == "Sent"
    assert account["problems"] == []
    assert "IDLE" in account["imap"]["capabilities"]


async def test_a_wrong_password_fails_clearly_and_never_shows_up(
    imap_server: ImapAccount,
    smtpd: SmtpServer,
    tmp_path: Path,
    credentials: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wrong = "Wr0ng-Passw0rd-xyzzy"
    config = write_config(
        tmp_path, credentials, plain_imap(imap_server), plain_smtp(smtpd), wrong, wrong + "-smtp"
    )
    run = await run_check(capsys, config, "--verbose")
    assert run.code == 1
    assert (
        f"IMAP {imap_server.host}:{imap_server.port}: authentication failed for {imap_server.username}"
        in run.err
    )
    assert f"SMTP {smtpd.host}:{smtpd.port}: authentication failed" in run.err
    assert (
        "imapclient" in run.err
    )  # --verbose really traced the protocol, so the check below means something
    for form in secret_forms(wrong, imap_server.username) + secret_forms(
        wrong + "-smtp", smtpd.username
    ):
        assert form not in run.out and form not in run.err
    assert (
        not (tmp_path / "state.db").exists()
        or wrong.encode() not in (tmp_path / "state.db").read_bytes()
    )


async def test_the_right_password_never_shows_up_in_a_verbose_session(
    imap_server: ImapAccount,
    smtpd: SmtpServer,
    tmp_path: Path,
    credentials: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write_config(
        tmp_path,
        credentials,
        plain_imap(imap_server),
        plain_smtp(smtpd),
        imap_server.password,
        smtpd.password,
    )
    run = await run_check(capsys, config, "--verbose")
    assert run.code == 0, run.err
    assert "LOGIN" in run.err or "AUTHENTICATE" in run.err
    for form in secret_forms(imap_server.password, imap_server.username) + secret_forms(
        smtpd.password, smtpd.username
    ):
        assert form not in run.out and form not in run.err


@pytest.mark.dovecot
async def test_implicit_tls_and_starttls_with_a_private_ca(
    dovecot_imap: ImapAccount, smtpd_tls: SmtpServer, tls_rig: TlsRig, tmp_path: Path, credentials: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    smtp = {
        "host": "localhost",
        "port": smtpd_tls.port,
        "tls": "implicit",
        "username": smtpd_tls.username,
        "cafile": str(tls_rig.cafile),
    }
    for imap in (
        {
            "host": "localhost",
            "port": dovecot_imap.tls_port,
            "tls": "implicit",
            "cafile": str(tls_rig.cafile),
        },
        {
            "host": "localhost",
            "port": dovecot_imap.port,
            "tls": "starttls",
            "cafile": str(tls_rig.cafile),
        },
    ):
        config = write_config(tmp_path, credentials, {**imap, "username": dovecot_imap.username}, smtp,
                              dovecot_imap.password, smtpd_tls.password)  # fmt: skip
        run = await run_check(capsys, config)
        assert run.code == 0, run.err
        assert "(implicit TLS)" in run.out or "(STARTTLS)" in run.out


@pytest.mark.dovecot
async def test_an_untrusted_certificate_is_refused(
    dovecot_imap: ImapAccount,
    smtpd_tls: SmtpServer,
    tmp_path: Path,
    credentials: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    imap = {
        "host": "localhost",
        "port": dovecot_imap.tls_port,
        "tls": "implicit",
        "username": dovecot_imap.username,
    }
    smtp = {
        "host": "localhost",
        "port": smtpd_tls.port,
        "tls": "implicit",
        "username": smtpd_tls.username,
    }
    config = write_config(
        tmp_path, credentials, imap, smtp, dovecot_imap.password, smtpd_tls.password
    )
    run = await run_check(capsys, config)
    assert run.code == 1
    assert f"IMAP localhost:{dovecot_imap.tls_port}: certificate invalid" in run.err
    assert f"SMTP localhost:{smtpd_tls.port}: certificate invalid" in run.err


async def test_an_unreachable_host_is_named(
    tmp_path: Path, credentials: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.rig import free_port

    port = free_port()
    imap = {"host": "127.0.0.1", "port": port, "tls": "none", "username": "jane"}
    smtp = {"host": "127.0.0.1", "port": port, "tls": "none"}
    config = write_config(tmp_path, credentials, imap, smtp, "pw", None)
    run = await run_check(capsys, config)
    assert run.code == 1
    assert f"IMAP 127.0.0.1:{port}: host unreachable" in run.err
    assert f"SMTP 127.0.0.1:{port}: host unreachable" in run.err


async def test_starttls_that_the_server_does_not_offer_is_refused(
    pymap_imap: ImapAccount,
    smtpd: SmtpServer,
    tmp_path: Path,
    credentials: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # pymap started with --no-tls and the plain aiosmtpd offer no STARTTLS: a configured
    # STARTTLS must abort, never go on in plain text.
    imap = {**plain_imap(pymap_imap), "host": "localhost", "tls": "starttls"}
    smtp = {**plain_smtp(smtpd), "host": "localhost", "tls": "starttls"}
    config = write_config(tmp_path, credentials, imap, smtp, pymap_imap.password, smtpd.password)
    run = await run_check(capsys, config)
    assert run.code == 1
    for where in (f"IMAP localhost:{pymap_imap.port}", f"SMTP localhost:{smtpd.port}"):
        assert (
            f"{where}: the server does not offer STARTTLS; refusing to go on in plain text"
            in run.err
        )
    assert smtpd.messages == []
