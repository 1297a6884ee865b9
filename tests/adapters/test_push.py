"""Push through apprise (adapters/push.py) to a loopback HTTP server: a title and one line,
never a URL's secret in the log, never raising, never blocking past its timeout, a failure
said once until it works again; and the config refuses a URL apprise does not understand."""

from __future__ import annotations

import json
import logging
import socket
import time
from pathlib import Path

import pytest

from followthru.adapters.push import MAX_LINE, ApprisePush, scheme, url_problem
from followthru.config import load_config
from followthru.errors import ConfigError
from tests.rig.hooks import PushSink


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_push_carries_a_title_and_one_line() -> None:
    with PushSink() as sink:
        ok = await ApprisePush([sink.url]).push(
            "followthru", "a send is uncertain (Bob, thank_you)"
        )
    assert ok
    [body] = sink.received
    assert body["title"] == "followthru"
    assert body["message"] == "a send is uncertain (Bob, thank_you)"


async def test_a_long_line_is_cut() -> None:
    with PushSink() as sink:
        await ApprisePush([sink.url]).push("followthru", "x" * 5000)
    assert len(sink.received[0]["message"]) == MAX_LINE


async def test_a_failing_service_never_raises_and_is_said_once_without_its_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"json://user:s3cr3t-token@127.0.0.1:{closed_port()}/"
    push = ApprisePush([url], timeout=5)
    caplog.set_level(logging.DEBUG)
    assert not await push.push("followthru", "one")
    assert not await push.push("followthru", "two")
    failures = [r for r in caplog.records if "push_failed" in r.getMessage()]
    assert len(failures) == 1 and "schemes=json" in failures[0].getMessage()
    assert "s3cr3t-token" not in caplog.text
    with PushSink() as sink:  # the same URLs working again is said too (a new burst later)
        push.urls = (sink.url,)
        assert await push.push("followthru", "three")


async def test_a_hung_service_does_not_hold_the_caller_past_the_timeout() -> None:
    with PushSink(delay=3.0) as sink:
        started = time.monotonic()
        ok = await ApprisePush([sink.url], timeout=0.5).push("followthru", "slow")
        waited = time.monotonic() - started
    assert not ok
    assert waited < 2.0


def test_url_problems_name_the_scheme_only() -> None:
    assert url_problem("json://127.0.0.1:9/") is None
    assert url_problem("ntfy://my-topic") is None
    problem = url_problem("bogus://user:hunter2@example.org/")
    assert problem is not None and "bogus" in problem and "hunter2" not in problem
    assert scheme("gotify://host/token") == "gotify"
    assert scheme("no url at all") == "?"


def test_the_config_refuses_an_unknown_push_url_naming_its_key(tmp_path: Path) -> None:
    cfg = {
        "identity": {"name": "Jane Doe", "email": "jane@example.org", "timezone": "UTC"},
        "accounts": [{"name": "a", "imap": {"host": "127.0.0.1", "port": 1143, "tls": "none",
                                            "username": "jane", "password_command": "echo x"},
                      "smtp": {"host": "127.0.0.1", "port": 2525, "tls": "none"}}],
        "store": {"path": str(tmp_path / "state.db")},
        "notify": {"push": ["ntfy://my-topic", "bogus://user:hunter2@example.org/"]},
    }  # fmt: skip
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(cfg))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "notify.push[1]" in str(caught.value) and "hunter2" not in str(caught.value)
    assert "notify.push[0]" not in str(caught.value)
    cfg["notify"] = {"push": ["ntfy://my-topic"]}
    path.write_text(json.dumps(cfg))
    assert load_config(path).notify.push == ("ntfy://my-topic",)
