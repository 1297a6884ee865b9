"""Resolve a configured secret: a command's output, a systemd credential, the keyring, a token.

Invariant: a resolved secret is registered with logs.register_secret before it is returned,
and no error message here ever contains it (a command's stdout is never shown).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
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
        value = _from_command(secret.value, where)
    elif secret.kind == "credential":
        value = _from_credential(secret.value, where, env)
    else:
        value = _from_keyring(where)
    register_secret(value, username)
    return value


def _from_command(command: str, where: str) -> str:
    try:
        done = subprocess.run(  # noqa: S602  (the user's own configured command, like mbsync's PassCmd)
            command,
            shell=True,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SecretUnavailable(
            f"{where}: the secret command did not finish in {COMMAND_TIMEOUT:.0f}s"
        ) from None
    except OSError as exc:
        raise SecretUnavailable(
            f"{where}: the secret command could not run: {exc.strerror}"
        ) from None
    first = done.stdout.splitlines()[0].strip() if done.stdout.strip() else ""
    if done.returncode != 0 or not first:
        why = f"exited with status {done.returncode}" if done.returncode else "printed nothing"
        err = done.stderr.strip().splitlines()[-1][:200] if done.stderr.strip() else ""
        raise SecretUnavailable(f"{where}: the secret command {why}" + (f" ({err})" if err else ""))
    return first


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
