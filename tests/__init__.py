"""followthru's tests; a package so that `tests.rig` is importable from every test."""
