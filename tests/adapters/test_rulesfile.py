"""Loading the job rules: the shipped file, a user's file merged over it, and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from followthru.adapters.rulesfile import load_job_rules, shipped_rules
from followthru.errors import ConfigError


def test_without_a_user_file_the_shipped_rules_are_used() -> None:
    assert load_job_rules(None) is shipped_rules()
    assert {"greenhouse", "lever", "workday", "calendly", "linkedin"} <= {
        v.id for v in shipped_rules().vendors
    }


def test_a_user_file_extends_the_shipped_rules(tmp_path: Path) -> None:
    path = tmp_path / "jobs.rules.yaml"
    path.write_text(
        "vendors:\n  - id: homegrown\n    domains: [jobs.initech.example]\n"
        "    reason: Initech's own careers system\n",
        encoding="utf-8",
    )
    rules = load_job_rules(path)
    assert "homegrown" in {v.id for v in rules.vendors}
    assert "greenhouse" in {v.id for v in rules.vendors}


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("events: [", "cannot read job rules"),
        ("- just a list\n", "mapping at the top level"),
        ("events:\n  - id: x\n    event: offer\n    phrases: [hurray]\n", "`reason`"),
    ],
)
def test_a_bad_user_file_is_a_config_error_naming_it(
    tmp_path: Path, content: str, says: str
) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_job_rules(path)
    assert str(path) in str(caught.value) and says in str(caught.value)


def test_a_missing_user_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read job rules"):
        load_job_rules(tmp_path / "absent.yaml")
