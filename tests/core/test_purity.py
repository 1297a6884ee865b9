"""core/ decides and never does: it imports only the stdlib's pure parts and other core modules,
and never reads the clock (time is a parameter)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import followthru.core

CORE = Path(followthru.core.__file__).parent
# Stdlib modules that do I/O, read the clock or the environment, or are nondeterministic.
FORBIDDEN = {
    "asyncio", "sqlite3", "socket", "ssl", "logging", "subprocess", "os", "io", "shutil", "pathlib",
    "tempfile", "select", "selectors", "threading", "multiprocessing", "time", "random", "secrets",
    "urllib", "http", "smtplib", "imaplib", "poplib", "email.generator", "signal", "sys", "uuid",
}  # fmt: skip
CLOCK_CALLS = {
    "now",
    "today",
    "utcnow",
    "monotonic",
    "perf_counter",
}  # time.time: `time` is forbidden


def core_modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    names: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level > 1:
                names.append((node.lineno, "." * node.level + (node.module or "")))
            elif node.level == 0:
                names.append((node.lineno, node.module or ""))
    return names


def test_there_is_a_core_to_check() -> None:
    assert any(p.name == "__init__.py" for p in core_modules())


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: p.name)
def test_core_imports_only_pure_stdlib_and_core(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for line, name in imported(tree):
        top = name.split(".")[0]
        if name.startswith(".."):
            bad.append(f"{path.name}:{line}: {name} reaches outside core/")
        elif top == "followthru" and not name.startswith("followthru.core"):
            bad.append(f"{path.name}:{line}: {name} is outside core/")
        elif top != "followthru" and top not in sys.stdlib_module_names and top != "__future__":
            bad.append(f"{path.name}:{line}: {name} is not in the standard library")
        elif top in FORBIDDEN or name in FORBIDDEN:
            bad.append(f"{path.name}:{line}: {name} does I/O or reads the clock")
    assert bad == []


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: p.name)
def test_core_never_reads_the_clock(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [
        f"{path.name}:{node.lineno}: .{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in CLOCK_CALLS
    ]
    assert calls == []


def test_the_checker_catches_what_it_must() -> None:
    sample = ast.parse(
        "import sqlite3\nfrom ..adapters import store\nimport yaml\nfrom . import model\n"
    )
    assert [n for _, n in imported(sample)] == ["sqlite3", "..adapters", "yaml"]
