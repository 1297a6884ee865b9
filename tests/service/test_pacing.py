"""The per-pass cap on new drafts (approval.max_drafts_per_pass), over the fakes.

Eight interviews registered at once queue eight thank-you letters. With a cap of 3 the first
pass writes the three oldest due, the next passes three and two more: nothing lost, the user
told once for the burst (and again for a later burst). A held letter's approval window starts
when it reaches Drafts: the first three expire first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followthru.adapters.store import Store
from followthru.config import Config
from followthru.core.items import ItemStatus
from followthru.service.contacts import NewInterview, Service
from tests.service.test_handover import World

BERLIN = ZoneInfo("Europe/Berlin")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def capped(config: Config) -> Iterator[Service]:
    approval = replace(config.approval, max_drafts_per_pass=3)
    with Store.open(config.store_path) as store:
        yield Service(store, replace(config, approval=approval))


def interviews(service: Service, count: int, day: int) -> None:
    """`count` interviews that ended on `day` (each queues only its thank-you), oldest first."""
    for n in range(count):
        start = at(day, 9) + timedelta(minutes=10 * n)
        new = NewInterview(f"person{day}-{n}@acme{n}.example", start, timedelta(minutes=5))
        service.register_interview(new, at(day, 12))


def drafted(service: Service) -> list[str]:
    """The contacts whose item has a draft in Drafts, in due order."""
    emails = service.store.contacts.emails()
    return [emails[i.contact_id] for i in service.store.outbox.items() if i.draft_uid is not None]


def kinds(service: Service) -> list[str]:
    return [n.kind for n in service.store.notices.listed(unread_only=False)]


async def test_a_burst_is_written_a_few_drafts_per_pass_and_told_once(capped: Service) -> None:
    world = World(capped)
    interviews(capped, 8, 2)
    await world.round(at(2, 13))
    assert len(world.box.raw("Drafts")) == 3
    assert drafted(capped) == [f"person2-{n}@acme{n}.example" for n in range(3)]  # oldest due
    assert kinds(capped) == ["drafts_held"]
    [told] = capped.store.notices.listed(unread_only=False)
    assert "5 more" in told.text

    await world.round(at(2, 14))
    await world.round(at(2, 15))
    assert len(world.box.raw("Drafts")) == 8
    statuses = {i.status for i in capped.store.outbox.items()}
    assert statuses == {ItemStatus.PENDING}  # none lost, none expired
    assert kinds(capped) == ["drafts_held"]  # the same burst: told once
    await world.round(at(2, 16))
    assert len(world.box.raw("Drafts")) == 8

    interviews(capped, 4, 3)  # a new burst, after a pass that held none
    await world.round(at(3, 13))
    assert kinds(capped) == ["drafts_held", "drafts_held"]
    assert len(world.box.raw("Drafts")) == 11


async def test_a_held_drafts_approval_window_starts_when_it_reaches_drafts(
    capped: Service,
) -> None:
    """Queued together on Monday; three reach Drafts then, the rest on Tuesday and Wednesday
    (say the daemon ran once a day): each expires draft_expires_after (5d) after it arrived."""
    world = World(capped)
    interviews(capped, 8, 2)
    for day in (2, 3, 4):
        await world.round(at(day, 13))
    assert len(world.box.raw("Drafts")) == 8
    await world.round(at(7, 13, 30))  # Monday 2 March + 5d + 30 min
    by_status = [i.status for i in capped.store.outbox.items()]
    assert by_status == [ItemStatus.EXPIRED] * 3 + [ItemStatus.PENDING] * 5
    await world.round(at(8, 13, 30))
    by_status = [i.status for i in capped.store.outbox.items()]
    assert by_status == [ItemStatus.EXPIRED] * 6 + [ItemStatus.PENDING] * 2
