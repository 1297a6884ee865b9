"""`followthru classify` throughput on the test corpus (tests/data/mail), one process, one core.

The corpus (~100 hand-written messages: bounces, auto-replies, invitations, replies,
malformed mail) is passed REPEAT times on one command line, so that about 6,000 messages go
through one `followthru classify --json` (reading each file, parsing, classifying, printing
one JSON line). The interpreter's start-up and imports are a fixed cost, not throughput: a
run with one file measures them, and the figure is the rate of the messages beyond it,
(N - 1) / (t(N) - t(1)). The end-to-end rate, start-up included, is printed beside it.
"""

from __future__ import annotations

from pathlib import Path

from bench.harness import ROOT, Result, followthru_command, measure, say

CORPUS = ROOT / "tests" / "data" / "mail"
TARGET_MESSAGES = 6_000


def run(workdir: Path) -> Result:
    files = sorted(str(p) for p in CORPUS.glob("*.eml"))
    repeat = max(1, TARGET_MESSAGES // len(files))
    say(f"classify: {len(files)} files x {repeat}")
    one = measure([*followthru_command(), "classify", "--json", files[0]], workdir)
    many = measure([*followthru_command(), "classify", "--json", *(files * repeat)], workdir)
    count = len(files) * repeat
    lines = many.stdout.count("\n")
    rate = (count - 1) / max(1e-9, many.seconds - one.seconds)
    res = Result(
        "classify throughput",
        f"{rate:,.0f} msg/s ({count:,} messages in {many.seconds:.2f} s, start-up {one.seconds:.2f} s)",
        ">= 1,000 msg/s on one core",
        rate >= 1000 and lines == count,
    )
    res.notes = [
        f"end to end, start-up included: {count / many.seconds:,.0f} msg/s; CPU {many.cpu:.2f} s "
        f"for {many.seconds:.2f} s of wall time (one core); exit {many.returncode}",
        f"results printed: {lines:,} of {count:,}",
    ]
    return res
