"""A small validating reader over a YAML mapping that collects every problem with its key path.

config.py describes the schema with it; nothing else reads raw YAML. A Reader never raises:
it records an error and returns None, so one pass reports all the problems of a file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from followthru.core.model import Step

STEP_NAMES = tuple(step.value for step in Step)

_MISSING = object()
_DURATION = re.compile(r"^(?:(\d+)([smhdw]))+$")
_DURATION_PART = re.compile(r"(\d+)([smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# Characters that must never reach a mail header (header injection, see reliability.md row 18).
_UNSAFE_IN_HEADERS = frozenset("\r\n\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


class Reader:
    """Reads typed values out of one mapping; errors are shared with every child reader."""

    def __init__(
        self, data: Any, prefix: str, *, base: Path, errors: list[str] | None = None
    ) -> None:
        self.data = data
        self.prefix = prefix
        self.base = base
        self.errors: list[str] = [] if errors is None else errors

    def where(self, key: str) -> str:
        if not key:
            return self.prefix or "(top level)"
        if not self.prefix:
            return key
        return self.prefix + key if key.startswith("[") else f"{self.prefix}.{key}"

    def error(self, key: str, message: str) -> None:
        self.errors.append(f"{self.where(key)}: {message}")

    def child(self, prefix: str, data: Any) -> Reader:
        return Reader(data, prefix, base=self.base, errors=self.errors)

    def check_mapping(self, known: Sequence[str]) -> bool:
        """Report a non-mapping and every unknown key (with a suggestion for typos)."""
        if not isinstance(self.data, dict):
            self.error("", f"must be a mapping of keys, not {_kind(self.data)}")
            self.data = {}
            return False
        for key in self.data:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = (
                    f" (did you mean `{close[0]}`?)"
                    if close
                    else f"; known keys: {', '.join(known)}"
                )
                self.error(str(key), f"unknown key{hint}")
        return True

    def has(self, key: str) -> bool:
        return isinstance(self.data, dict) and key in self.data

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        if self.has(key) and self.data[key] is not None:
            return self.data[key]
        return None if default is _MISSING else default

    def section(self, key: str, *, required: bool = False) -> Reader:
        if required and not self.has(key):
            self.error(key, "is required")
        return self.child(self.where(key), self.raw(key, {}))

    def _get(self, key: str, required: bool, default: Any) -> Any:
        value = self.raw(key, _MISSING if required else default)
        if value is None and required:
            self.error(key, "is required")
        return value

    def string(self, key: str, *, required: bool = False, default: str | None = None,
               header_safe: bool = False) -> str | None:  # fmt: skip
        value = self._get(key, required, default)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(key, f"must be a non-empty string, not {_kind(value)}")
            return None
        if header_safe and _UNSAFE_IN_HEADERS.intersection(value):
            self.error(key, "must not contain line breaks or control characters")
            return None
        return value.strip()

    def integer(
        self, key: str, *, default: int | None = None, low: int = 0, high: int = 2**31
    ) -> int | None:
        value = self._get(key, False, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, f"must be a whole number, not {_kind(value)}")
            return None
        if not low <= value <= high:
            self.error(key, f"must be between {low} and {high}, not {value}")
            return None
        return value

    def boolean(self, key: str, *, default: bool | None = None) -> bool | None:
        value = self._get(key, False, default)
        if value is not None and not isinstance(value, bool):
            self.error(key, f"must be true or false, not {_kind(value)}")
            return None
        return value

    def choice(self, key: str, options: Sequence[Any], *, default: Any) -> Any:
        value = self._get(key, False, default)
        if value not in options:
            shown = " | ".join(str(o).lower() for o in options)
            self.error(key, f"must be one of {shown}, not {value!r}")
            return None
        return value

    def duration(
        self, key: str, *, default: timedelta, low: timedelta | None = None
    ) -> timedelta | None:
        value = self._get(key, False, None)
        if value is None:
            return default
        parsed = (
            parse_duration(value)
            if isinstance(value, str)
            else (timedelta(0) if value == 0 else None)
        )
        if parsed is None:
            self.error(key, f"{value!r} is not a duration like 30s, 90m, 36h, 7d or 2w")
        elif low is not None and parsed < low:
            self.error(key, f"{value!r} is too short (at least {_show(low)})")
            return None
        return parsed

    def list(
        self, key: str, *, required: bool = False, default: list[Any] | None = None
    ) -> list[Any] | None:
        value = self._get(key, required, default)
        if value is not None and not isinstance(value, list):
            self.error(key, f"must be a list, not {_kind(value)}")
            return None
        return value

    def items(self, key: str) -> Iterator[tuple[str, Any]]:
        for i, value in enumerate(self.list(key, default=[]) or []):
            yield f"{key}[{i}]", value

    def path(self, key: str, *, default: Path | None, must_be_dir: bool = False,
             must_be_file: bool = False) -> Path | None:  # fmt: skip
        value = self._get(key, False, None)
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            self.error(key, f"must be a path, not {_kind(value)}")
            return None
        path = Path(value).expanduser()
        path = path if path.is_absolute() else self.base / path
        if must_be_dir and not path.is_dir():
            self.error(key, f"{value!r} is not a folder")
            return None
        if must_be_file and not path.is_file():
            self.error(key, f"{value!r} is not a readable file")
            return None
        return path


def parse_duration(text: str) -> timedelta | None:
    """`30s`, `90m`, `36h`, `7d`, `2w`, or combined (`1h30m`); `0` alone is zero. None if invalid."""
    text = text.strip()
    if text == "0":
        return timedelta(0)
    if not _DURATION.match(text):
        return None
    return timedelta(seconds=sum(int(n) * _UNITS[u] for n, u in _DURATION_PART.findall(text)))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    names = {dict: "a mapping", list: "a list", str: "a string", int: "a number", float: "a number"}
    return f"{names.get(type(value), type(value).__name__)} ({value!r})" if value != {} else "empty"


def _show(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0 and seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
