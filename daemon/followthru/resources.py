"""Where the shipped files are: inside the wheel (followthru/templates), or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent  # daemon/followthru -> the repository root


def _shipped(name: str) -> Path:
    inside = _PACKAGE / name
    return inside if inside.exists() else _CHECKOUT / name


def templates_dir() -> Path:
    """The default templates, one file per step."""
    return _shipped("templates")


def job_rules() -> Path:
    """The shipped job-mail rules (vendors, phrases, company and role patterns)."""
    return _PACKAGE / "data" / "jobs.rules.yaml"


def example_config() -> Path:
    """config.example.yaml, the documented reference of every key."""
    return _shipped("config.example.yaml")
