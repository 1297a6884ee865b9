"""The README tells the truth: its state machine table is the one the code runs."""

from __future__ import annotations

from pathlib import Path

from followthru.core.items import item_transitions_markdown
from followthru.core.machine import transitions_markdown

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_table_is_generated_from_transitions() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = "<!-- transitions:start -->\n", "<!-- transitions:end -->"
    table = text[text.index(start) + len(start) : text.index(end)]
    assert table == transitions_markdown(), (
        "run: python -c 'from followthru.core.machine import transitions_markdown as t; print(t())' and paste it into README.md"
    )


def test_the_readme_item_table_is_generated_from_item_transitions() -> None:
    text = README.read_text(encoding="utf-8")
    start, end = "<!-- items:start -->\n", "<!-- items:end -->"
    table = text[text.index(start) + len(start) : text.index(end)]
    assert table == item_transitions_markdown(), (
        "run: python -c 'from followthru.core.items import item_transitions_markdown as t; print(t())' and paste it into README.md"
    )


def test_the_readme_opens_with_the_two_commands() -> None:
    head = README.read_text(encoding="utf-8")[:400]
    assert "make demo" in head and "make test" in head
