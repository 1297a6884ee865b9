"""The command line contract: every command has --help, options go before or after the command,
and the exit codes are the documented ones."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from followthru.cli import build_parser, main
from followthru.resources import example_config

COMMANDS = [
    ["init"], ["check"], ["run"], ["add", "interview"], ["add", "referral"], ["contacts"],
    ["show"], ["outcome"], ["queue"], ["approve"], ["reject"], ["snooze"], ["edit"], ["done"],
    ["plan"], ["classify"], ["demo"],
]  # fmt: skip


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    shutil.copy(example_config(), path)
    return path


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_explains_itself(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main([*command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: followthru {' '.join(command)}")
    assert "--config PATH" in out and "--now ISO" in out


def test_the_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in {c[0] for c in COMMANDS}:
        assert f"    {command} " in out


def test_options_may_stand_before_or_after_the_command(config: Path, tmp_path: Path) -> None:
    parser = build_parser()
    before = parser.parse_args(
        ["--config", str(config), "--now", "2026-03-02T15:30:00+00:00", "plan", "--json"]
    )
    after = parser.parse_args(
        ["plan", "--json", "--config", str(config), "--now", "2026-03-02T15:30:00+00:00"]
    )
    assert vars(before) == vars(after)
    nested = parser.parse_args(
        [
            "add",
            "interview",
            "--email",
            "b@x.org",
            "--at",
            "2026-03-02T14:00",
            "--now",
            "2026-03-01T00:00Z",
        ]
    )
    assert (
        nested.now == "2026-03-01T00:00Z" and nested.kind == "interview" and nested.duration == "1h"
    )


def test_a_misspelled_key_exits_2_naming_file_key_and_problem(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text(config.read_text().replace("  poll_interval: 2m", "  pol_interval: 2m"))
    assert main(["check", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert str(config) in err
    assert "watch.pol_interval: unknown key (did you mean `poll_interval`?)" in err


def test_run_exits_78_on_an_unusable_config(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config.write_text("identity: 3\n")
    assert main(["run", "--config", str(config)]) == 78
    assert "identity: must be a mapping" in capsys.readouterr().err


def test_a_missing_config_points_to_init(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["contacts", "--config", str(tmp_path / "nope.yaml")]) == 2
    assert "followthru init" in capsys.readouterr().err


def test_bad_now_is_a_usage_error(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--config", str(config), "--now", "next tuesday"]) == 2
    assert "--now 'next tuesday' is not an ISO 8601 time" in capsys.readouterr().err


def test_init_writes_the_example_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "conf" / "followthru" / "config.yaml"
    assert main(["init", "--config", str(target)]) == 0
    assert target.read_text() == example_config().read_text()
    assert target.stat().st_mode & 0o077 == 0
    target.write_text("# mine\n")
    assert main(["init", "--config", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert target.read_text() == "# mine\n"


def test_init_uses_followthru_config_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWTHRU_CONFIG", str(tmp_path / "env.yaml"))
    assert main(["init"]) == 0
    assert (tmp_path / "env.yaml").exists()


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "followthru"
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("followthru ")


def test_classify_reads_any_file_and_prints_one_json_object_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = sorted((Path(__file__).parent / "data" / "mail").glob("*.eml"))
    empty, garbage = tmp_path / "empty.eml", tmp_path / "garbage.eml"
    empty.write_bytes(b"")
    garbage.write_bytes(bytes(range(256)) * 4)
    files = [str(p) for p in (*corpus, empty, garbage)]
    assert main(["classify", "--json", *files]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(files) and len(corpus) > 50
    results = [json.loads(line) for line in lines]
    spec_keys = {
        "file",
        "kind",
        "reason",
        "message_id",
        "in_reply_to",
        "references",
        "bounce",
        "auto_reply",
        "signals",
    }
    assert all(spec_keys <= set(r) for r in results)
    assert [r["file"] for r in results] == files
    assert {r["kind"] for r in results} >= {
        "bounce",
        "auto-reply",
        "invitation",
        "automated",
        "personal",
    }
    assert results[-2]["kind"] == "quarantine"


def test_classify_reports_an_unreadable_file_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "reply.eml"
    good.write_bytes(
        b"From: Bob <bob@acme.example>\r\nSubject: Re: thanks\r\nMessage-ID: <r1@acme.example>\r\n\r\nGreat to meet you!\r\n"
    )
    assert main(["classify", str(tmp_path / "missing.eml"), str(good)]) == 1
    captured = capsys.readouterr()
    assert "missing.eml: cannot be read" in captured.err
    assert captured.out.startswith(f"{good}: personal\n  reason: ")


def test_classify_reads_jobs_by_the_rules_of_a_config_named_on_the_command_line(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mail = tmp_path / "ack.eml"
    mail.write_bytes(
        b"From: Initech <noreply@careers.initech.example>\r\nSubject: Thanks for applying\r\n"
        b"Message-ID: <a1@careers.initech.example>\r\n\r\nThanks for applying to Initech!\r\n"
    )
    rules = tmp_path / "mine.rules.yaml"
    rules.write_text(
        "vendors:\n  - id: homegrown\n    domains: [careers.initech.example]\n"
        "    reason: Initech's own careers site\n",
        encoding="utf-8",
    )
    text = config.read_text("utf-8")
    assert "  rules: null" in text
    config.write_text(text.replace("  rules: null", f"  rules: {rules}", 1), encoding="utf-8")
    assert main(["classify", "--json", str(mail)]) == 0
    assert json.loads(capsys.readouterr().out)["job"]["ats"] is None
    assert main(["classify", "--json", "--config", str(config), str(mail)]) == 0
    job = json.loads(capsys.readouterr().out)["job"]
    assert (job["event"], job["ats"], job["company"]) == (
        "application_received",
        "homegrown",
        "Initech",
    )
