"""Resolve a configured secret: a command's output, a systemd credential, the keyring, a token.

Invariant: a resolved secret is registered with logs.register_secret before it is returned,
and no error message here ever contains it (a command's stdout is never shown).
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path

from followthru.config import Secret
from followthru.errors import SecretUnavailable
from followthru.logs import register_secret

COMMAND_TIMEOUT = 60.0


def resolve_secret(secret: Secret, *, where: str, username: str | None,
                   env: Mapping[str, str] | None = None) -> str:  # fmt: skip
    """Return the secret for `where` (e.g. "personal/imap"), or raise SecretUnavailable."""
    env = os.environ if env is None else env
    if secret.kind in ("password_command", "oauth2_token_command"):
        value = _from_command(secret.value, secret.kind, where)
    elif secret.kind == "credential":
        value = _from_credential(secret.value, where, env)
    else:
        value = _from_keyring(where)
    register_secret(value, username)
    return value


def _from_command(command: str, key: str, where: str) -> str:
    """The first line the command prints. It runs in its own process group, so that a hung
    helper is killed with everything it started (a shell's `sleep`, a browser waiting for a
    login): otherwise a grandchild holding the pipe open outlives the timeout."""
    try:
        process = subprocess.Popen(  # noqa: S602  (the user's own configured command, like mbsync's PassCmd)
            command,
            shell=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    except OSError as exc:
        raise SecretUnavailable(f"{where}: {key} could not run: {exc.strerror}") from None
    try:
        stdout, stderr = process.communicate(timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise SecretUnavailable(
            f"{where}: {key} did not finish within {COMMAND_TIMEOUT:g}s (is it waiting for "
            "a login or a passphrase? run it by hand once)"
        ) from None
    first = stdout.splitlines()[0].strip() if stdout.strip() else ""
    if process.returncode != 0 or not first:
        why = (
            f"exited with status {process.returncode}" if process.returncode else "printed nothing"
        )
        err = stderr.strip().splitlines()[-1][:200] if stderr.strip() else ""
        raise SecretUnavailable(f"{where}: {key} {why}" + (f" ({err})" if err else ""))
    return first


def _kill_group(process: subprocess.Popen[str]) -> None:
    """SIGKILL the command's process group, then reap it (a process that left the group and
    still holds the pipes is not waited for long)."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        process.communicate(timeout=5)


def _from_credential(name: str, where: str, env: Mapping[str, str]) -> str:
    folder = env.get("CREDENTIALS_DIRECTORY")
    if not folder:
        raise SecretUnavailable(
            f"{where}: credential {name!r} asked for, but $CREDENTIALS_DIRECTORY is not set "
            "(run under systemd with LoadCredential=, or use password_command)"
        )
    try:
        value = (Path(folder) / name).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SecretUnavailable(
            f"{where}: credential {name!r} cannot be read: {exc.strerror}"
        ) from None
    if not value:
        raise SecretUnavailable(f"{where}: credential {name!r} is empty")
    return value


def _from_keyring(where: str) -> str:
    try:
        import keyring  # noqa: PLC0415  (optional dependency: pip install followthru[keyring])
    except ImportError:
        raise SecretUnavailable(
            f"{where}: `keyring: true` needs the keyring package (pip install keyring)"
        ) from None
    try:
        value = keyring.get_password("followthru", where)
    except Exception as exc:
        raise SecretUnavailable(f"{where}: the keyring failed: {type(exc).__name__}") from None
    if not value:
        raise SecretUnavailable(
            f"{where}: no password in the keyring (keyring set followthru {where})"
        )
    return str(value)
