"""What every figure shares: the private Dovecot, configs, running the real `followthru`, results.

Invariants:
- Everything listens on 127.0.0.1; every process started here is stopped through its own
  Popen object (SIGTERM, then SIGKILL of that pid), never by name.
- The product runs as a user runs it: the `followthru` console script of this virtualenv in
  a subprocess, with a generated config (`tls: none` on loopback, secrets through
  `credential:` and $CREDENTIALS_DIRECTORY) and its store in a temp dir.
- A command's peak RSS and CPU come from wait4() in bench/child.py, a small parent of its own.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.generate import USER, USER_NAME
from tests.rig import ImapAccount, stop_process
from tests.rig.dovecot import DovecotServer, find_dovecot
from tests.rig.tls import make_tls_rig

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "personal"
TIMEZONE = "Europe/Berlin"


@dataclass
class Result:
    """One line of the summary: value, target, the ratio against the raw baseline, verdict."""

    figure: str
    value: str
    target: str
    passed: bool
    ratio: str = ""
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        ratio = f"; {self.ratio}" if self.ratio else ""
        return f"{self.figure}: {self.value} (target {self.target}{ratio}) {'PASS' if self.passed else 'FAIL'}"


def say(text: str) -> None:
    """Progress on stderr, flushed (make shows it as it happens)."""
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def followthru_command() -> list[str]:
    """The console script next to this interpreter (the virtualenv's), as a user runs it."""
    script = Path(sys.executable).parent / "followthru"
    return [str(script)] if script.exists() else [sys.executable, "-m", "followthru"]


def bench_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CREDENTIALS_DIRECTORY"] = str(workdir / "credentials")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("NOTIFY_SOCKET", None)
    env.pop("JOURNAL_STREAM", None)
    return env


@dataclass(frozen=True, slots=True)
class Finished:
    returncode: int
    seconds: float
    max_rss_kib: int
    cpu: float  # user + system seconds
    stdout: str
    stderr: str

    @property
    def max_rss_mib(self) -> float:
        return self.max_rss_kib / 1024

    def check(self, what: str) -> Finished:
        if self.returncode != 0:
            raise RuntimeError(
                f"{what} exited {self.returncode}\n--- stdout ---\n{self.stdout[-2000:]}"
                f"\n--- stderr ---\n{self.stderr[-4000:]}"
            )
        return self


def measure(command: Sequence[str], workdir: Path, *, timeout: float = 600.0) -> Finished:
    """Run `command` under bench/child.py; its wall time, peak RSS, CPU and output."""
    with tempfile.TemporaryDirectory(dir=workdir) as scratch:
        out, err, report = (Path(scratch) / n for n in ("out", "err", "report.json"))
        wrapper = [sys.executable, str(ROOT / "bench" / "child.py"), str(report), str(timeout)]
        with out.open("wb") as stdout, err.open("wb") as stderr:
            subprocess.run([*wrapper, *command], stdout=stdout, stderr=stderr, check=False,
                           env=bench_env(workdir), cwd=ROOT)  # fmt: skip
        data = json.loads(report.read_text())
        return Finished(data["returncode"], data["seconds"], data["max_rss_kib"],
                        data["user"] + data["system"], out.read_text(errors="replace"),
                        err.read_text(errors="replace"))  # fmt: skip


def followthru(config: Path, *argv: str, timeout: float = 600.0) -> Finished:
    return measure([*followthru_command(), *argv, "--config", str(config)], config.parent,
                   timeout=timeout)  # fmt: skip


def bench_module(workdir: Path, module: str, *argv: str, timeout: float = 600.0) -> Finished:
    """`python -m bench.<module> ARGV` (helpers that call the product's own Python API)."""
    return measure([sys.executable, "-m", f"bench.{module}", *argv], workdir, timeout=timeout)


def write_config(
    workdir: Path,
    account: ImapAccount,
    *,
    smtp: tuple[str, int, str, str] | None = None,
    templates_dir: Path | None = None,
    watch: dict[str, Any] | None = None,
    cadence: dict[str, Any] | None = None,
) -> Path:
    """config.yaml (JSON is YAML) for one account on the private Dovecot; secrets as systemd
    credentials in workdir/credentials. `smtp` = (host, port, username, password)."""
    creds = workdir / "credentials"
    creds.mkdir(exist_ok=True, mode=0o700)
    (creds / "imap").write_text(account.password)
    if smtp is None:
        smtp_section: dict[str, Any] = {"host": "127.0.0.1", "port": 9, "tls": "none"}
    else:
        (creds / "smtp").write_text(smtp[3])
        smtp_section = {"host": smtp[0], "port": smtp[1], "tls": "none", "username": smtp[2],
                        "credential": "smtp"}  # fmt: skip
    config: dict[str, Any] = {
        "identity": {"name": USER_NAME, "email": USER, "timezone": TIMEZONE},
        "accounts": [{
            "name": ACCOUNT,
            "imap": {"host": account.host, "port": account.port, "tls": "none",
                     "username": account.username, "credential": "imap", "timeout": "120s"},
            "smtp": smtp_section,
        }],
        "store": {"path": str(workdir / "state.db")},
        "notify": {"digest_at": None, "urgent": False},  # the figures count mail, not our notes
        "approval": {"max_drafts_per_pass": 1000},  # the sending figure writes 100 drafts at once
        "watch": watch or {},
        # `run` serves the dashboard meanwhile (issue 17: latency and idle hold with it on)
        "dashboard": {"listen": f"127.0.0.1:{free_port()}"},
    }  # fmt: skip
    if cadence:
        config["cadence"] = cadence
    if templates_dir is not None:
        config["templates_dir"] = str(templates_dir)
    path = workdir / "config.yaml"
    path.write_text(json.dumps(config, indent=2))
    return path


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def private_dovecot(scratch: Path) -> Iterator[DovecotServer]:
    """tests/rig's Dovecot (vsz_limit 1G, loopback, own temp dir), stopped by its own pid."""
    binary = find_dovecot()
    if binary is None:
        raise SystemExit("bench: dovecot not installed (apt-get install dovecot-imapd)")
    tls = scratch / "tls"
    tls.mkdir()
    rig = make_tls_rig(tls)
    server = DovecotServer(binary, cert=rig.localhost, cafile=rig.cafile)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def workdir(parent: Path, name: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def daemon(config: Path, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`followthru run` in the background (its stderr log in `log`), stopped by its own pid."""
    with log.open("wb") as output:
        process = subprocess.Popen([*followthru_command(), "run", "--config", str(config)],
                                   stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                                   env=bench_env(config.parent), cwd=ROOT)  # fmt: skip
    try:
        yield process
    finally:
        stop_process(process)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a live process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a live process, from /proc/<pid>/status, in KiB."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def wait_for_log(log: Path, text: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            raise RuntimeError(
                f"followthru run exited {process.returncode}:\n{log.read_text()[-3000:]}"
            )
        time.sleep(0.05)
    raise RuntimeError(
        f"no {text!r} in the daemon's log after {timeout} s:\n{log.read_text()[-3000:]}"
    )


def wait_until_quiet(pid: int, *, quiet: float = 0.5, timeout: float = 120.0) -> None:
    """Until the process used no CPU for `quiet` seconds (its pass is over: it waits in IDLE)."""
    deadline = time.monotonic() + timeout
    last, since = cpu_seconds(pid), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now_cpu = cpu_seconds(pid)
        if now_cpu != last:
            last, since = now_cpu, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
    raise RuntimeError(f"process {pid} did not go quiet within {timeout} s")


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]
