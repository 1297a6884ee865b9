"""The contact commands on a real store: add, plan, contacts, show, outcome, and replay.

These run the console's `main()` in-process against a config whose store is a tmp file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from followthru.adapters.store import Store
from followthru.cli import main
from followthru.config import load_config
from followthru.core.machine import decide, new_contact
from followthru.resources import example_config
from followthru.service.contacts import Service
from tests.e2e.snapshots import assert_snapshots_are_replays

NOW = "2026-03-02T15:30:00+00:00"
INTERVIEW_AT = "2026-03-02T14:00:00+00:00"
# `followthru add interview` for Bob, the interviewer most tests follow, registered at NOW.
ADD_BOB = ("add", "interview", "--email", "bob@acme.example", "--at", INTERVIEW_AT, "--now", NOW)


@pytest.fixture
def config(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "config.yaml"
    text = (
        example_config().read_text().replace("  path: null ", f"  path: {tmp_path / 'state.db'} ")
    )
    path.write_text(text)
    yield path
    assert_snapshots_are_replays(path)


def run(capsys: pytest.CaptureFixture[str], config: Path, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--config", str(config)])
    out = capsys.readouterr()
    return code, out.out, out.err


def run_json(capsys: pytest.CaptureFixture[str], config: Path, *argv: str) -> Any:
    code, out, err = run(capsys, config, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def days(plan: list[dict[str, Any]], email: str) -> list[tuple[str | None, str]]:
    return [(e["step"], e["due_at"][:10]) for e in plan if e["contact"] == email]


def test_the_default_cadence_after_an_interview(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, config, *ADD_BOB)
    assert code == 0 and "bob@acme.example (id 1): interviewed" in out
    plan = run_json(capsys, config, "plan", "--days", "60", "--now", NOW)
    assert days(plan, "bob@acme.example") == [
        ("thank_you", "2026-03-02"), ("phone_message", "2026-03-09"), ("check_in", "2026-03-16"), (None, "2026-03-23"),
    ]  # fmt: skip
    assert plan[-1]["becomes"] == "moved_on"
    assert {e["kind"] for e in plan if e["step"]} == {"email", "task"}


def test_an_agreed_reply_by_date_moves_the_tries(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, config, "add", "interview", "--email", "bob@acme.example", "--at", "2026-03-02T14:00:00+00:00",
        "--reply-by", "2026-03-05", "--now", NOW)  # fmt: skip
    plan = run_json(capsys, config, "plan", "--days", "60", "--now", NOW)
    assert days(plan, "bob@acme.example")[:3] == [
        ("thank_you", "2026-03-02"), ("phone_message", "2026-03-06"), ("check_in", "2026-03-13"),
    ]  # fmt: skip


def test_every_planned_send_lies_in_the_send_window(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(
        capsys,
        config,
        "add",
        "interview",
        "--email",
        "bob@acme.example",
        "--at",
        "2026-03-06T17:30:00+01:00",
        "--now",
        "2026-03-06T18:45:00+01:00",
    )
    plan = run_json(capsys, config, "plan", "--days", "40", "--now", "2026-03-06T18:45:00+01:00")
    for entry in plan:
        local = datetime.fromisoformat(entry["due_at"])
        assert local.weekday() < 5 and 9 <= local.hour < 17, entry
    assert plan[0]["step"] == "thank_you" and plan[0]["due_at"].startswith(
        "2026-03-09T09:00"
    )  # Friday evening -> Monday


def test_a_referral_is_reached_with_the_source_in_cc(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["add", "referral", "--email", "carol@beta.example", "--source", "bob@acme.example"]
    code, _out, err = run(capsys, config, *argv, "--note", "built the platform team", "--now", NOW)
    assert code == 0, err
    assert "note: built the platform team" in run(capsys, config, "show", "carol@beta.example")[1]
    [item] = list(run_json(capsys, config, "show", "carol@beta.example", "--now", NOW)["queue"])
    assert (item["step"], item["contact"], item["to"], item["cc"], item["status"]) == (
        "referral_intro", "carol@beta.example", ["carol@beta.example"], ["bob@acme.example"], "pending",
    )  # fmt: skip
    people = {c["email"]: c for c in run_json(capsys, config, "contacts", "--now", NOW)}
    assert people["carol@beta.example"]["source"] == "bob@acme.example"
    assert people["carol@beta.example"]["state"] == "referred"
    assert people["bob@acme.example"]["state"] == "source"


def test_contacts_and_show_follow_the_spec_shapes(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, config, "add", "interview", "--email", "Bob@Acme.example", "--name", "Bob Stone", "--company", "Acme",
        "--role", "Platform Engineer", "--at", "2026-03-02T14:00:00+00:00", "--note", "values calm on-call", "--now", NOW)  # fmt: skip
    [contact] = run_json(capsys, config, "contacts", "--now", NOW)
    assert set(contact) == {
        "id",
        "email",
        "name",
        "company",
        "role",
        "position",
        "state",
        "source",
        "outreach_count",
        "last_outreach_at",
        "next_step",
    }
    assert (contact["email"], contact["name"], contact["company"], contact["position"], contact["state"]) == (
        "bob@acme.example", "Bob Stone", "Acme", "Platform Engineer", "interviewed",
    )  # fmt: skip
    assert contact["role"] == "interviewer"  # SPEC: the role in the flows; the title is `position`
    assert contact["next_step"]["step"] == "thank_you"
    shown = run_json(capsys, config, "show", "1", "--now", NOW)
    assert set(shown) == {"contact", "events", "queue"}
    assert [e["type"] for e in shown["events"]] == ["contact_added", "interview_registered"]
    assert all(set(e) == {"at", "type", "reason", "message_id"} for e in shown["events"])
    [item] = shown["queue"]
    assert set(item) == {
        "id",
        "contact",
        "step",
        "kind",
        "to",
        "cc",
        "subject",
        "status",
        "due_at",
        "message_id",
    }
    code, out, _ = run(capsys, config, "show", "bob@acme.example", "--now", NOW)
    assert code == 0 and "Bob Stone <bob@acme.example> (id 1)" in out and "thank_you" in out


def test_an_outcome_closes_and_withdraws_what_was_pending(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, config, *ADD_BOB)
    code, out, err = run(
        capsys, config, "outcome", "bob@acme.example", "offer", "--now", "2026-03-03T09:00:00+00:00"
    )
    assert code == 0, err
    assert "now closed" in out
    shown = run_json(
        capsys, config, "show", "bob@acme.example", "--now", "2026-03-03T09:00:00+00:00"
    )
    assert shown["contact"]["state"] == "closed"
    assert [q["status"] for q in shown["queue"]] == ["withdrawn"]
    assert (
        days(
            run_json(capsys, config, "plan", "--now", "2026-03-03T09:00:00+00:00"),
            "bob@acme.example",
        )
        == []
    )


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (
            ["add", "interview", "--email", "not-an-address", "--at", NOW],
            2,
            "--email 'not-an-address' is not an email address",
        ),
        (
            ["add", "interview", "--email", "b@x.org", "--at", "tomorrow"],
            2,
            "--at 'tomorrow' is not an ISO 8601 time",
        ),
        (
            ["add", "interview", "--email", "b@x.org", "--at", NOW, "--duration", "long"],
            2,
            "--duration 'long' is not a duration",
        ),
        (
            ["add", "interview", "--email", "b@x.org", "--at", NOW, "--reply-by", "friday"],
            2,
            "--reply-by 'friday' is not a date",
        ),
        (
            ["add", "referral", "--email", "b@x.org", "--source", "B@x.org"],
            1,
            "cannot be their own source",
        ),
        (["show", "nobody@x.org"], 1, "no contact 'nobody@x.org'"),
        (["outcome", "42", "met"], 1, "no contact '42'"),
    ],
)
def test_bad_input_is_named(
    config: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    got, _, err = run(capsys, config, *argv)
    assert got == code
    assert message in err


def test_show_stops_planning_at_the_contacts_first_entry_and_agrees_with_contacts(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, config, *ADD_BOB)
    argv = ["add", "referral", "--email", "carol@beta.example", "--source", "eve@gamma.example"]
    assert run(capsys, config, *argv, "--now", NOW)[0] == 0
    listed = {
        c["email"]: c["next_step"] for c in run_json(capsys, config, "contacts", "--now", NOW)
    }
    # Eve, the source, has nothing queued: her next entry is found by planning ahead (the
    # note that Carol never answered, after Carol's check-ins), not read from her queue.
    assert listed["eve@gamma.example"]["step"] == "source_unreachable"
    for email, step in listed.items():
        assert run_json(capsys, config, "show", email, "--now", NOW)["contact"]["next_step"] == step


def test_a_plan_that_cannot_go_on_is_one_line_not_a_traceback(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, config, *ADD_BOB)
    monkeypatch.setattr("followthru.core.plan.MAX_AT_ONE_INSTANT", 0)  # as if the rules looped
    code, out, err = run(capsys, config, "plan", "--now", NOW)
    assert (code, out) == (1, "")
    assert err.startswith(
        "followthru: the plan cannot go on (contact 1 keeps happening at 2026-03-"
    )
    assert "Traceback" not in err and err.count("\n") == 1


def test_a_task_is_not_snoozed_past_its_expiry(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ("add", "interview", "--email", "bob@acme.example", "--at", "2026-03-04T14:00:00+00:00")
    assert run(capsys, config, *argv, "--now", NOW)[0] == 0
    queue = run_json(capsys, config, "show", "bob@acme.example", "--now", NOW)["queue"]
    [task] = [item for item in queue if item["step"] == "closing_checklist"]
    number = str(task["id"])
    code, _, err = run(capsys, config, "snooze", number, "--until", "2026-03-20", "--now", NOW)
    assert (code, err) == (1, f"followthru: item {number} (closing_checklist) expires at "
                              "2026-03-09T09:00+01:00 (cadence.draft_expires_after); snooze it to before then\n")  # fmt: skip
    code, out, _ = run(
        capsys, config, "snooze", number, "--until", "2026-03-05T08:00", "--now", NOW
    )
    assert (code, out) == (
        0,
        f"snoozed #{number} (closing_checklist) until 2026-03-05T08:00:00+01:00\n",
    )


def test_one_interview_per_interviewer(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, config, *ADD_BOB)[0] == 0
    code, _, err = run(capsys, config, *ADD_BOB)
    assert code == 1 and "already has an interview registered" in err


def test_the_state_is_the_replay_of_the_event_log(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What was decided live, event by event, is what folding the stored log gives."""
    run(capsys, config, *ADD_BOB)
    run(
        capsys,
        config,
        "add",
        "referral",
        "--email",
        "carol@beta.example",
        "--source",
        "bob@acme.example",
        "--now",
        NOW,
    )
    run(
        capsys, config, "outcome", "carol@beta.example", "met", "--now", "2026-03-04T10:00:00+00:00"
    )
    cfg = load_config(config)
    with Store.open(cfg.store_path) as store:
        service = Service(store, cfg)
        fired = service.tick(datetime.fromisoformat("2026-03-20T10:00:00+00:00"))
        assert any(not d.ignored for d in fired)  # timers really moved someone on
        for row in store.contacts.all():
            events = store.events.of(row.id)
            contact = new_contact(events[0])  # type: ignore[arg-type]
            for event in events[1:]:
                contact = decide(contact, event, event.at, service.policy).contact
            assert service.replay(row.id) == contact
            assert row.state == contact.state.value  # the cached state agrees with the log
        assert service.contacts() == [service.replay(r.id) for r in store.contacts.all()]
    assert assert_snapshots_are_replays(config) == 2


