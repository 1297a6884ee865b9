"""The personalities themselves, seen with raw imapclient and aiosmtplib: each behaviour the
rig claims (tests/rig/providers.py) is there, so the product tests stand on something true."""

from __future__ import annotations

import asyncio
import base64
import json

import aiosmtplib
import pytest
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from tests.rig.providers import GMAIL_TOKEN_EXPIRED, Provider

MESSAGE = b"From: a@example.org\r\nTo: jane@example.org\r\nSubject: hi\r\nMessage-ID: <rig-1@example.org>\r\n\r\nhello\r\n"

# Only the providers have a proxy (the plain rig's own refusals are tested in test_rig).
PROXIED = pytest.mark.parametrize("provider", ["gmail", "m365"], indirect=True)


def served(provider: Provider) -> IMAPClient:
    client = IMAPClient(provider.served.host, provider.served.port, ssl=False, timeout=10)
    client.login(provider.served.username, provider.served.password)
    return client


def test_folders_are_found_by_their_special_use_attribute(provider: Provider) -> None:
    with served(provider) as client:
        listed = {str(name): flags for flags, _sep, name in client.list_folders()}
    for use, name in provider.personality.folders.items():
        assert use.encode() in listed[name], (name, listed[name])


def test_gmail_extensions_and_labels(provider: Provider) -> None:
    provider.receive(MESSAGE)
    with served(provider) as client:
        capabilities = client.capabilities()
        if provider.name != "gmail":
            assert b"X-GM-EXT-1" not in capabilities
            return
        assert b"X-GM-EXT-1" in capabilities
        ids = []
        for folder in ("INBOX", provider.folder("\\All")):
            client.select_folder(folder, readonly=True)
            [data] = client.fetch(
                client.search("ALL"), ["X-GM-MSGID", "X-GM-THRID", "FLAGS"]
            ).values()
            ids.append((data[b"X-GM-MSGID"], data[b"X-GM-THRID"]))
        # an EXPUNGE in INBOX takes the label away; the message stays in All Mail
        client.select_folder("INBOX")
        client.add_flags(client.search("ALL"), [b"\\Deleted"])
        client.expunge()
        client.select_folder(provider.folder("\\All"), readonly=True)
        assert len(client.search("ALL")) == 1
    assert ids[0] == ids[1] and isinstance(ids[0][0], int)


def test_m365_keeps_no_keywords_and_says_so(provider: Provider) -> None:
    uid = provider.mailbox.append("INBOX", MESSAGE)
    with served(provider) as client:
        reply = client.select_folder("INBOX")
        permanent = reply[b"PERMANENTFLAGS"]
        if provider.personality.keywords:
            assert b"\\*" in permanent
            client.add_flags([uid], [b"$Followthru"])
            return
        assert b"\\*" not in permanent and b"\\Flagged" in permanent
        with pytest.raises(IMAPClientError, match="Keywords are not supported"):
            client.add_flags([uid], [b"$Followthru"])
        client.add_flags([uid], [b"\\Flagged"])  # system flags are fine
        assert b"CONDSTORE" not in client.capabilities()


@PROXIED
def test_throttling_answers_no_with_a_retry_hint(provider: Provider) -> None:
    assert provider.proxy is not None
    provider.proxy.throttle(1)
    with served(provider) as client:
        with pytest.raises(IMAPClientError, match="Suggested Backoff Time"):
            client.select_folder("INBOX")
        client.select_folder("INBOX")  # the next one goes through
    assert provider.proxy.throttled == 1


@PROXIED
def test_xoauth2_refusals_as_each_provider_words_them(provider: Provider) -> None:
    assert provider.proxy is not None
    challenges: list[bytes] = []

    def mech(challenge: bytes) -> bytes:
        challenges.append(challenge)
        return (
            b""
            if len(challenges) > 1
            else f"user={provider.served.username}\x01auth=Bearer x\x01\x01".encode()
        )

    error = GMAIL_TOKEN_EXPIRED if provider.name == "gmail" else None
    provider.proxy.refuse_tokens(error)
    client = IMAPClient(provider.served.host, provider.served.port, ssl=False, timeout=10)
    with pytest.raises(LoginError):
        client.sasl_login("XOAUTH2", mech)
    client.shutdown()
    provider.proxy.accept_tokens()
    good = IMAPClient(provider.served.host, provider.served.port, ssl=False, timeout=10)
    good.oauth2_login(provider.served.username, provider.served.password)
    good.logout()
    if error is None:
        assert challenges == [b""]
    else:
        assert json.loads(challenges[1]) == error


async def test_the_smtp_server_files_what_it_received(provider: Provider) -> None:
    smtpd = provider.smtpd
    tls = provider.personality.smtp_port_style
    client = aiosmtplib.SMTP(hostname="localhost" if tls != "none" else smtpd.host, port=smtpd.port,
                             use_tls=tls == "implicit", start_tls=tls == "starttls",
                             tls_context=smtpd.client_context() if tls != "none" else None)  # fmt: skip
    async with client:
        await client.ehlo()
        if tls == "none":
            await client.login(smtpd.username, smtpd.password)
        else:
            assert "plain" not in client.server_auth_methods or provider.name == "gmail"
            token = base64.b64encode(
                f"user={smtpd.username}\x01auth=Bearer {smtpd.xoauth2_token}\x01\x01".encode()
            )
            assert (await client.execute_command(b"AUTH", b"XOAUTH2", token)).code == 235
        await client.sendmail("jane@example.org", ["bob@acme.example"], MESSAGE)
    filed = await asyncio.to_thread(
        provider.copies, provider.folder("\\Sent"), "<rig-1@example.org>"
    )
    assert filed == (1 if provider.personality.files_sent else 0)
