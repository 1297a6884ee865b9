"""Transport security and secrets, end to end through `followthru check` (reliability.md rows
14-17), on loopback only.

- A certificate that is self-signed, for another host, or expired is refused by IMAP and SMTP,
  with implicit TLS and with STARTTLS: one line "certificate invalid: ..." naming host:port,
  exit 1.
- A configured STARTTLS that the server does not offer aborts before any credential is sent;
  so does a PREAUTH greeting, which would skip TLS altogether; and plain-text bytes injected
  around the STARTTLS answer are never believed (nostarttls.secvuln.info).
- `tls: none` is a config error (exit 2, naming the key) for a host that is not loopback.
- A verbose session that logs in everywhere (passwords, AUTH PLAIN, AUTH LOGIN and XOAUTH2)
  never shows a secret or its encodings on stdout, stderr or in the store.

`check` runs in a worker thread (it has its own event loop for SMTP) while aiosmtpd and the
fake servers below run in the test's loop.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from followthru.cli import main
from tests.rig import LOOPBACK, ImapAccount, free_port
from tests.rig.dovecot import DovecotServer
from tests.rig.smtpd import SmtpServer
from tests.rig.tls import CertFiles, TlsRig

StartSmtpd = Callable[..., Awaitable[SmtpServer]]
StartDovecot = Callable[[CertFiles], DovecotServer]

# What OpenSSL says about each bad certificate (its wording varies a little by version).
BAD_CERTIFICATES = {
    "self_signed": r"self[- ]signed certificate",
    "wrong_host": r"hostname mismatch",
    "expired": r"certificate has expired",
}


@dataclass
class Run:
    code: int
    out: str
    err: str

    def problem_lines(self, prefix: str) -> list[str]:
        """The stderr lines about `prefix` (e.g. "IMAP localhost:993")."""
        return [line for line in self.err.splitlines() if line.startswith(f"followthru: {prefix}")]


@pytest.fixture
def credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "credentials"
    folder.mkdir()
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(folder))
    return folder


@pytest.fixture(autouse=True)
def _quiet_test_servers() -> Iterator[None]:
    """aiosmtpd runs in this process; its own log lines (an ERROR with a traceback when a
    client drops a TLS handshake, as here on purpose) are not followthru's output."""
    server_log = logging.getLogger("mail.log")
    level = server_log.level
    server_log.setLevel(logging.CRITICAL)
    yield
    server_log.setLevel(level)
    logging.getLogger().handlers.clear()


def write_config(
    tmp_path: Path, imap: dict[str, object], smtp: dict[str, object], name: str = "config.yaml"
) -> Path:
    config = {
        "identity": {"name": "Jane Doe", "email": "jane@example.org", "timezone": "Europe/Berlin"},
        "accounts": [{"name": "personal", "imap": imap, "smtp": smtp}],
        "store": {"path": str(tmp_path / "state.db")},
        "notify": {"digest_at": None},
    }
    path = tmp_path / name
    path.write_text(json.dumps(config))  # JSON is YAML
    return path


def credential(folder: Path, name: str, secret: str) -> dict[str, object]:
    """A systemd-style credential file, and the config keys that use it."""
    (folder / name).write_text(secret + "\n")
    return {"credential": name}


def token_command(tmp_path: Path, name: str, token: str) -> dict[str, object]:
    """An oauth2_token_command that prints `token` (as a token helper would)."""
    path = tmp_path / f"{name}.token"
    path.write_text(token + "\n")
    return {"oauth2_token_command": f"cat {path}"}


async def run_check(capsys: pytest.CaptureFixture[str], config: Path, *extra: str) -> Run:
    code = await asyncio.to_thread(main, ["check", "--config", str(config), *extra])
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def secret_forms(secret: str, username: str) -> list[str]:
    """The secret as typed, and as it travels in LOGIN/AUTH LOGIN, AUTH PLAIN and XOAUTH2."""
    return [
        secret,
        b64(secret),
        b64(f"\0{username}\0{secret}"),
        b64(f"{username}\0{username}\0{secret}"),
        b64(f"user={username}\x01auth=Bearer {secret}\x01\x01"),
    ]


# --- certificates ----------------------------------------------------------------------------


