"""Fixtures over the real-server rig in tests/rig (see tests/rig/README.md).

Scopes: TLS material and Dovecot live for the session; every IMAP account and every SMTP
server is per test, so no test sees another's mail.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from tests.rig import ImapAccount
from tests.rig.dovecot import DovecotAccount, DovecotServer, dovecot_or_skip
from tests.rig.providers import PERSONALITIES, Provider, start_provider, stop_provider
from tests.rig.pymapd import PymapServer
from tests.rig.smtpd import SmtpServer, start_smtpd
from tests.rig.tls import CertFiles, TlsRig, make_tls_rig


@pytest.fixture(scope="session")
def tls_rig(tmp_path_factory: pytest.TempPathFactory) -> TlsRig:
    """The session CA (`cafile`) and the localhost / wrong_host / expired / self_signed certs."""
    return make_tls_rig(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def dovecot_server(tls_rig: TlsRig) -> Iterator[DovecotServer]:
    """One private Dovecot for the session (skips without the binary, see dovecot_or_skip)."""
    server = DovecotServer(dovecot_or_skip(), cert=tls_rig.localhost, cafile=tls_rig.cafile)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def dovecot_imap(dovecot_server: DovecotServer) -> Iterator[DovecotAccount]:
    """A fresh user with an empty Maildir (INBOX, Drafts, Sent) on the session Dovecot."""
    account = dovecot_server.new_account()
    yield account
    dovecot_server.remove_account(account)


@pytest.fixture
def start_dovecot(tls_rig: TlsRig) -> Iterator[Callable[[CertFiles], DovecotServer]]:
    """Start an extra private Dovecot presenting a given certificate (e.g. tls_rig.expired)."""
    binary = dovecot_or_skip()
    started: list[DovecotServer] = []

    def start(cert: CertFiles) -> DovecotServer:
        server = DovecotServer(binary, cert=cert, cafile=tls_rig.cafile)
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def pymap_imap(tmp_path: Path) -> Iterator[ImapAccount]:
    """A fresh pymap process (dict backend) with an empty INBOX plus Drafts and Sent."""
    server = PymapServer(log_path=tmp_path / "pymap.log")
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(params=[pytest.param("dovecot", marks=pytest.mark.dovecot), "pymap"])
def imap_server(request: pytest.FixtureRequest) -> ImapAccount:
    """The same test against Dovecot and against pymap; see ImapAccount for what differs."""
    account = request.getfixturevalue(f"{request.param}_imap")
    assert isinstance(account, ImapAccount)
    return account


# No per-example deadline: CI machines are shared and slow at times; the property tests bound
# their own work instead. print_blob lets a failure found in CI be replayed exactly.
settings.register_profile("followthru", deadline=None, print_blob=True)
settings.load_profile("followthru")

StartSmtpd = Callable[..., Awaitable[SmtpServer]]


@pytest.fixture
async def smtpd_factory(tls_rig: TlsRig) -> AsyncIterator[StartSmtpd]:
    """`await smtpd_factory(tls=..., cert=..., mechanisms=..., require_login=...)`; all
    servers started through it are closed after the test. TLS defaults to tls_rig.localhost.
    """
    servers: list[SmtpServer] = []

    async def start(**options: Any) -> SmtpServer:
        if options.get("tls", "none") != "none":
            options.setdefault("cert", tls_rig.localhost)
            options.setdefault("cafile", tls_rig.cafile)
        server = await start_smtpd(**options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.close()


@pytest.fixture
async def smtpd(smtpd_factory: StartSmtpd) -> SmtpServer:
    """Plain SMTP; AUTH PLAIN/LOGIN offered but not required."""
    return await smtpd_factory()


@pytest.fixture
async def smtpd_tls(smtpd_factory: StartSmtpd) -> SmtpServer:
    """Implicit TLS (port-465 style) with the trusted localhost certificate."""
    return await smtpd_factory(tls="implicit")


@pytest.fixture
async def smtpd_starttls(smtpd_factory: StartSmtpd) -> SmtpServer:
    """STARTTLS required before MAIL (port-587 style)."""
    return await smtpd_factory(tls="starttls")


@pytest.fixture
async def smtpd_xoauth2(smtpd_factory: StartSmtpd) -> SmtpServer:
    """Implicit TLS, only AUTH XOAUTH2 offered, and MAIL refused (530) until authenticated."""
    return await smtpd_factory(tls="implicit", mechanisms=("XOAUTH2",), require_login=True)


# --- provider personalities (tests/rig/providers.py) -----------------------------------------

MATRIX = ("plain", "gmail", "m365")  # every `provider` test runs against each


@pytest.fixture(scope="session")
def personality_servers(tls_rig: TlsRig) -> Iterator[Callable[[str], DovecotServer]]:
    """A getter for the Dovecot of each personality (gmail, m365), started on first use and
    kept for the session; "plain" is the session Dovecot itself."""
    started: dict[str, DovecotServer] = {}

    def get(name: str) -> DovecotServer:
        if name not in started:
            personality = PERSONALITIES[name]
            server = DovecotServer(dovecot_or_skip(), cert=tls_rig.localhost, cafile=tls_rig.cafile,
                                   folders=personality.folders, separator=personality.separator)  # fmt: skip
            server.start()
            started[name] = server
        return started[name]

    yield get
    for server in started.values():
        server.stop()


@pytest.fixture(params=[pytest.param(name, marks=pytest.mark.dovecot) for name in MATRIX])
async def provider(
    request: pytest.FixtureRequest,
    tls_rig: TlsRig,
    personality_servers: Callable[[str], DovecotServer],
) -> AsyncIterator[Provider]:
    """The same test against the plain rig, Gmail and Microsoft 365 (each on its own Dovecot,
    through its ProviderImapProxy, with its SMTP server)."""
    name = request.param
    if name == "plain":
        server: DovecotServer = request.getfixturevalue("dovecot_server")
    else:
        server = personality_servers(name)
    account = server.new_account()
    running = await start_provider(PERSONALITIES[name], account, tls_rig)
    yield running
    await stop_provider(running)
    server.remove_account(account)
