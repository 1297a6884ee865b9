"""Entry point of `make bench`. No benchmark is built yet; it says so and fails."""

import sys

print("followthru: no benchmarks are built yet (see bench/README.md)", file=sys.stderr)
sys.exit(1)
