"""`dashboard.listen`: off by default (the example too), loopback only, ADDRESS:PORT."""

from __future__ import annotations

from pathlib import Path

import pytest

from followthru.config import Listen, load_config, parse_config, parse_listen
from followthru.errors import ConfigError
from followthru.resources import example_config
from tests.config.test_config import MINIMAL


def test_the_example_leaves_the_dashboard_off() -> None:
    assert load_config(example_config(), env={}).dashboard.listen is None


@pytest.mark.parametrize(
    ("text", "listen"),
    [
        ("127.0.0.1:8025", Listen("127.0.0.1", 8025)),
        ("[::1]:8025", Listen("::1", 8025)),
        ("localhost:0", Listen("127.0.0.1", 0)),
    ],
)
def test_loopback_addresses_are_taken(tmp_path: Path, text: str, listen: Listen) -> None:
    config = parse_config(MINIMAL + f"dashboard: {{listen: '{text}'}}\n", tmp_path / "c.yaml", {})
    assert config.dashboard.listen == listen


@pytest.mark.parametrize(
    "text", ["0.0.0.0:8025", "192.168.1.4:8025", "[::]:8025", "example.com:80"]
)
def test_other_addresses_are_refused_naming_them(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(MINIMAL + f"dashboard: {{listen: '{text}'}}\n", tmp_path / "c.yaml", {})
    (problem,) = caught.value.problems
    assert problem.startswith("dashboard.listen")
    assert text.rpartition(":")[0].strip("[]") in problem and "loopback" in problem


@pytest.mark.parametrize("text", ["8025", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000"])
def test_a_listen_without_a_port_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="ADDRESS:PORT"):
        parse_listen(text)
