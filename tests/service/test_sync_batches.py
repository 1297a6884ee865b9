"""How a sync pass groups the bodies it fetches: runs of about BODY_BUDGET bytes, in order."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

from followthru.service.sync import MAX_BODY, Arrival, _budgeted

AT = datetime(2026, 3, 4, tzinfo=UTC)


def test_bodies_are_fetched_in_runs_of_the_budget_in_order() -> None:
    def seen(uid: int) -> Arrival:
        return Arrival("INBOX", uid, f"<{uid}@x>", AT, b"")

    sizes = [100, MAX_BODY, 300, MAX_BODY, MAX_BODY, 5, 7, MAX_BODY, 1]
    waiting = [(seen(uid), size) for uid, size in enumerate(sizes)]
    for budget in (1, 400, MAX_BODY, 2 * MAX_BODY, 10 * MAX_BODY):
        runs = list(_budgeted(waiting, budget))
        assert [m for run in runs for m in run] == [m for m, _ in waiting]
        for run in runs:
            total = sum(sizes[m.uid] for m in run)
            assert run and (total <= budget or len(run) == 1)
        assert all(  # a run ends only where the next message would pass the budget
            sum(sizes[m.uid] for m in run) + sizes[nxt[0].uid] > budget
            for run, nxt in pairwise(runs)
        )
    assert list(_budgeted([], MAX_BODY)) == []
