"""The dashboard with 10,000 contacts: the board, the queue and the numbers over HTTP.

On the scheduler's store (bench/store.py `bulk`), `followthru serve` runs as a user runs it (the
console script, a loopback port, `--now` at the moment the store was built); each page is
fetched once (cold: the contacts are decoded after any change of the store; its time is
printed), then SAMPLES times in a row with the token as a header, timed from the
request to the last byte of the answer. The figure is each page's p95. The server is stopped by
its own pid.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from bench.harness import Result, bench_env, followthru_command, percentile, say
from tests.rig import stop_process

SAMPLES = 30
PAGES = (("board", "/", 0.3), ("queue", "/queue", 0.3), ("numbers", "/numbers", 0.5))


def measure(config: Path, store_dir: Path, now: str) -> list[Result]:
    port = _free_port()
    server = subprocess.Popen(
        [*followthru_command(), "serve", "--listen", f"127.0.0.1:{port}", "--now", now, "--config", str(config)],
        env=bench_env(config.parent), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _wait_for(port, server)
        token = (store_dir / "dashboard.token").read_text().strip()
        return [_page(port, token, *page) for page in PAGES]
    finally:
        stop_process(server)


def _page(port: int, token: str, name: str, path: str, target: float) -> Result:
    url = f"http://127.0.0.1:{port}{path}"
    start = time.perf_counter()
    size = len(_get(url, token))  # the first view decodes the contacts (cold)
    cold = time.perf_counter() - start
    times = []
    for _ in range(SAMPLES):
        start = time.perf_counter()
        _get(url, token)
        times.append(time.perf_counter() - start)
    p95 = percentile(times, 95)
    say(f"dashboard: {name} {size / 1024:.0f} KiB, median {percentile(times, 50) * 1000:.0f} ms")
    result = Result(f"dashboard {name}, 10,000 contacts", f"p95 {p95 * 1000:.0f} ms", f"< {target * 1000:.0f} ms",
                    p95 < target)  # fmt: skip
    result.notes = [
        f"{SAMPLES} requests after a first of {cold * 1000:.0f} ms (the first view after a change decodes), "
        f"median {percentile(times, 50) * 1000:.0f} ms, page {size / 1024:.0f} KiB"
    ]
    return result


def _get(url: str, token: str) -> bytes:
    request = urllib.request.Request(url, headers={"X-Followthru-Token": token})  # noqa: S310  (loopback)
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return bytes(response.read())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"bench: followthru serve exited: {server.stderr.read().decode() if server.stderr else ''}"
            )
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit("bench: followthru serve did not listen within 30 s")
