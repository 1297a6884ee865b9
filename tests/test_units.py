"""The systemd units: .ci/systemd-check passes (verify, and an exposure of 2.0 or lower), it
catches a broken unit, and the settings the daemon relies on are in the units.

The check needs systemd-analyze (systemd 252+, no running systemd). Without it these tests skip
and say why, unless FOLLOWTHRU_REQUIRE_DOVECOT=1 (set by CI for the whole real-tool suite),
where they fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "systemd-check"
SYSTEM_UNIT = ROOT / "systemd" / "followthru.service"
USER_UNIT = ROOT / "systemd" / "followthru-user.service"
REQUIRE_ENV = "FOLLOWTHRU_REQUIRE_DOVECOT"


def parse_unit(path: Path) -> dict[str, list[str]]:
    """`Section.Key` -> every value given, in order; comments and blank lines skipped."""
    settings: dict[str, list[str]] = {}
    section = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        settings.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return settings


def needs_systemd_analyze() -> None:
    if shutil.which("systemd-analyze"):
        return
    reason = "systemd-analyze not installed (Debian: apt-get install systemd)"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason}, and {REQUIRE_ENV}=1")
    pytest.skip(reason)


def run_check(script: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(script)], capture_output=True, text=True, timeout=120, check=False
    )


def test_the_units_pass_the_ci_check() -> None:
    needs_systemd_analyze()
    done = run_check(SCRIPT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok    verify followthru.service" in done.stdout
    assert "ok    verify followthru-user.service" in done.stdout
    score = re.search(r"Overall exposure level for followthru\.service: (\d+\.\d)", done.stdout)
    assert score is not None, done.stdout
    assert float(score.group(1)) <= 2.0


def copy_of_the_check(tmp_path: Path) -> Path:
    """.ci/systemd-check and systemd/ in tmp_path, so that the units can be broken there."""
    shutil.copytree(ROOT / ".ci", tmp_path / ".ci")
    shutil.copytree(ROOT / "systemd", tmp_path / "systemd")
    return tmp_path


@pytest.mark.parametrize(
    ("unit", "before", "after", "complaint"),
    [
        # systemd-analyze verify exits 0 on these two; the check reads its output.
        ("followthru-user.service", "NoNewPrivileges=yes", "NoNewPrivilege=yes", "FAIL  verify"),
        ("followthru.service", "RestartSec=10s", "RestartSec=ten", "FAIL  verify"),
        ("followthru-user.service", "ExecStart=%h/", "ExecStart=%h/bin/", "FAIL  verify"),
        (
            "followthru.service",
            "ExecStart=/usr/local/bin/followthru run",
            "ExecStart=/opt/followthru run",
            "expected 'ExecStart=/usr/local/bin/followthru run'",
        ),
    ],
)
def test_the_check_catches_a_broken_unit(
    tmp_path: Path, unit: str, before: str, after: str, complaint: str
) -> None:
    needs_systemd_analyze()
    path = copy_of_the_check(tmp_path) / "systemd" / unit
    text = path.read_text(encoding="utf-8")
    assert before in text
    path.write_text(text.replace(before, after), encoding="utf-8")
    done = run_check(tmp_path / ".ci" / "systemd-check")
    assert done.returncode == 1, done.stdout + done.stderr
    assert complaint in done.stdout


def test_the_check_catches_a_weak_sandbox(tmp_path: Path) -> None:
    needs_systemd_analyze()
    path = copy_of_the_check(tmp_path) / "systemd" / "followthru.service"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^(Protect|Private|Restrict)\w*=.*\n", "", text), encoding="utf-8")
    done = run_check(tmp_path / ".ci" / "systemd-check")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL  security: exposure" in done.stdout
    assert "ok    verify followthru.service" in done.stdout


def test_the_check_says_so_when_systemd_analyze_is_missing(tmp_path: Path) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("dirname", "bash"):
        found = shutil.which(tool)
        assert found is not None
        (tools / tool).symlink_to(found)
    done = subprocess.run(
        [str(tools / "bash"), str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": str(tools)},
    )
    assert done.returncode == 2
    assert "systemd-analyze not found" in done.stderr


def test_the_system_unit_has_what_the_daemon_and_the_spec_rely_on() -> None:
    unit = parse_unit(SYSTEM_UNIT)
    expected = {
        "Type": "notify",
        "NotifyAccess": "main",
        "DynamicUser": "yes",
        "StateDirectory": "followthru",
        "ConfigurationDirectory": "followthru",
        "Environment": "FOLLOWTHRU_CONFIG=/etc/followthru/config.yaml",
        "ExecStart": "/usr/local/bin/followthru run",
        "ExecReload": "/bin/kill -HUP $MAINPID",
        "Restart": "on-failure",
        "RestartSec": "10s",
        "RestartPreventExitStatus": "78",
        "WatchdogSec": "120s",
        "TimeoutStopSec": "15s",
        "UMask": "0077",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "PrivateUsers": "yes",
        "ProtectKernelTunables": "yes",
        "ProtectKernelModules": "yes",
        "ProtectKernelLogs": "yes",
        "ProtectControlGroups": "yes",
        "ProtectClock": "yes",
        "ProtectHostname": "yes",
        "ProtectProc": "invisible",
        "ProcSubset": "pid",
        "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
        "RestrictNamespaces": "yes",
        "RestrictRealtime": "yes",
        "RestrictSUIDSGID": "yes",
        "LockPersonality": "yes",
        "MemoryDenyWriteExecute": "yes",
        "SystemCallArchitectures": "native",
        "CapabilityBoundingSet": "",
        "AmbientCapabilities": "",
        "DevicePolicy": "closed",
    }
    for key, value in expected.items():
        assert unit.get(f"Service.{key}") == [value], key
    assert unit["Service.SystemCallFilter"] == ["@system-service", "~@privileged @resources"]
    assert "Service.IPAddressDeny" not in unit  # it would cut the daemon off its mail servers
    assert "Service.PrivateNetwork" not in unit
    assert unit["Unit.After"] == ["network-online.target"]
    assert unit["Install.WantedBy"] == ["multi-user.target"]
    # Secrets come in as credentials; the examples show how the config names them.
    text = SYSTEM_UNIT.read_text(encoding="utf-8")
    assert "#LoadCredential=imap-password:/etc/followthru/imap-password" in text


def test_the_user_unit_has_what_works_without_privileges() -> None:
    unit = parse_unit(USER_UNIT)
    expected = {
        "Type": "notify",
        "NotifyAccess": "main",
        "ExecStart": "%h/.local/bin/followthru run",
        "ExecReload": "/bin/kill -HUP $MAINPID",
        "Restart": "on-failure",
        "RestartPreventExitStatus": "78",
        "WatchdogSec": "120s",
        "NoNewPrivileges": "yes",
        "UMask": "0077",
        "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
        "SystemCallArchitectures": "native",
    }
    for key, value in expected.items():
        assert unit.get(f"Service.{key}") == [value], key
    # Settings that need privileges or a user namespace would stop the unit from starting on
    # kernels without unprivileged user namespaces; ProtectHome= would hide the config and the
    # store, which live in the home directory.
    for key in ("DynamicUser", "PrivateUsers", "ProtectHome", "ProtectSystem", "PrivateTmp",
                "ProtectProc", "CapabilityBoundingSet", "StateDirectory"):  # fmt: skip
        assert f"Service.{key}" not in unit, key
    assert unit["Install.WantedBy"] == ["default.target"]


def test_the_watchdog_leaves_room_for_pings_at_half_the_interval() -> None:
    for path in (SYSTEM_UNIT, USER_UNIT):
        unit = parse_unit(path)
        [watchdog] = unit["Service.WatchdogSec"]
        [stop] = unit["Service.TimeoutStopSec"]
        assert int(watchdog.removesuffix("s")) >= 60, path
        assert int(stop.removesuffix("s")) >= 10, path


def test_a_crash_on_every_start_trips_the_start_limit() -> None:
    """Restart=on-failure every RestartSec= must reach StartLimitBurst= starts inside
    StartLimitIntervalSec=, or a daemon that crashes on start restarts forever."""
    for path in (SYSTEM_UNIT, USER_UNIT):
        unit = parse_unit(path)
        [interval] = unit["Unit.StartLimitIntervalSec"]
        [burst] = unit["Unit.StartLimitBurst"]
        [pause] = unit["Service.RestartSec"]
        assert interval.endswith("min") and pause.endswith("s"), path
        seconds_for_the_burst = int(burst) * int(pause.removesuffix("s"))
        assert seconds_for_the_burst < int(interval.removesuffix("min")) * 60, path
        assert unit["Service.Restart"] == ["on-failure"]
