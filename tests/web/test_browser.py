"""The dashboard in a real browser: Debian's headless chromium (through Playwright) against a
real uvicorn on 127.0.0.1, over a store built by `followthru add`. One click on the queue's
Approve form approves the draft in the store, exactly as `followthru approve` would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from followthru.adapters.store import Store
from followthru.config import load_config
from followthru.core.items import ItemStatus
from tests.web.conftest import NOW
from tests.web.live import CHROMIUM_ARGS, chromium_or_skip, live_dashboard


@pytest.fixture
def browser() -> Iterator[Browser]:
    executable = chromium_or_skip()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser, config: Path) -> Iterator[Page]:
    with live_dashboard(config, NOW) as url:
        context = browser.new_context(java_script_enabled=False)  # reading needs no script
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
        page.on(
            "response",
            lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        page.goto(url)
        try:
            yield page
        finally:
            context.close()
        assert problems == []  # no CSP violation, nothing fetched that is not there


def test_the_board_shows_the_contacts_in_their_columns(page: Page) -> None:
    assert page.url.endswith("/")  # the token went into a cookie and left the address
    interviewed = page.locator("section.column", has_text="interviewed")
    card = interviewed.locator("article.card", has_text="Bob Stone")
    assert "Acme · Platform engineer" in card.inner_text()
    assert "try 0 of 3" in card.inner_text() and "your move" in card.inner_text()
    assert "thank you" in card.inner_text()
    assert (
        page.locator("section.column", has_text="referred")
        .locator("article", has_text="Carol")
        .count()
        == 1
    )


def test_one_click_on_approve_approves_the_draft_in_the_store(page: Page, config: Path) -> None:
    page.click("text=Queue")
    item = page.locator("article.item", has_text="#1 thank you")
    with page.expect_navigation():
        item.get_by_role("button", name="Approve").click()
    assert "#1 approved" in page.locator(".said").inner_text()
    assert "approved" in page.locator("article.item", has_text="#1 thank you").inner_text().lower()
    with Store.open(load_config(config).store_path) as store:
        approved = store.outbox.item(1)
        assert approved is not None and approved.status is ItemStatus.APPROVED


def test_the_contact_page_shows_the_timeline_and_the_drafts(page: Page) -> None:
    page.click("text=Bob Stone")
    assert page.locator("h1").inner_text() == "Bob Stone"
    timeline = page.locator("table.timeline").inner_text()
    assert "interview registered" in timeline and "contact added" in timeline
    assert page.locator("article.draft", has_text="thank you").count() == 1


def test_the_numbers_and_the_plan_draw_without_script(page: Page) -> None:
    page.click("text=Numbers")
    assert page.locator("svg.chart").count() >= 1  # the funnel; rates wait for letters sent
    assert "interviewed" in page.locator("svg.chart").first.inner_html()
    page.click("text=Plan")
    assert "bob@acme.example" in page.locator("table.plan").inner_text()
