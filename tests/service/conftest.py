"""The service's fixtures: a config and a Service on a real SQLite file in a temp folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from followthru.adapters.store import Store
from followthru.config import Config, load_config
from followthru.service.contacts import Service

ME = "jane@example.org"
PLAIN_THANKS = "Subject: Thank you, {{ contact.first_name or 'there' }}\n\nThank you for today.\n"


@pytest.fixture
def config(tmp_path: Path) -> Config:
    (tmp_path / "letters").mkdir()
    (tmp_path / "letters" / "thank_you.txt.j2").write_text(PLAIN_THANKS)
    cfg = {
        "identity": {"name": "Jane Doe", "email": ME, "timezone": "Europe/Berlin"},
        "accounts": [{
            "name": "personal",
            "imap": {"host": "127.0.0.1", "port": 1143, "tls": "none", "username": ME,
                     "password_command": "true"},
            "smtp": {"host": "127.0.0.1", "port": 2525, "tls": "none"},
        }],
        "store": {"path": str(tmp_path / "state.db")},
        "templates_dir": str(tmp_path / "letters"),
    }  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(cfg))
    return load_config(path)


@pytest.fixture
def service(config: Config) -> Iterator[Service]:
    with Store.open(config.store_path) as store:
        yield Service(store, config)
