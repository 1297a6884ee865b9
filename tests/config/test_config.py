"""Configuration: the example validates, every problem is reported at once with its key path."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from followthru.config import (
    Config,
    default_config_path,
    default_store_path,
    is_loopback,
    load_config,
    parse_config,
)
from followthru.config.reader import parse_duration
from followthru.errors import ConfigError
from followthru.resources import example_config

MINIMAL = """
identity: {name: Jane Doe, email: jane@example.com, timezone: Europe/Berlin}
accounts:
  - imap: {host: imap.example.com, username: jane, password_command: "echo x"}
    smtp: {host: smtp.example.com, username: jane, credential: smtp}
"""


def parse(text: str, tmp_path: Path) -> object:
    return parse_config(text, tmp_path / "config.yaml", {"HOME": str(tmp_path)})


def problems(text: str, tmp_path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse(text, tmp_path)
    assert str(tmp_path / "config.yaml") in str(caught.value)
    return caught.value.problems


def test_example_config_validates() -> None:
    config = load_config(example_config(), env={})
    assert config.identity.email == "jane@example.com"
    assert config.accounts[0].imap.port == 993
    assert config.accounts[0].imap.tls == "implicit"
    assert config.accounts[0].folders.drafts == "auto"
    assert config.cadence.tries == ("email", "phone", "email")
    assert config.cadence.min_gap == timedelta(days=7)
    assert config.cadence.send_window.days == frozenset(range(5))
    assert config.cadence.send_window.start == time(9) and config.cadence.send_window.end == time(
        17
    )
    assert config.approval.auto_send == frozenset()
    assert config.approval.max_drafts_per_pass == 20
    assert "gmail.com" in config.detection.free_mail_domains


def test_minimal_config_takes_the_defaults(tmp_path: Path) -> None:
    config = parse_config(MINIMAL, tmp_path / "c.yaml", {"STATE_DIRECTORY": "/var/lib/followthru"})
    assert config.store_path == Path("/var/lib/followthru/state.db")
    assert config.accounts[0].smtp.port == 465
    assert config.accounts[0].smtp.secret is not None
    assert config.accounts[0].smtp.secret.kind == "credential"
    assert config.watch.idle_refresh == timedelta(minutes=9)
    assert config.cadence.nurture_every == timedelta(days=90)
    assert config.identity.addresses == frozenset({"jane@example.com"})


def test_every_problem_is_reported_with_its_key_path(tmp_path: Path) -> None:
    found = problems(
        """
identity: {name: Jane, email: nope, timezone: Mars/Olympus}
accounts:
  - imap: {host: imap.example.com, tls: none, username: j, password_command: x, prot: 3}
    smtp: {host: smtp.example.com, port: 99999}