def check_config(
    tmp_path: Path, credentials: Path, imap: dict[str, object], smtp: dict[str, object]
) -> Path:
    """A config whose other side (the one not under test) points at a closed port."""
    return write_config(
        tmp_path,
        {"host": LOOPBACK, "port": free_port(), "tls": "none", "username": "jane", **imap,
         **credential(credentials, "imap", "imap-Secret-0000")},
        {"host": LOOPBACK, "port": free_port(), "tls": "none", **smtp},
    )  # fmt: skip


def assert_certificate_refused(run: Run, where: str, defect: str) -> None:
    assert run.code == 1, (run.out, run.err)
    [line] = run.problem_lines(where)
    assert line.startswith(f"followthru: {where}: certificate invalid: "), line
    assert re.search(BAD_CERTIFICATES[defect], line, re.IGNORECASE), line
    # One line each: every stderr line is a whole "followthru: ..." message.
    assert all(text.startswith("followthru: ") for text in run.err.splitlines()), run.err


@pytest.mark.dovecot
@pytest.mark.parametrize("mode", ["implicit", "starttls"])
@pytest.mark.parametrize("defect", sorted(BAD_CERTIFICATES))
async def test_imap_refuses_a_bad_certificate(
    defect: str,
    mode: str,
    tls_rig: TlsRig,
    start_dovecot: StartDovecot,
    tmp_path: Path,
    credentials: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dovecot = start_dovecot(getattr(tls_rig, defect))
    account = dovecot.new_account()
    port = account.tls_port if mode == "implicit" else account.port
    # The rig's CA is trusted, so the certificate's own defect is the only reason to refuse.
    imap = {"host": "localhost", "port": port, "tls": mode, "cafile": str(tls_rig.cafile)}
    config = check_config(tmp_path, credentials, {**imap, "username": account.username}, {})
    logged = _logged_in_once(dovecot, account.username)  # new_account() has logged in once
    run = await run_check(capsys, config)
    assert_certificate_refused(run, f"IMAP localhost:{port}", defect)
    assert not any("Login: user=" in line for line in _dovecot_log(dovecot)[logged:])


@pytest.mark.parametrize("mode", ["implicit", "starttls"])
@pytest.mark.parametrize("defect", sorted(BAD_CERTIFICATES))
async def test_smtp_refuses_a_bad_certificate(
    defect: str,
    mode: str,
    tls_rig: TlsRig,
    smtpd_factory: StartSmtpd,
    tmp_path: Path,
    credentials: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    smtpd = await smtpd_factory(tls=mode, cert=getattr(tls_rig, defect))
    smtp = {"host": "localhost", "port": smtpd.port, "tls": mode, "cafile": str(tls_rig.cafile),
            "username": smtpd.username, **credential(credentials, "smtp", smtpd.password)}  # fmt: skip
    run = await run_check(capsys, check_config(tmp_path, credentials, {}, smtp))
    assert_certificate_refused(run, f"SMTP localhost:{smtpd.port}", defect)
    assert smtpd.messages == []


def _dovecot_log(server: DovecotServer) -> list[str]:
    return server.log_path.read_text(errors="replace").splitlines()


def _logged_in_once(server: DovecotServer, username: str) -> int:
    """The log's length once the account's first login is in it (Dovecot's log process
    writes a moment after the login; counted too early, that line would look like ours)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = _dovecot_log(server)
        if any("Login: user=" in line and username in line for line in lines):
            return len(lines)
        time.sleep(0.01)
    raise AssertionError(f"Dovecot never logged {username}'s first login")


# --- STARTTLS that is not there, PREAUTH, and bytes injected around STARTTLS ------------------


class StartTls(bytes):
    """A reply after which the fake server switches to TLS (its answer to STARTTLS)."""


Reply = Callable[[str], bytes | None]


@dataclass
class FakeServer:
    """A line-based server on 127.0.0.1 that records every line a client sends."""

    tagged: bool  # IMAP: each command line starts with a tag
    tls: ssl.SSLContext | None = None  # what a StartTls reply switches to
    port: int = 0
    received: list[str] = field(default_factory=list)  # in plain text
    received_over_tls: list[str] = field(default_factory=list)

    def commands(self, *, over_tls: bool = False) -> set[str]:
        """The command words received (in plain text, or over TLS), upper-cased."""
        position = 1 if self.tagged else 0
        lines = self.received_over_tls if over_tls else self.received
        return {w[position].upper() for w in (line.split() for line in lines) if len(w) > position}

    async def serve(self, greeting: bytes, reply: Reply, reader: asyncio.StreamReader,
                    writer: asyncio.StreamWriter) -> None:  # fmt: skip
        received = self.received
        try:
            writer.write(greeting)
            while line := await reader.readline():
                received.append(line.decode("utf-8", "replace").rstrip("\r\n"))
                answer = reply(received[-1])
                if answer is None:
                    break
                writer.write(answer)
                if isinstance(answer, StartTls):
                    assert self.tls is not None
                    await writer.start_tls(self.tls)
                    received = self.received_over_tls
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def fake_server(greeting: bytes, reply: Reply, *, tagged: bool,
                      tls: ssl.SSLContext | None = None) -> AsyncIterator[FakeServer]:  # fmt: skip
    """Serve `greeting`, then answer each line with reply(line); None hangs up."""
    state = FakeServer(tagged, tls)
    server = await asyncio.start_server(partial(state.serve, greeting, reply), LOOPBACK, 0)
    state.port = int(server.sockets[0].getsockname()[1])
    try:
        yield state
    finally:
        server.close()
        await server.wait_closed()


def imap_reply(capabilities: str, *, starttls: bytes = b"", after_tls: str = "") -> Reply:
    """An IMAP server that would accept any login. `starttls` is its answer to STARTTLS, with
    `{tag}` for the tag (none: BAD); after it, the server speaks TLS and has `after_tls` as
    its capabilities."""
    said = {"CAPABILITY": capabilities}

    def reply(line: str) -> bytes | None:
        tag, _, rest = line.partition(" ")
        command = rest.split(" ", 1)[0].upper()
        answers = {
            "CAPABILITY": f"* CAPABILITY {said['CAPABILITY']}\r\n{tag} OK done\r\n",
            "LOGIN": f"{tag} OK logged in\r\n",
            "LIST": (
                '* LIST (\\HasNoChildren \\Drafts) "." Drafts\r\n'
                '* LIST (\\HasNoChildren \\Sent) "." Sent\r\n'
                f'* LIST (\\HasNoChildren) "." INBOX\r\n{tag} OK done\r\n'
            ),
            "LOGOUT": f"* BYE bye\r\n{tag} OK done\r\n",
        }
        if command == "STARTTLS" and starttls:
            said["CAPABILITY"] = after_tls
            return StartTls(starttls.replace(b"{tag}", tag.encode()))
        return answers.get(command, f"{tag} BAD not here\r\n").encode()

    return reply


def smtp_reply(line: str) -> bytes | None:
    """An ESMTP server without STARTTLS that would accept any login."""
    command = line.split(" ", 1)[0].upper()
    if command in ("EHLO", "HELO"):
        return b"250-localhost\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n"
    if command == "QUIT":
        return None
    if command == "AUTH":
        return b"235 2.7.0 Authentication successful\r\n"
    return b"502 5.5.2 Not implemented\r\n"


async def test_starttls_that_the_servers_do_not_offer_aborts_before_any_login(
    tmp_path: Path, credentials: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A man in the middle strips STARTTLS from the capabilities: going on in plain text would
    # hand the password over.
    imap_greeting = b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE] fake IMAP ready\r\n"
    async with (
        fake_server(imap_greeting, imap_reply("IMAP4rev1 AUTH=PLAIN IDLE"), tagged=True) as imap,
        fake_server(b"220 localhost ESMTP fake\r\n", smtp_reply, tagged=False) as smtp,
    ):
        config = write_config(
            tmp_path,
            {"host": "localhost", "port": imap.port, "tls": "starttls", "username": "jane",
             **credential(credentials, "imap", "imap-Secret-0001")},
            {"host": "localhost", "port": smtp.port, "tls": "starttls", "username": "jane",
             **credential(credentials, "smtp", "smtp-Secret-0002")},
        )  # fmt: skip
        run = await run_check(capsys, config)
    assert run.code == 1, run.err
    for where in (f"IMAP localhost:{imap.port}", f"SMTP localhost:{smtp.port}"):
        assert run.problem_lines(where) == [
            f"followthru: {where}: the server does not offer STARTTLS; refusing to go on in plain text"
        ]
    assert not {"LOGIN", "AUTHENTICATE", "STARTTLS"} & imap.commands(), imap.received
    assert not {"AUTH", "MAIL", "STARTTLS"} & smtp.commands(), smtp.received
    for line in imap.received + smtp.received:
        assert "Secret-000" not in line and b64("imap-Secret-0001") not in line


async def test_a_preauth_greeting_before_tls_is_refused(
    smtpd: SmtpServer, tmp_path: Path, credentials: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # PREAUTH puts the session in the authenticated state at once: STARTTLS could never come.
    greeting = b"* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS IDLE] welcome, you are logged in\r\n"
    async with fake_server(greeting, imap_reply("IMAP4rev1 STARTTLS IDLE"), tagged=True) as imap:
        config = write_config(
            tmp_path,
            {"host": LOOPBACK, "port": imap.port, "tls": "starttls", "username": "jane",
             **credential(credentials, "imap", "imap-Secret-0003")},
            {"host": smtpd.host, "port": smtpd.port, "tls": "none"},
        )  # fmt: skip
        run = await run_check(capsys, config)
    assert run.code == 1, run.err
    where = f"IMAP {LOOPBACK}:{imap.port}"
    assert run.problem_lines(where) == [
        f"followthru: {where}: the server greeted with PREAUTH before TLS; "
        "refusing to go on in plain text"
    ]
    assert (
        not {"LOGIN", "AUTHENTICATE", "STARTTLS", "SELECT", "EXAMINE", "LIST"} & imap.commands()
    ), imap.received
    assert run.problem_lines("SMTP") == []  # the SMTP side was fine: only IMAP is refused


INJECTED = "IMAP4rev1 AUTH=PLAIN X-GM-EXT-1 CONDSTORE"


@pytest.mark.parametrize(
    "answer",
    [
        # Bytes after the OK, in the same packet: they must never be read as the server's
        # first words over TLS.
        f"{{tag}} OK Begin TLS now\r\n* CAPABILITY {INJECTED}\r\n".encode(),
        # A capability list before the OK: a pre-TLS answer that must not outlive the switch.
        f"* CAPABILITY {INJECTED}\r\n{{tag}} OK Begin TLS now\r\n".encode(),
    ],
    ids=["after-ok", "before-ok"],
)
async def test_bytes_injected_around_starttls_are_never_believed(
    answer: bytes,
    smtpd: SmtpServer,
    tls_rig: TlsRig,
    tmp_path: Path,
    credentials: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The server's real capabilities over TLS are "IMAP4rev1 AUTH=PLAIN IDLE"; a man in the
    # middle adds X-GM-EXT-1 and CONDSTORE in plain text. Either the session aborts or it
    # goes on with what the server said over TLS - and logs in only over TLS.
    greeting = b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] fake IMAP ready\r\n"
    reply = imap_reply(
        "IMAP4rev1 STARTTLS LOGINDISABLED", starttls=answer, after_tls="IMAP4rev1 AUTH=PLAIN IDLE"
    )
    tls = tls_rig.localhost.server_context()
    async with fake_server(greeting, reply, tagged=True, tls=tls) as imap:
        config = write_config(
            tmp_path,
            {"host": "localhost", "port": imap.port, "tls": "starttls", "username": "jane",
             "cafile": str(tls_rig.cafile), **credential(credentials, "imap", "imap-Secret-0004")},
            {"host": smtpd.host, "port": smtpd.port, "tls": "none"},
        )  # fmt: skip
        run = await run_check(capsys, config)
    assert not {"LOGIN", "AUTHENTICATE"} & imap.commands(), imap.received
    if run.code == 0:
        assert "capabilities: IDLE\n" in run.out, run.out
        assert "X-GM-EXT-1" not in run.out and "CONDSTORE" not in run.out
        assert "LOGIN" in imap.commands(over_tls=True)
        assert "ENABLE" not in imap.commands(over_tls=True)  # CONDSTORE was not believed
    else:
        [line] = run.problem_lines(f"IMAP localhost:{imap.port}")
        assert "TLS failed" in line or "connection" in line, line


# --- plain text --------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", ["imap", "smtp"])
async def test_plain_text_to_a_host_that_is_not_loopback_is_a_config_error(
    protocol: str, tmp_path: Path, credentials: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    servers: dict[str, dict[str, Any]] = {
        "imap": {"host": LOOPBACK, "port": 1143, "tls": "none", "username": "jane",
                 **credential(credentials, "imap", "pw")},
        "smtp": {"host": LOOPBACK, "port": 1025, "tls": "none"},
    }  # fmt: skip
    servers[protocol]["host"] = "mail.example.com"
    config = write_config(tmp_path, servers["imap"], servers["smtp"])
    run = await run_check(capsys, config)
    assert run.code == 2, run.err
    key = f"accounts[0].{protocol}.tls"
    [line] = [line for line in run.err.splitlines() if key in line]
    assert "`none` (plain text) is refused for mail.example.com" in line
    assert str(config) in run.err
    assert run.out == ""  # nothing was attempted


# --- secrets in a verbose session --------------------------------------------------------------


def assert_never_shown(run: Run, store: Path, secrets: list[tuple[str, str]]) -> None:
    stored = store.read_bytes() if store.exists() else b""
    for secret, username in secrets:
        for form in secret_forms(secret, username):
            assert form not in run.out, form
            assert form not in run.err, form
            assert form.encode() not in stored, form


async def test_a_verbose_session_never_shows_a_password_or_a_token(
    pymap_imap: ImapAccount,
    smtpd_xoauth2: SmtpServer,
    tls_rig: TlsRig,
    tmp_path: Path,
    credentials: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # IMAP: LOGIN with a password (pymap has no TLS: loopback plain text);
    # SMTP: a server that takes nothing but XOAUTH2, the token from oauth2_token_command.
    config = write_config(
        tmp_path,
        {"host": pymap_imap.host, "port": pymap_imap.port, "tls": "none",
         "username": pymap_imap.username, **credential(credentials, "imap", pymap_imap.password)},
        {"host": "localhost", "port": smtpd_xoauth2.port, "tls": "implicit",
         "cafile": str(tls_rig.cafile), "username": smtpd_xoauth2.username,
         **token_command(tmp_path, "smtp", smtpd_xoauth2.xoauth2_token)},
    )  # fmt: skip
    run = await run_check(capsys, config, "--verbose")
    assert run.code == 0, run.err
    assert f"logged in as {pymap_imap.username}" in run.out
    assert f"logged in as {smtpd_xoauth2.username}" in run.out
    # --verbose really traced IMAP's LOGIN, so the checks below mean something (aiosmtplib
    # does not log; the server offers only XOAUTH2, so "logged in" means XOAUTH2 was used).
    assert "LOGIN" in run.err
    assert_never_shown(
        run,
        tmp_path / "state.db",
        [
            (pymap_imap.password, pymap_imap.username),
            (smtpd_xoauth2.xoauth2_token, smtpd_xoauth2.username),
        ],
    )


@pytest.mark.dovecot
@pytest.mark.parametrize("smtp_mechanism", ["PLAIN", "LOGIN"])
async def test_a_verbose_tls_session_with_xoauth2_imap_never_shows_a_secret(
    smtp_mechanism: str,
    dovecot_imap: ImapAccount,
    smtpd_factory: StartSmtpd,
    tls_rig: TlsRig,
    tmp_path: Path,
    credentials: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # IMAP: AUTHENTICATE XOAUTH2 (Dovecot takes the password as the bearer token) over
    # implicit TLS; SMTP: AUTH PLAIN or AUTH LOGIN over implicit TLS, required before MAIL.
    smtpd = await smtpd_factory(tls="implicit", mechanisms=(smtp_mechanism,), require_login=True)
    config = write_config(
        tmp_path,
        {"host": "localhost", "port": dovecot_imap.tls_port, "tls": "implicit",
         "cafile": str(tls_rig.cafile), "username": dovecot_imap.username,
         **token_command(tmp_path, "imap", dovecot_imap.password)},
        {"host": "localhost", "port": smtpd.port, "tls": "implicit",
         "cafile": str(tls_rig.cafile), "username": smtpd.username,
         **credential(credentials, "smtp", smtpd.password)},
    )  # fmt: skip
    run = await run_check(capsys, config, "--verbose")
    assert run.code == 0, run.err
    assert f"(implicit TLS): logged in as {dovecot_imap.username}" in run.out
    assert f"(implicit TLS): logged in as {smtpd.username}" in run.out  # the one mechanism
    assert "AUTHENTICATE" in run.err  # the protocol trace was on
    assert_never_shown(
        run,
        tmp_path / "state.db",
        [(dovecot_imap.password, dovecot_imap.username), (smtpd.password, smtpd.username)],
    )
