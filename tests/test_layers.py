"""The layers keep to their rooms (ARCHITECTURE.md "Rules"), checked on the package's source:

- SQL is spoken only in adapters/store/: nowhere else a `.conn`, an `execute(`, sqlite3, or a
  string that reads as an SQL statement;
- a queue item's status is written only through core/items.py: no status name as a string
  literal outside it (nor the schema's CHECK, which is the migrations' business);
- a decision's `reason` is for people: no code reads one (startswith, in, ==, split, ...).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import followthru
from followthru.core.items import ItemStatus

PACKAGE = Path(followthru.__file__).parent
STORE = PACKAGE / "adapters" / "store"
SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE|PRAGMA)\b",
    re.I | re.S,
)
STATUSES = {s.value for s in ItemStatus}
STATUS_HOME = {PACKAGE / "core" / "items.py", STORE / "migrations.py"}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def outside_the_store() -> list[Path]:
    return [p for p in modules() if STORE not in p.parents]


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(PACKAGE)}:{getattr(node, 'lineno', 0)}"


@pytest.mark.parametrize("path", outside_the_store(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_sql_lives_in_the_store_only(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("conn", "execute", "executemany"):
            found.append(f"{where(path, node)}: .{node.attr}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            if "sqlite3" in names:
                found.append(f"{where(path, node)}: imports sqlite3")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SQL.search(node.value)
        ):
            found.append(f"{where(path, node)}: {node.value[:60]!r}")
    assert found == []


def test_the_check_finds_sql_where_it_is() -> None:
    """The check above is not vacuous: the store's own modules would fail it."""
    text = (STORE / "outbox.py").read_text(encoding="utf-8")
    assert SQL.search(text) and ".execute(" in text


@pytest.mark.parametrize(
    "path",
    [p for p in modules() if p not in STATUS_HOME],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_no_status_string_outside_the_item_machine(path: Path) -> None:
    """No status spelled out where an item's status is read or written: in SQL (`'sent'`),
    compared with something named *status*, passed as `status=`/`statuses=`, or assigned to
    a *status* name. (Words that are statuses elsewhere, like an SMTP outcome or a folder
    role, are not item statuses.)"""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [f"{where(path, node)}: {what}" for node, what in _status_literals(tree)]
    assert found == []


def test_the_status_check_finds_a_status_written_by_hand() -> None:
    code = (
        "item.status == 'pending'\n"
        "move(status='sent')\n"
        "status = 'uncertain'\n"
        "q = \"UPDATE outbox SET status = 'withdrawn'\"\n"
        "outcome = 'rejected'\n"  # not an item status: an outcome
    )
    assert len(_status_literals(ast.parse(code))) == 4


def _status_literals(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    found: list[tuple[ast.AST, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if any(f"'{s}'" in node.value for s in STATUSES):
                found.append((node, f"{node.value[:60]!r}"))
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_names_status(n) for n in sides) and any(_literal_status(n) for n in sides):
                found.append((node, "a status compared with a literal"))
        elif isinstance(node, ast.keyword) and node.arg in ("status", "statuses"):
            if _literal_status(node.value):
                found.append((node, f"{node.arg}= a literal"))
        elif isinstance(node, ast.Assign) and _assigns_status(node):
            found.append((node, "a status assigned a literal"))
    return found


def _assigns_status(node: ast.Assign) -> bool:
    return any(_names_status(t) for t in node.targets) and _literal_status(node.value)


def _names_status(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return "status" in node.attr.lower()
    return isinstance(node, ast.Name) and "status" in node.id.lower()


def _literal_status(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in STATUSES
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_literal_status(e) for e in node.elts)
    return False


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_code_reads_a_reason(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if _is_reason(target) and node.func.attr != "format":
                found.append(f"{where(path, node)}: reason.{node.func.attr}()")
        elif isinstance(node, ast.Compare) and any(
            _is_reason(n) for n in (node.left, *node.comparators)
        ):
            found.append(f"{where(path, node)}: a comparison with a reason")
    assert found == []


def _is_reason(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "reason"
