"""`save_sent: auto` over the fakes: one copy in Sent whoever files it. Gmail (X-GM-EXT-1) and
Microsoft 365 (its SMTP hosts) file what they send; any other server gets our copy unless it
filed one itself (then a second would be a duplicate). The same against the personalities'
real servers: tests/e2e/test_providers.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

import pytest

from followthru.adapters.smtp import SendReport
from followthru.adapters.store import Store
from followthru.config import Config
from followthru.core.model import Step
from followthru.service.contacts import Service
from tests.service.fakes import FakeTransport
from tests.service.test_rounds import World, at, interview


def on_host(config: Config, host: str) -> Config:
    account = config.accounts[0]
    return replace(config, accounts=(replace(account, smtp=replace(account.smtp, host=host)),))


@pytest.fixture
def service_on(config: Config) -> Iterator[Callable[[str], Service]]:
    stores: list[Store] = []

    def make(host: str) -> Service:
        store = Store.open(config.store_path)
        stores.append(store)
        return Service(store, on_host(config, host))

    yield make
    for store in stores:
        store.close()


class FilingTransport(FakeTransport):
    """A server that files what it receives in Sent itself, and says so nowhere."""

    def __init__(self, world: World) -> None:
        super().__init__()
        self.world = world

    async def send(self, message: bytes, sender: str, recipients: Sequence[str], *,
                   handing_over: Callable[[], None] | None = None) -> SendReport:  # fmt: skip
        self.world.box.deliver("Sent", message, at(2, 16))
        return await super().send(message, sender, recipients, handing_over=handing_over)


async def approved_and_sent(world: World) -> bytes:
    interview(world.service, at(2, 14))
    await world.round(at(2, 16))
    [draft] = world.box.raw("Drafts")
    world.box.flag("Drafts", world.draft_uid(Step.THANK_YOU))
    for minute in (1, 2):
        await world.round(at(2, 16, minute))
    assert len(world.smtp.sent) == 1
    return draft


@pytest.mark.parametrize(
    ("host", "copies"),
    [("smtp.example.org", 1), ("smtp.office365.com", 0), ("SMTP-mail.Outlook.com.", 0)],
)
async def test_our_copy_goes_to_sent_except_where_the_provider_files_it(
    service_on: Callable[[str], Service], host: str, copies: int
) -> None:
    world = World(service_on(host))
    draft = await approved_and_sent(world)
    assert world.box.raw("Sent") == [draft] * copies


async def test_gmail_is_known_by_its_extension(service: Service) -> None:
    world = World(service)
    world.box.capabilities = world.box.capabilities | {"X-GM-EXT-1"}
    await approved_and_sent(world)
    assert world.box.raw("Sent") == []


async def test_a_copy_the_server_filed_itself_is_not_filed_again(service: Service) -> None:
    world = World(service)
    world.smtp = FilingTransport(world)
    draft = await approved_and_sent(world)
    assert world.box.raw("Sent") == [draft]  # the server's; before, ours came on top of it