def test_the_store_is_private(
    config: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(
        capsys, config, "add", "interview", "--email", "bob@acme.example", "--at", NOW, "--now", NOW
    )
    assert (tmp_path / "state.db").stat().st_mode & 0o077 == 0


def test_a_draft_nobody_acted_on_expires_and_the_user_is_told(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, config, *ADD_BOB)
    cfg = load_config(config)
    with Store.open(cfg.store_path) as store:
        Service(store, cfg).tick(
            datetime.fromisoformat("2026-03-10T10:00:00+00:00")
        )  # > due + 5 days
    statuses = {q["step"]: q["status"] for q in run_json(capsys, config, "queue", "--all")}
    assert statuses["thank_you"] == "expired"


def test_add_interview_refuses_the_users_own_address_and_a_day_without_a_time(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, config, "add", "interview", "--email", "Jane@Example.com",
                       "--at", "2026-03-02T14:00", "--now", NOW)  # fmt: skip
    assert code == 2 and "is your own address" in err
    code, _, err = run(capsys, config, "add", "interview", "--email", "bob@acme.example",
                       "--at", "2026-03-02", "--now", NOW)  # fmt: skip
    assert code == 2 and "has no time of day" in err and "2026-03-02T14:00" in err
    assert run_json(capsys, config, "contacts", "--now", NOW) == []


def test_approve_says_when_it_goes_out_and_refuses_an_item_not_written_yet(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, config, "add", "interview", "--email", "bob@acme.example", "--at",
        "2026-03-06T17:00:00+01:00", "--now", "2026-03-06T19:00:00+01:00")  # fmt: skip
    [item] = run_json(capsys, config, "queue", "--json", "--now", NOW)
    code, _, err = run(
        capsys, config, "approve", str(item["id"]), "--now", "2026-03-06T19:00:00+01:00"
    )
    assert code == 1 and "has no draft yet" in err  # nothing rendered before the daemon's pass
