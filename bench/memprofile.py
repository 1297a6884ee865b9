"""Where the first sync's memory goes: `run_once` in-process under tracemalloc.

    python -m bench.memprofile CONFIG [TOP]

Not part of `make bench` (tracemalloc slows the pass 2-3x). Runs followthru.app.run_once on
the config's store and mailbox (use a copy of a freshly registered store: the pass is a
first sync) and prints the Python allocations still alive at the moment the reading of the
folders is over and the pass is applied (Sync._apply: the high-water mark of a first
sync), grouped by the line that allocated them, with tracemalloc's own peak.
"""

from __future__ import annotations

import asyncio
import sys
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from followthru.app import run_once
from followthru.config import load_config
from followthru.service import sync


def main(argv: list[str]) -> int:
    config = load_config(Path(argv[0]))
    top = int(argv[1]) if len(argv) > 1 else 15
    original = sync.Sync._apply
    snapshots: list[tuple[tracemalloc.Snapshot, int, int]] = []

    def apply(self: sync.Sync, passes: Any, relevant: Any, now: datetime) -> int:
        current, _peak = tracemalloc.get_traced_memory()
        scanned = sum(len(p.keys) for p in passes)
        snapshots.append((tracemalloc.take_snapshot(), current, scanned))
        print(f"reading over: {scanned:,} messages scanned, {len(relevant):,} kept as relevant")
        return original(self, passes, relevant, now)

    sync.Sync._apply = apply  # type: ignore[method-assign]
    tracemalloc.start(1)
    asyncio.run(run_once(config, datetime.now(UTC)))
    _current, peak = tracemalloc.get_traced_memory()
    snapshot, at_apply, scanned = snapshots[0]
    print(f"traced Python memory: {at_apply / 2**20:.1f} MiB when the pass is applied, "
          f"peak {peak / 2**20:.1f} MiB ({at_apply / max(1, scanned):,.0f} B per scanned message)")  # fmt: skip
    for stat in snapshot.statistics("lineno")[:top]:
        frame = stat.traceback[0]
        print(
            f"{stat.size / 2**20:8.1f} MiB {stat.count:9,} blocks  {frame.filename.split('site-packages/')[-1]}:{frame.lineno}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
