"""`make bench`: every figure of the benchmark issue, each against its raw baseline in the same run.

    .venv/bin/python bench/run.py [--idle-seconds 130] [--only sync,idle,latency,scheduler,classify,sending]
                                  [--small 10000] [--big 100000] [--samples 50] [--contacts 10000]

Starts one private Dovecot (tests/rig/dovecot.py) on 127.0.0.1 in a temp dir, generates the
mailboxes (bench/generate.py), runs the real `followthru` command in subprocesses, and ends
with one line per figure: value, target, the ratio against the raw baseline where there is
one, PASS or FAIL. Exits 1 if any figure fails. Everything it starts is stopped by its own
pid and every temp dir is removed. See bench/README.md for how to read the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo root: bench, tests

import imapclient

from bench.figures import classify, idle, latency, scheduler, sending, sync
from bench.harness import ROOT, Result, private_dovecot, say, workdir
from tests.rig.dovecot import DovecotServer, find_dovecot

FIGURES = ("sync", "idle", "latency", "scheduler", "classify", "sending")


def machine() -> list[str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    dovecot = find_dovecot()
    version = subprocess.run([str(dovecot), "--version"], capture_output=True, text=True, check=False).stdout.strip() if dovecot else "missing"  # fmt: skip
    commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True,
                            text=True, check=False).stdout.strip()  # fmt: skip
    return [f"nproc {len(os.sched_getaffinity(0))}, {cpu}, Python {platform.python_version()}, "
            f"Dovecot {version}, imapclient {imapclient.__version__}, followthru {commit or 'unknown'}"]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description="followthru's benchmarks (see bench/README.md)")
    parser.add_argument("--idle-seconds", type=float, default=130.0,
                        help="length of the idle window (the issue says 600; default 130: one 2-min poll pass inside)")  # fmt: skip
    parser.add_argument(
        "--only", default=",".join(FIGURES), help=f"comma-separated subset of {', '.join(FIGURES)}"
    )
    parser.add_argument(
        "--small", type=int, default=10_000, help="the small mailbox (memory growth, latency)"
    )
    parser.add_argument(
        "--big", type=int, default=100_000, help="the big mailbox (first sync, resume, idle)"
    )
    parser.add_argument(
        "--contacts", type=int, default=scheduler.CONTACTS, help="contacts in the scheduler's store"
    )
    parser.add_argument(
        "--samples", type=int, default=latency.SAMPLES, help="reply-to-state samples"
    )
    args = parser.parse_args()
    started = time.monotonic()
    header = machine()
    say(header[0])
    with (
        workdir(Path(tempfile.gettempdir()), "followthru-bench") as scratch,
        private_dovecot(scratch) as server,
    ):
        results = measure_all(args, server, scratch)
    total = time.monotonic() - started
    print()
    print(f"followthru benchmarks - {header[0]}; wall time {total / 60:.1f} min")
    for result in results:
        print(result.line())
    return 0 if all(r.passed for r in results) else 1


def measure_all(args: argparse.Namespace, server: DovecotServer, scratch: Path) -> list[Result]:
    """Every figure asked for, in an order that reuses the mailboxes and frees the big one early."""
    wanted = set(args.only.split(","))
    results: list[Result] = []
    small = big = None
    if wanted & {"sync", "latency"}:
        small = sync.measure_size(server, args.small, scratch)
    if wanted & {"sync", "idle"}:
        big = sync.measure_size(server, args.big, scratch)
    if "sync" in wanted and small and big:
        results += _shown(sync.results(small, big), sync.details(small) + sync.details(big))
    if "idle" in wanted and big:
        results += _shown([idle.measure(big, args.idle_seconds)])
    if big:
        server.remove_account(big.account)  # 1-2 GB of Maildir: gone before the rest
    if "latency" in wanted and small:
        measured, notes = latency.measure(small, args.samples)
        results += _shown([latency.result(measured)], notes)
    if "scheduler" in wanted:
        place = scratch / "scheduler"
        place.mkdir()
        results += _shown(scheduler.measure(server.new_account(), place, args.contacts))
    if "classify" in wanted:
        results += _shown([classify.run(scratch)])
    if "sending" in wanted:
        place = scratch / "sending"
        place.mkdir()
        results += _shown([sending.measure(server.new_account(), place)])
    return results


def _shown(results: list[Result], details: list[str] | None = None) -> list[Result]:
    """Print figures with their details as soon as they are measured (the summary comes last)."""
    for line in details or []:
        print(f"  {line}", flush=True)
    for one in results:
        print(f"- {one.line()}", flush=True)
        for note in one.notes:
            print(f"    {note}", flush=True)
    return results


if __name__ == "__main__":
    sys.exit(main())
