"""Run one command and report what it cost: `python bench/child.py OUT.json TIMEOUT CMD...`.

A separate, small parent, so that the peak RSS is the command's own: Linux keeps the
high-water mark of the address space a child had before exec() (a fork of a big benchmark
process would report the benchmark's size), and RUSAGE_CHILDREN would mix every child the
benchmark ever waited for. wait4() gives this one child's peak RSS and CPU times.

Writes {"returncode", "seconds", "max_rss_kib", "user", "system"}; the wall time starts just
before the command is spawned. Run by path (not as a module) to stay small.
"""

import json
import os
import subprocess
import sys
import threading
import time


def main() -> int:
    out, timeout, command = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    started = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    watchdog = threading.Timer(timeout, process.kill)  # by its own pid, if it hangs
    watchdog.start()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    watchdog.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped: kill() is a no-op now
    with open(out, "w") as report:
        json.dump({"returncode": process.returncode, "seconds": seconds, "max_rss_kib": usage.ru_maxrss,
                   "user": usage.ru_utime, "system": usage.ru_stime}, report)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
