"""Send progress recorded at the hand-over point (SPEC invariant 5), over the fakes.

A send stopped before the message data was handed over cannot have been delivered: the item
waits again and goes out once. One stopped after (or that may have been) is `uncertain` and is
never sent again on its own. The mark is committed before the body would be written.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followthru.adapters.smtp import SendOutcome, SendReport
from followthru.adapters.template_check import check_templates
from followthru.core.items import ItemEvent, ItemStatus
from followthru.core.model import Step
from followthru.service.contacts import NewInterview, Service
from followthru.service.outbox import Outbox
from followthru.service.rounds import Round
from followthru.service.sender import recover_interrupted
from tests.service.fakes import FakeMailbox, FakeTransport

BERLIN = ZoneInfo("Europe/Berlin")
BOB = "bob@acme.example"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)


class World:
    def __init__(self, service: Service, smtp: FakeTransport | None = None) -> None:
        self.service = service
        self.box = FakeMailbox()
        self.smtp = smtp or FakeTransport()
        self.outbox = Outbox(service, check_templates(service.config.templates_dir))

    async def round(self, now: datetime) -> None:
        account = self.service.config.accounts[0]
        one = await Round.start(self.service, account, self.box, self.outbox, self.smtp)
        await one.run(now)

    def thanks(self) -> ItemStatus:
        [row] = [r for r in self.service.store.outbox.items() if r.step is Step.THANK_YOU]
        return row.status


async def approved_thanks(service: Service, world: World) -> int:
    """An interview on Monday 2 March, its thank-you drafted and approved at 16:00."""
    new = NewInterview(BOB, at(2, 14), timedelta(hours=1), name="Bob Stone")
    service.register_interview(new, at(2, 15, 30))
    await world.round(at(2, 15, 45))  # before its due time: drafted, not sent
    [item] = [r for r in service.store.outbox.items() if r.step is Step.THANK_YOU]
    world.outbox.approve(item.id, at(2, 15, 50))
    return item.id


async def test_a_stop_before_the_data_sends_it_again_once_not_uncertain(service: Service) -> None:
    world = World(service)
    await approved_thanks(service, world)
    world.smtp.stop = "before_data"
    with pytest.raises(asyncio.CancelledError):
        await world.round(at(2, 16))
    assert world.thanks() is ItemStatus.APPROVED
    world.smtp.stop = None
    for minute in (1, 2, 3):
        await world.round(at(2, 16, minute))
    assert len(world.smtp.sent) == 1
    assert world.thanks() is ItemStatus.SENT
    assert not [n for n in service.store.notices.listed() if n.kind == "uncertain"]


async def test_a_stop_after_the_data_is_uncertain_and_never_sent_again(service: Service) -> None:
    world = World(service)
    await approved_thanks(service, world)
    world.smtp.stop = "after_data"
    with pytest.raises(asyncio.CancelledError):
        await world.round(at(2, 16))
    world.smtp.stop = None
    for minute in (1, 2, 3):
        await world.round(at(2, 16, minute))
    assert len(world.smtp.sent) == 1
    assert world.thanks() is ItemStatus.UNCERTAIN


@pytest.mark.parametrize(("handed_over", "after"), [(False, ItemStatus.APPROVED),
                                                     (True, ItemStatus.UNCERTAIN)])  # fmt: skip
async def test_a_crash_mid_send_is_settled_by_where_it_stopped(
    service: Service, handed_over: bool, after: ItemStatus
) -> None:
    """What a restart finds: the item `sending`, with or without the hand-over recorded."""
    world = World(service)
    item_id = await approved_thanks(service, world)
    outbox = service.store.outbox
    with service.store.transaction():
        assert outbox.move(item_id, ItemEvent.SEND_STARTED, at(2, 16)) is ItemStatus.SENDING
        if handed_over:
            outbox.handing_over(item_id)
    assert recover_interrupted(service, at(2, 17)) == int(handed_over)
    assert world.thanks() is after
    told = [n.kind for n in service.store.notices.listed(unread_only=False)]
    assert told == (["uncertain"] if handed_over else [])  # the user is told, as for a live one


class Watching(FakeTransport):
    """Reads the item's row through a second connection when the body is about to go."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.seen: list[tuple[str, int]] = []

    async def send(self, message: bytes, sender: str, recipients: Sequence[str], *,
                   handing_over: Callable[[], None] | None = None) -> SendReport:  # fmt: skip
        def look() -> None:
            self.seen.append(self._row())  # before: `sending`, still before the data
            assert handing_over is not None
            handing_over()
            self.seen.append(self._row())  # after: committed for every reader

        return await super().send(message, sender, recipients, handing_over=look)

    def _row(self) -> tuple[str, int]:
        with sqlite3.connect(self.path) as other:
            status, before = other.execute("SELECT status, before_data FROM outbox").fetchone()
        return str(status), int(before)


async def test_the_hand_over_is_committed_before_the_body_is_written(service: Service) -> None:
    smtp = Watching(str(service.config.store_path))
    world = World(service, smtp)
    await approved_thanks(service, world)
    await world.round(at(2, 16))
    assert smtp.seen == [("sending", 1), ("sending", 0)]
    assert world.thanks() is ItemStatus.SENT


async def test_an_uncertain_send_is_a_failure_of_the_pass(service: Service) -> None:
    """`run --once` exits 1 on it: the problems of the round name the item."""
    world = World(service, FakeTransport(SendOutcome.UNCERTAIN))
    item_id = await approved_thanks(service, world)
    account = service.config.accounts[0]
    one = await Round.start(service, account, world.box, world.outbox, world.smtp)
    await one.run(at(2, 16))
    assert [line.split(":")[0] for line in one.problems.failed] == [f"item {item_id} uncertain"]


async def test_a_send_left_sending_by_an_older_version_is_uncertain(service: Service) -> None:
    """Rows from before the hand-over was recorded (the migration's default): maybe sent."""
    world = World(service)
    item_id = await approved_thanks(service, world)
    conn = service.store.conn
    [(default,)] = [
        (r[4],) for r in conn.execute("PRAGMA table_info(outbox)") if r[1] == "before_data"
    ]
    assert default == "0"
    with service.store.transaction():
        conn.execute(
            "UPDATE outbox SET status = 'sending', before_data = 0 WHERE id = ?", (item_id,)
        )
    assert recover_interrupted(service, at(2, 17)) == 1
    assert world.thanks() is ItemStatus.UNCERTAIN
