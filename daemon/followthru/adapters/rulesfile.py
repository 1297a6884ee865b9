"""Reads the job-mail rules files: the shipped one, and a user's merged over it.

Invariants: the only I/O of the job reading (core/reading/jobrules.py compiles, core decides);
the shipped table is read and compiled once per process; any problem with a user's file
(unreadable, not YAML, a bad entry) is a ConfigError naming the file and the entry.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from followthru import resources
from followthru.core.reading.jobrules import JobRules, RulesError, compile_rules, merge
from followthru.errors import ConfigError

# libyaml's safe loader when built with it (the rules file is read at every start-up).
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=_LOADER)  # noqa: S506 (a safe loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(str(path), [f"cannot read job rules: {exc}"]) from exc
    if not isinstance(data, dict):
        raise ConfigError(str(path), ["job rules must be a mapping at the top level"])
    return data


@lru_cache(maxsize=1)
def _shipped_data() -> dict[str, Any]:
    return _read(resources.job_rules())


@lru_cache(maxsize=1)
def shipped_rules() -> JobRules:
    """The rules shipped with the package, compiled once."""
    return compile_rules(_shipped_data())


def load_job_rules(user_file: Path | None = None) -> JobRules:
    """The shipped rules, with `user_file`'s merged over them when given (`jobs.rules`):
    an entry with a shipped `id` replaces it (`disabled: true` drops it), others are added."""
    if user_file is None:
        return shipped_rules()
    try:
        stamp = user_file.stat().st_mtime_ns
    except OSError:
        stamp = None  # _read says what is wrong with it
    return _user_rules(user_file, stamp)


@lru_cache(maxsize=4)
def _user_rules(user_file: Path, stamp: int | None) -> JobRules:
    """The merged rules, compiled once per version of the user's file (its mtime)."""
    try:
        return compile_rules(merge(_shipped_data(), _read(user_file)))
    except RulesError as exc:
        raise ConfigError(str(user_file), [str(exc)]) from exc