watch: {idel: true, poll_interval: 5 minutes}
cadence: {tries: [phone], send_window: {days: [mon, funday], hours: "17:00-09:00"}}
approval: {auto_send: [bogus]}
""",
        tmp_path,
    )
    expected = [
        "identity.email: 'nope' is not an email address",
        "identity.timezone: 'Mars/Olympus' is not an IANA time zone",
        "accounts[0].imap.prot: unknown key (did you mean `port`?)",
        "accounts[0].imap.tls: `none` (plain text) is refused for imap.example.com",
        "accounts[0].smtp.port: must be between 1 and 65535, not 99999",
        "watch.idel: unknown key (did you mean `idle`?)",
        "watch.poll_interval: '5 minutes' is not a duration",
        "cadence.tries: must start with `email`",
        "cadence.send_window.days: ['mon', 'funday'] is not a range",
        "cadence.send_window.hours: '17:00-09:00': the end must be after the start",
        "approval.auto_send: unknown step(s) bogus",
    ]
    for want in expected:
        assert any(p.startswith(want) for p in found), (want, found)
    assert len(found) == len(expected)


IDENTITY = "{name: Jane Doe, email: jane@example.com, timezone: Europe/Berlin}"
ACCOUNTS = "[{imap: {host: h, username: u, keyring: true}, smtp: {host: s}}]"


def with_section(key: str, value: str) -> str:
    """A valid config with one top-level section replaced (or added)."""
    sections = {"identity": IDENTITY, "accounts": ACCOUNTS, key: value}
    return "\n".join(f"{k}: {v}" for k, v in sections.items())


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("identity", "{name: Jane, email: j@x.org}", "identity.timezone: is required"),
        ("identity", "[1]", "identity: must be a mapping"),
        ("accounts", "[]", "accounts: needs at least one account"),
        ("accounts", "[{imap: {host: h, username: u}, smtp: {host: s}}]", "accounts[0].imap: needs a secret"),
        ("accounts", "[{imap: {host: h, username: u, keyring: true, credential: c}, smtp: {host: s}}]",
         "give only one of password_command, credential, keyring"),
        ("accounts", "[{imap: {host: h, username: u, credential: ../x}, smtp: {host: s}}]", "must be a credential name"),
        ("accounts", "[{imap: {host: h, username: u, keyring: yes please}, smtp: {host: s}}]", "must be true or false"),
        ("accounts", "[{imap: {host: h, username: u, keyring: true, port: '993'}, smtp: {host: s}}]",
         "accounts[0].imap.port: must be a whole number"),
        ("accounts", f"[{ACCOUNTS[1:-1]}, {ACCOUNTS[1:-1]}]", "the account name 'default' is used twice"),
        ("watch", "{idle_refresh: 45m}", "watch.idle_refresh: must be at most 29m"),
        ("cadence", "{min_gap: soon}", "cadence.min_gap: 'soon' is not a duration"),
        ("cadence", "{check_in_after: 1h}", "cadence.check_in_after: '1h' is too short"),
        ("cadence", "{tries: [email, fax]}", "cadence.tries: each try is `email` or `phone`, not 'fax'"),
        ("cadence", "{send_window: {hours: '9-5'}}", "cadence.send_window.hours: '9-5' is not a range"),
        ("approval", "{max_drafts_per_pass: 0}", "approval.max_drafts_per_pass: must be between 1 and 1000, not 0"),
        ("approval", "{max_drafts_per_pass: lots}", "approval.max_drafts_per_pass: must be a whole number"),
        ("detection", "{same_company_replies: maybe}", "detection.same_company_replies: must be one of count | flag | ignore"),
        ("templates_dir", "/nonexistent/templates", "templates_dir: '/nonexistent/templates' is not a folder"),
        ("store", "{path: [1]}", "store.path: must be a path"),
        ("bogus_section", "1", "bogus_section: unknown key"),
    ],
)  # fmt: skip
def test_each_mistake_names_its_key(tmp_path: Path, key: str, value: str, message: str) -> None:
    found = problems(with_section(key, value), tmp_path)
    assert any(message in p for p in found), found


def test_a_config_that_is_not_a_mapping(tmp_path: Path) -> None:
    assert problems("- just a list", tmp_path) == [
        "(top level): must be a mapping of keys, not a list (['just a list'])"
    ]


def test_plain_text_is_allowed_to_loopback_only(tmp_path: Path) -> None:
    text = MINIMAL.replace("{host: imap.example.com,", "{host: 127.0.0.1, tls: none,")
    config = parse_config(text, tmp_path / "c.yaml", {})
    assert config.accounts[0].imap.tls == "none" and config.accounts[0].imap.port == 143
    assert is_loopback("localhost") and is_loopback("::1") and is_loopback("127.1.2.3")
    assert not is_loopback("10.0.0.1") and not is_loopback("mail.localhost.example")


def test_send_window_ranges_lists_and_midnight(tmp_path: Path) -> None:
    text = MINIMAL + "cadence: {send_window: {days: fri-mon, hours: '18:30-24:00'}}\n"
    window = parse_config(text, tmp_path / "c.yaml", {}).cadence.send_window
    assert window.days == frozenset({4, 5, 6, 0})
    assert window.start == time(18, 30) and window.end is None
    text = MINIMAL + "cadence: {send_window: {days: [Mon, wed]}}\n"
    assert parse_config(text, tmp_path / "c.yaml", {}).cadence.send_window.days == frozenset({0, 2})


def test_yaml_syntax_errors_and_missing_files_name_the_file(tmp_path: Path) -> None:
    assert "not valid YAML" in problems("identity: [unclosed", tmp_path)[0]
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("90m", 5400),
        ("36h", 129600),
        ("7d", 604800),
        ("2w", 1209600),
        ("1h30m", 5400),
        ("0", 0),
        ("0h", 0),
    ],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "7", "7 d", "d7", "1y", "-1d", "1.5h"])
def test_bad_durations(text: str) -> None:
    assert parse_duration(text) is None


def test_default_paths_follow_xdg_and_systemd(tmp_path: Path) -> None:
    assert default_config_path({"FOLLOWTHRU_CONFIG": "/etc/f.yaml"}) == Path("/etc/f.yaml")
    assert default_config_path({"XDG_CONFIG_HOME": "/x"}) == Path("/x/followthru/config.yaml")
    assert default_store_path({"STATE_DIRECTORY": "/var/lib/followthru"}) == Path(
        "/var/lib/followthru/state.db"
    )
    assert default_store_path({"XDG_DATA_HOME": "/d"}) == Path("/d/followthru/state.db")


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "mytemplates").mkdir()
    text = MINIMAL + "templates_dir: mytemplates\nstore: {path: data/state.db}\n"
    config = parse_config(text, tmp_path / "config.yaml", {})
    assert config.templates_dir == tmp_path / "mytemplates"
    assert config.store_path == tmp_path / "data" / "state.db"


def test_jobs_defaults_and_a_user_rules_file(tmp_path: Path) -> None:
    plain = parse_config(MINIMAL, tmp_path / "c.yaml", {"HOME": str(tmp_path)})
    assert plain.jobs.paused_check_in_after == timedelta(days=30) and plain.jobs.rules is None
    rules = tmp_path / "mine.rules.yaml"
    rules.write_text(
        "senders:\n  - id: board\n    regex: '^alerts@board\\.example$'\n    event: other_job\n"
        "    reason: a job board's alerts\n",
        encoding="utf-8",
    )
    text = MINIMAL + "jobs: {paused_check_in_after: 2w, rules: mine.rules.yaml}\n"
    config = parse_config(text, tmp_path / "c.yaml", {"HOME": str(tmp_path)})
    assert config.jobs.paused_check_in_after == timedelta(weeks=2) and config.jobs.rules == rules


def test_a_bad_jobs_rules_file_names_the_key_and_the_entry(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("events:\n  - id: x\n    event: maybe\n", encoding="utf-8")
    found = problems(MINIMAL + "jobs: {rules: bad.yaml}\n", tmp_path)
    assert any(p.startswith("jobs.rules:") and "events[x]" in p for p in found), found
    missing = problems(MINIMAL + "jobs: {rules: absent.yaml}\n", tmp_path)
    assert any(p.startswith("jobs.rules:") for p in missing), missing


def test_digest_at_null_means_no_digest_and_a_missing_key_the_default(tmp_path: Path) -> None:
    def digest_at(text: str) -> time | None:
        config = parse(text, tmp_path)
        assert isinstance(config, Config)
        return config.notify.digest_at

    assert digest_at(MINIMAL) == time(8, 0)
    assert digest_at(MINIMAL + "notify: {digest_at: null}\n") is None
    assert digest_at(MINIMAL + 'notify: {digest_at: "07:15", digest_days: [mon, thu]}\n') == time(
        7, 15
    )
    assert any(
        "notify.digest_at" in p
        for p in problems(MINIMAL + "notify: {digest_at: 25:00}\n", tmp_path)
    )
    pushed = parse(MINIMAL + "notify: {push: [ntfy://x]}\n", tmp_path)
    assert isinstance(pushed, Config) and pushed.notify.push == ("ntfy://x",)
    assert any(
        "notify.push[0]" in p for p in problems(MINIMAL + "notify: {push: [nope://x]}\n", tmp_path)
    )
