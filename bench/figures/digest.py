"""The daily digest for the scheduler's store of 10,000 contacts, built in under 200 ms.

What is timed is what the daemon does once a day (service/notices.py): `Notifier.build` (what
waits, what happened, what is coming) and the digest's text and HTML rendered, in a
subprocess on the scheduler's store (bench/store.py `digest`), several times in a row. The
figure is the median; the first build (cold caches) is printed beside it.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from bench.harness import Result, bench_module

TARGET = 0.2  # seconds
RUNS = 7


def measure(workdir: Path, config: Path, now: str, contacts: int) -> Result:
    done = bench_module(workdir, "store", "digest", str(config), now, str(RUNS))
    info = json.loads(done.check("bench.store digest").stdout)
    seconds = info["seconds"]
    median = statistics.median(seconds)
    result = Result(f"digest, {contacts:,} contacts", f"{median * 1000:.0f} ms", "< 200 ms",
                    median < TARGET, ratio=f"{median / TARGET:.2f} of the target")  # fmt: skip
    result.notes = [
        f"{RUNS} builds: first {seconds[0] * 1000:.0f} ms, fastest {min(seconds) * 1000:.0f} ms; "
        f"lines: {info['waiting']} waiting, {info['happened']} happened, {info['coming']} coming; "
        f"text {info['text_bytes']:,} B, HTML {info['html_bytes']:,} B"
    ]
    return result
