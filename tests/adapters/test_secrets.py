"""Secret sources: a command, a systemd credential, the keyring; errors never show the secret."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from followthru.adapters import secrets
from followthru.adapters.secrets import resolve_secret
from followthru.config import Secret
from followthru.errors import SecretUnavailable
from followthru.logs import scrub


def test_password_command_takes_the_first_line() -> None:
    value = resolve_secret(
        Secret("password_command", "printf 'pw-from-cmd\\nsecond line\\n'"),
        where="a/imap",
        username="u",
    )
    assert value == "pw-from-cmd"
    assert "pw-from-cmd" not in scrub("login u pw-from-cmd")


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("exit 3", "exited with status 3"),
        ("true", "printed nothing"),
        ("echo oops >&2; exit 1", "(oops)"),
    ],
)
def test_a_failing_command_is_reported_without_its_output(command: str, message: str) -> None:
    with pytest.raises(SecretUnavailable, match="a/imap: password_command ") as caught:
        resolve_secret(Secret("password_command", command), where="a/imap", username="u")
    assert message in str(caught.value)


def test_a_token_command_that_prints_nothing_names_its_key() -> None:
    with pytest.raises(SecretUnavailable, match="a/smtp: oauth2_token_command printed nothing"):
        resolve_secret(Secret("oauth2_token_command", "printf ''"), where="a/smtp", username="u")


def test_a_hanging_token_command_is_killed_with_its_children_within_the_timeout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A helper waiting for a browser login: the error comes within the timeout, and what the
    shell started is killed too (before, only the shell was: its `sleep` lived on)."""
    monkeypatch.setattr(secrets, "COMMAND_TIMEOUT", 0.5)
    pidfile = tmp_path / "helper.pid"
    command = f"sleep 30 & echo $! > {pidfile}; wait; echo token"
    started = time.monotonic()
    with pytest.raises(SecretUnavailable) as caught:
        resolve_secret(Secret("oauth2_token_command", command), where="a/imap", username="u")
    assert time.monotonic() - started < 5
    assert str(caught.value).startswith("a/imap: oauth2_token_command did not finish within 0.5s")
    helper = int(pidfile.read_text())
    assert _gone_within(helper, seconds=2.0)


def _gone_within(pid: int, *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)  # only asks whether it exists; sends nothing
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_systemd_credentials(tmp_path: Path) -> None:
    (tmp_path / "imap").write_text("cred-pass\n")
    env = {"CREDENTIALS_DIRECTORY": str(tmp_path)}
    assert (
        resolve_secret(Secret("credential", "imap"), where="a/imap", username="u", env=env)
        == "cred-pass"
    )
    with pytest.raises(SecretUnavailable, match="credential 'smtp' cannot be read"):
        resolve_secret(Secret("credential", "smtp"), where="a/smtp", username="u", env=env)
    with pytest.raises(SecretUnavailable, match=r"\$CREDENTIALS_DIRECTORY is not set"):
        resolve_secret(Secret("credential", "imap"), where="a/imap", username="u", env={})
