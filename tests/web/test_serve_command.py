"""`followthru serve` as a user runs it: a real process on 127.0.0.1 (port 0 here), the token
made before the port opens, the pages behind it, and a quick, clean stop on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from followthru.adapters.web.token import token_path
from followthru.config import load_config


def test_serve_answers_with_the_token_only_and_stops_on_sigterm(config: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "followthru", "serve", "--listen", "127.0.0.1:0", "--config", str(config)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        token = token_path(load_config(config).store_path).read_text().strip()
        url = f"http://127.0.0.1:{found.group(1)}/"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=5)
        assert refused.value.code == 401
        request = urllib.request.Request(url, headers={"X-Followthru-Token": token})
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            assert response.status == 200 and "Bob Stone" in response.read().decode()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert token not in (server.stderr.read() if server.stderr else "")
