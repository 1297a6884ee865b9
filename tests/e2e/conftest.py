"""Fixtures shared by the end-to-end tests: `config`, a followthru config on the `imap_server`."""

from tests.e2e.test_watch import config

__all__ = ["config"]
