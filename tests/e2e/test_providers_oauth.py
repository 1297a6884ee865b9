"""`followthru check` against the provider personalities: folders found by SPECIAL-USE under
the provider's names, and an XOAUTH2 refusal or a broken token command said in one line."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from followthru.cli import main
from tests.rig.providers import GMAIL_TOKEN_EXPIRED, Provider, followthru_account
from tests.rig.tls import TlsRig

USER = "jane@example.org"


@pytest.fixture
def check_config(provider: Provider, tls_rig: TlsRig, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Path:  # fmt: skip
    creds = tmp_path / "credentials"
    creds.mkdir()
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    cfg = {
        "identity": {"name": "Jane Doe", "email": USER, "timezone": "Europe/Berlin"},
        "accounts": [followthru_account(provider, creds, tls_rig.cafile)],
        "store": {"path": str(tmp_path / "state.db")},
    }
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(cfg))
    return path


async def check(
    config: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, ["check", "--config", str(config), *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("provider", ["plain", "gmail", "gmail_en", "m365"], indirect=True)
async def test_check_finds_the_providers_folders_by_special_use(
    provider: Provider, check_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = await check(check_config, capsys, "--json")
    assert code == 0, err
    report = json.loads(out)["accounts"][0]
    assert report["folders"]["drafts"] == {
        "name": provider.folder("\\Drafts"),
        "found_by": "SPECIAL-USE \\Drafts",
    }
    assert report["folders"]["sent"] == {
        "name": provider.folder("\\Sent"),
        "found_by": "SPECIAL-USE \\Sent",
    }
    assert ("X-GM-EXT-1" in report["imap"]["capabilities"]) == provider.personality.gmail_extensions


GMAIL = pytest.mark.parametrize("provider", ["gmail"], indirect=True)
M365 = pytest.mark.parametrize("provider", ["m365"], indirect=True)


@GMAIL
@pytest.mark.parametrize(
    ("error", "said"),
    [
        (GMAIL_TOKEN_EXPIRED, "the token is expired or invalid (status 401); run your token command again"),
        ({**GMAIL_TOKEN_EXPIRED, "status": "400"}, "the token does not belong to"),
        ({**GMAIL_TOKEN_EXPIRED, "status": "403"}, "the token lacks the mail scope (status 403; it needs https://mail.google.com/)"),
    ],
)  # fmt: skip
async def test_check_explains_a_gmail_imap_xoauth2_refusal_in_one_line(
    provider: Provider, check_config: Path, capsys: pytest.CaptureFixture[str],
    error: dict[str, str], said: str,
) -> None:  # fmt: skip
    assert provider.proxy is not None
    provider.proxy.refuse_tokens(error)
    code, _out, err = await check(check_config, capsys)
    assert code == 1
    [line] = [x for x in err.splitlines() if "IMAP" in x]
    assert f"XOAUTH2 refused for {provider.served.username}: {said}" in line
    assert provider.served.password not in err


@M365
async def test_check_says_a_microsoft_refusal_gave_no_reason(
    provider: Provider, check_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert provider.proxy is not None
    provider.proxy.refuse_tokens(None)
    code, _out, err = await check(check_config, capsys)
    assert code == 1
    assert "XOAUTH2 refused for" in err and "gave no reason; run your token command again" in err


@M365
async def test_check_explains_an_smtp_xoauth2_refusal_in_one_line(
    provider: Provider, check_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SMTP on 587, STARTTLS, XOAUTH2 only: a token for another account is refused with the
    JSON challenge; aiosmtplib's own auth_xoauth2 dropped it (the line said only "535")."""
    provider.smtpd.handler.xoauth2_error = {"status": "400", "schemes": "Bearer",
                                            "scope": "https://outlook.office.com/SMTP.Send"}  # fmt: skip
    (tmp_path / "credentials" / "smtp-token").write_text("a-token-for-someone-else")
    code, _out, err = await check(check_config, capsys)
    assert code == 1
    [line] = [x for x in err.splitlines() if "SMTP" in x]
    assert f"XOAUTH2 refused for {provider.smtpd.username}: the token does not belong to" in line
    assert "(535" in line and "a-token-for-someone-else" not in err


@M365
async def test_a_token_command_that_prints_nothing_is_named_in_the_error(
    provider: Provider, check_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "credentials" / "imap-token").write_text("")
    code, _out, err = await check(check_config, capsys)
    assert code == 1
    assert "personal/imap: oauth2_token_command printed nothing" in err


@M365
async def test_check_explains_microsofts_authenticated_but_not_connected(
    provider: Provider, check_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A token for another account: Exchange lets the login pass, then refuses the mailbox."""
    assert provider.proxy is not None
    provider.proxy.not_connected()
    code, _out, err = await check(check_config, capsys)
    assert code == 1
    [line] = [x for x in err.splitlines() if "IMAP" in x]
    assert "User is authenticated but not connected" in line
    assert "the token belongs to another account than the username" in line
