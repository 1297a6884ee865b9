"""The scheduler with 10,000 contacts: `followthru plan --days 90` and one timer pass.

The store is built through the product's Service (bench/store.py `bulk`): interviewers and
referrals registered over four months, each at its own time, with a timer pass per day in
between, so contacts stand at every point of their cadence. Then:
- `followthru plan --days 90 --json` at the moment the store was built, end to end in a
  subprocess; it is stopped after PLAN_TIMEOUT seconds (and reported as more than that);
- Service.tick - the timer pass the daemon runs on every wake-up - at three moments after:
  2 minutes (the poll interval: the steady state), 1 hour and 1 day (a daemon that was
  away). There is no command for a bare timer pass, so it is timed inside a subprocess
  that calls the product's Service on the store (bench/store.py `tick`). The figure is the
  pass one hour later; the others are printed beside it.
Then the daily digest (bench/figures/digest.py) and the dashboard
(bench/figures/dashboard.py: board, queue, numbers) on the same store.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from bench.figures import dashboard, digest
from bench.harness import Result, bench_module, followthru, say, write_config
from tests.rig import ImapAccount

CONTACTS = 10_000
PLAN_TIMEOUT = 60.0


def measure(account: ImapAccount, workdir: Path, contacts: int = CONTACTS) -> list[Result]:
    config = write_config(workdir, account)
    now = datetime.now().astimezone().replace(microsecond=0)
    say(f"scheduler: building a store of {contacts:,} contacts through the Service")
    built = bench_module(workdir, "store", "bulk", str(config), str(contacts), now.isoformat(),
                         timeout=900).check("bench.store bulk")  # fmt: skip
    info = json.loads(built.stdout)
    say(
        f"scheduler: {info['contacts']:,} contacts, {info['events']:,} events in {built.seconds:.0f} s; plan --days 90"
    )
    plan = followthru(
        config, "plan", "--days", "90", "--json", "--now", now.isoformat(), timeout=PLAN_TIMEOUT
    )
    finished = plan.returncode == 0
    entries = len(json.loads(plan.stdout)) if finished else 0
    moments = [now + timedelta(minutes=2), now + timedelta(hours=1), now + timedelta(days=1)]
    ticks = bench_module(workdir, "store", "tick", str(config), *(m.isoformat() for m in moments))
    passes = json.loads(ticks.check("bench.store tick").stdout)["passes"]
    value = f"{plan.seconds:.2f} s" if finished else f"> {PLAN_TIMEOUT:.0f} s (stopped)"
    plan_result = Result(f"plan --days 90, {info['contacts']:,} contacts", value, "< 1 s",
                         finished and plan.seconds < 1.0)  # fmt: skip
    plan_result.notes = [
        f"store: {info['contacts']:,} contacts, {info['events']:,} events, states {info['states']}; built in {built.seconds:.0f} s",
        f"plan: {entries:,} entries, CPU {plan.cpu:.1f} s, peak RSS {plan.max_rss_mib:.0f} MiB"
        if finished else f"plan: stopped after {PLAN_TIMEOUT:.0f} s (exit {plan.returncode})",
    ]  # fmt: skip
    hour = passes[1]
    tick_result = Result(f"timer pass, {info['contacts']:,} contacts", f"{hour['seconds'] * 1000:.1f} ms "
                         f"({hour['fired']} timers due, 1 h after the last pass)", "< 100 ms",
                         hour["seconds"] < 0.1)  # fmt: skip
    tick_result.notes = [
        f"pass {label} later: {p['seconds'] * 1000:.1f} ms, {p['fired']} timers fired"
        + (f" ({p['seconds'] / p['fired'] * 1000:.2f} ms each)" if p["fired"] else "")
        for label, p in zip(("2 min", "1 h", "1 day"), passes, strict=True)
    ]
    built_digest = digest.measure(workdir, config, now.isoformat(), info["contacts"])
    return [plan_result, tick_result, built_digest,
            *dashboard.measure(config, config.parent, now.isoformat())]  # fmt: skip
