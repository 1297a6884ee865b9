"""Secret sources: a command, a systemd credential, the keyring; errors never show the secret."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    with pytest.raises(SecretUnavailable, match="a/imap: the secret command") as caught:
        resolve_secret(Secret("password_command", command), where="a/imap", username="u")
    assert message in str(caught.value)


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
