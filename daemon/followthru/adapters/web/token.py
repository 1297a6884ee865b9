"""The dashboard's access token: random, kept in the state folder next to the store, 0600.

Invariants:
- Created once, on first use, with O_EXCL and mode 0600 (never readable by others, never
  overwritten by a second process racing the first); read back as it is afterwards.
- The token is a secret: it is printed only by `followthru serve --url`, never logged.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from followthru.errors import StoreError

TOKEN_FILE = "dashboard.token"  # noqa: S105  (a file name, not a secret)


def token_path(store_path: Path) -> Path:
    return store_path.parent / TOKEN_FILE


def load_token(store_path: Path) -> str:
    """The token for the store at `store_path`, created on first use."""
    path = token_path(store_path)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the dashboard token: {exc.strerror}") from exc
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_urlsafe(32) + "\n")
    return _read(path)


def _read(path: Path) -> str:
    try:
        token = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path}: cannot read the dashboard token: {exc}") from exc
    if len(token) < 32:
        raise StoreError(
            f"{path}: the dashboard token is too short; delete the file to get a new one"
        )
    return token
