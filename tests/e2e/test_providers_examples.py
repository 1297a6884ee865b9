"""The OAuth2 example configs of docs/examples (docs/oauth2.md): each loads as a valid config,
points at the provider's documented servers, and its token command works as written with the
helper's own command line (fake helpers on PATH that accept only that command line; no
network)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from followthru.adapters.secrets import resolve_secret
from followthru.config import load_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.yaml"))
SERVERS = {
    "gmail": (("imap.gmail.com", 993, "implicit"), ("smtp.gmail.com", 465, "implicit")),
    "m365": (("outlook.office365.com", 993, "implicit"), ("smtp.office365.com", 587, "starttls")),
}
# Each helper's command line, as its documentation gives it; anything else is a usage error.
HELPERS = {
    "oama": '[ "$1" = access ] && [ -n "$2" ] && [ $# -eq 2 ] && echo "tok-oama-$2"',
    "pizauth": '[ "$1" = show ] && [ -n "$2" ] && [ $# -eq 2 ] && echo "tok-pizauth-$2"',
    "mutt_oauth2.py": 'case "$1" in /*.tokens) echo "tok-mutt-$(basename "$1")";; *) false;; esac',
    "pass": '[ "$1" = show ] && echo "proxy-password"',
}


@pytest.fixture
def helpers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, body in HELPERS.items():
        script = folder / name
        script.write_text(f'#!/bin/sh\n{body} || {{ echo "usage: {name} ..." >&2; exit 2; }}\n')
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")
    monkeypatch.setenv("HOME", str(tmp_path))
    return folder


def test_every_helper_and_provider_has_an_example() -> None:
    names = {path.stem for path in EXAMPLES}
    helpers = ("oama", "pizauth", "mutt_oauth2", "email-oauth2-proxy")
    assert names == {f"{p}-{h}" for p in SERVERS for h in helpers}
    guide = (ROOT / "docs" / "oauth2.md").read_text()
    assert all(f"examples/{path.name}" in guide for path in EXAMPLES)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_an_example_config_loads_and_its_secret_command_works(path: Path, helpers: Path) -> None:
    config = load_config(path)
    [account] = config.accounts
    provider, helper = path.stem.split("-", 1)
    for protocol, server in (("imap", account.imap), ("smtp", account.smtp)):
        assert server.secret is not None
        assert server.username == config.identity.email
        secret = resolve_secret(
            server.secret, where=f"{account.name}/{protocol}", username=server.username
        )
        if helper == "email-oauth2-proxy":  # a plain login to the proxy on loopback
            assert (server.host, server.tls, server.secret.is_oauth2) == (
                "127.0.0.1",
                "none",
                False,
            )
            assert secret == "proxy-password"
            continue
        assert server.secret.is_oauth2
        assert secret.startswith("tok-")
    if helper != "email-oauth2-proxy":
        assert (
            tuple((s.host, s.port, s.tls) for s in (account.imap, account.smtp))
            == SERVERS[provider]
        )
    if helper == "email-oauth2-proxy":  # followthru cannot tell the provider files sent mail
        assert account.save_sent is False
