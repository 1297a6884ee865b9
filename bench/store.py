"""Stores built through the product's own Service (never raw SQL), and the timer pass.

    python -m bench.store contacts CONFIG CONTACTS.json NOW   # the mailbox's tracked contacts
    python -m bench.store bulk CONFIG COUNT NOW               # a big store for the scheduler
    python -m bench.store tick CONFIG NOW [NOW ...]           # time Service.tick at each NOW
    python -m bench.store digest CONFIG NOW [RUNS]            # time building the daily digest

Each prints one JSON object on stdout. Run in a subprocess of its own (the store is a real
SQLite file; the daemon's lock is not taken, as with `followthru add`).
"""

from __future__ import annotations

import json
import logging
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from followthru.adapters.store import Store
from followthru.adapters.template_check import check_templates
from followthru.config import load_config
from followthru.service.contacts import NewInterview, Service
from followthru.service.notices import Notifier

_ROLES = ("Backend Engineer", "Data Scientist", "Product Manager", "SRE", "Engineering Manager")


def _service(config_path: str) -> Service:
    config = load_config(Path(config_path))
    return Service(Store.open(config.store_path), config)


def contacts(config_path: str, listing: str, now_text: str) -> dict[str, object]:
    """Register the mailbox's interviewers, as `followthru add interview` would."""
    service, now = _service(config_path), datetime.fromisoformat(now_text)
    started = time.perf_counter()
    rows = json.loads(Path(listing).read_text())
    for row in rows:
        new = NewInterview(email=row["email"], start=datetime.fromisoformat(row["interview_at"]),
                           duration=timedelta(hours=1), name=row["name"], company=row["company"],
                           role=row["role"])  # fmt: skip
        service.register_interview(new, now)
    service.store.close()
    return {"registered": len(rows), "seconds": time.perf_counter() - started}


def bulk(config_path: str, count: int, now_text: str) -> dict[str, object]:
    """`count` contacts as a long job search leaves them: 80% interviewers, 16% referrals and
    4% the sources who suggested them (four referrals each), registered over the last four
    months (some interviews still upcoming), each at its own time, with the daemon's timer
    pass once a day in between, so the store holds every contact's history up to `now`.

    The builder's own connection runs with synchronous=OFF (the store's data and decisions
    are the product's; only the fsync per commit is skipped, to build it faster)."""
    service, now = _service(config_path), datetime.fromisoformat(now_text)
    service.store.conn.execute("PRAGMA synchronous=OFF")
    rng = random.Random(10_000)
    started = time.perf_counter()
    first_day = now - timedelta(days=120)
    sources = count // 25
    people = count - sources
    plan: list[tuple[datetime, int]] = sorted(
        (first_day + timedelta(seconds=rng.randrange(123 * 86400)), n) for n in range(people)
    )
    last_tick = first_day
    for planned_at, n in plan:
        registered_at = min(planned_at, now)
        if registered_at - last_tick > timedelta(days=1):
            service.tick(registered_at)
            last_tick = registered_at
        domain = f"company{n % 1500}.example"
        if n % 6 == 5:
            source = n // 6 % sources
            service.register_referral(f"referral{n}@{domain}", f"source{source}@partner{source}.example",
                                      registered_at, name=f"Referral {n}", source_name=f"Source {source}")  # fmt: skip
            continue
        start = registered_at + timedelta(days=rng.randint(-3, 14), hours=rng.randint(0, 8))
        start = start.replace(minute=0, second=0, microsecond=0)
        new = NewInterview(email=f"interviewer{n}@{domain}", start=start, duration=timedelta(hours=1),
                           name=f"Interviewer {n}", company=f"Company {n % 1500}",
                           role=rng.choice(_ROLES))  # fmt: skip
        service.register_interview(new, registered_at)
    service.tick(now)
    total = service.store.conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0]
    events = service.store.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    states = dict(service.store.conn.execute("SELECT state, COUNT(*) FROM contacts GROUP BY state"))
    service.store.close()
    return {"contacts": total, "events": events, "states": states,
            "seconds": time.perf_counter() - started}  # fmt: skip


def tick(config_path: str, moments: list[str]) -> dict[str, object]:
    """One Service.tick at each moment in turn (what the daemon runs on every pass)."""
    service = _service(config_path)
    passes = []
    for text in moments:
        now = datetime.fromisoformat(text)
        started = time.perf_counter()
        decisions = service.tick(now)
        seconds = time.perf_counter() - started
        fired = sum(1 for d in decisions if not d.ignored)
        passes.append(
            {"now": text, "seconds": seconds, "fired": fired, "decisions": len(decisions)}
        )
    service.store.close()
    return {"passes": passes}


def digest(config_path: str, now_text: str, runs: int = 5) -> dict[str, object]:
    """The daily digest as the daemon builds it (service/notices.py Notifier.build, then its
    text and HTML rendered), `runs` times: what waits, what happened, the next seven days.
    The renderer is made first, as the daemon makes it at start-up (its templates checked)."""
    config = load_config(Path(config_path))
    service = Service(Store.open(config.store_path), config)
    renderer = check_templates(config.templates_dir)
    now = datetime.fromisoformat(now_text)
    notifier = Notifier(service, renderer)
    times, sizes = [], (0, 0, 0)
    for _ in range(runs):
        started = time.perf_counter()
        built, _shown = notifier.build(now)
        _subject, text, html = renderer.digest(built, built.day.isoformat())
        times.append(time.perf_counter() - started)
        sizes = (len(built.waiting), len(built.happened), len(built.coming))
    service.store.close()
    return {"seconds": times, "waiting": sizes[0], "happened": sizes[1], "coming": sizes[2],
            "text_bytes": len(text), "html_bytes": len(html)}  # fmt: skip


def main(argv: list[str]) -> int:
    logging.disable(logging.CRITICAL)  # the service's notices are not what is measured
    command, *rest = argv
    if command == "contacts":
        result = contacts(*rest)
    elif command == "bulk":
        result = bulk(rest[0], int(rest[1]), rest[2])
    elif command == "tick":
        result = tick(rest[0], rest[1:])
    elif command == "digest":
        result = digest(rest[0], rest[1], *(int(r) for r in rest[2:]))
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
