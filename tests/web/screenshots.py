"""The README's screenshots: a small job search played through the commands and the service,
then the board, a contact page and the numbers shot by Debian's headless chromium at desktop
(1280 px) and phone (390 px) widths.

    .venv/bin/python -m tests.web.screenshots docs/screenshots
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright

from followthru.adapters.store import Store
from followthru.adapters.template_check import check_templates
from followthru.cli import main
from followthru.config import load_config
from followthru.core.events import OutboundSeen, ReplyReceived
from followthru.core.model import ContactId
from followthru.resources import example_config
from followthru.service.contacts import Service
from followthru.service.outbox import Outbox
from tests.web.live import CHROMIUM_ARGS, chromium_or_skip, live_dashboard

NOW = "2026-03-02T15:30:00+01:00"
WIDTHS = {"desktop": 1280, "phone": 390}
# email, name, company, position, interview (days before NOW), replied after (days) or None
INTERVIEWS = [
    ("bob@acme.example", "Bob Stone", "Acme", "Platform engineer", 0, None),
    ("ana@acme.example", "Ana Ruiz", "Acme", "Platform engineer", 1, None),
    ("li@orbit.example", "Li Wei", "Orbit", "SRE", 12, 2),
    ("sam@north.example", "Sam Okafor", "Northwind", "Backend developer", 16, None),
    ("kim@delta.example", "Kim Berg", "Delta", "Staff engineer", 30, None),
    ("joe@orbit.example", "Joe Park", "Orbit", "SRE", -2, None),
]
REFERRALS = [
    ("carol@beta.example", "Carol Diaz", "li@orbit.example", 2, 1),
    ("dan@gamma.example", "Dan Moss", "bob@acme.example", 5, None),
    ("eve@zeta.example", "Eve Hart", "li@orbit.example", 20, None),
]


def build(folder: Path) -> Path:
    config = folder / "config.yaml"
    text = example_config().read_text().replace("  path: null ", f"  path: {folder / 'state.db'} ")
    config.write_text(text)
    now = datetime.fromisoformat(NOW)
    for email, name, company, role, ago, _ in INTERVIEWS:
        at = (now - timedelta(days=ago)).replace(hour=10, minute=0)
        run(config, at - timedelta(days=3), "add", "interview", "--email", email, "--name", name,
            "--company", company, "--role", role, "--at", at.isoformat())  # fmt: skip
    for email, name, source, ago, _ in REFERRALS:
        run(config, now - timedelta(days=ago), "add", "referral", "--email", email, "--name", name, "--source", source)  # fmt: skip
    loaded = load_config(config)
    with Store.open(loaded.store_path) as store:
        service = Service(store, loaded)
        for email, *_, ago, replied in [(i[0], i[4], i[5]) for i in INTERVIEWS] + [
            (r[0], r[3], r[4]) for r in REFERRALS
        ]:
            letters(service, email, now - timedelta(days=ago), replied)
        service.tick(now)
        Outbox(service, check_templates(None)).prepare(now)
    return config


def letters(service: Service, email: str, start: datetime, replied: int | None) -> None:
    """The user's first letter (seen in Sent) the evening it was due, and a reply if any."""
    row = service.store.contacts.find(email)
    if row is None or start > datetime.fromisoformat(NOW) - timedelta(days=1):
        return
    sent = start.replace(hour=18)
    service.tick(sent)
    to = frozenset({ContactId(row.id)})
    service.apply(
        row.id, OutboundSeen(at=sent, message_id=f"<out-{row.id}@jane.example>", to=to), sent
    )
    if replied is not None:
        back = sent + timedelta(days=replied)
        service.apply(
            row.id,
            ReplyReceived(at=back, message_id=f"<re-{row.id}@x.example>", sender=row.id),
            back,
        )


def run(config: Path, now: datetime, *argv: str) -> None:
    assert main([*argv, "--config", str(config), "--now", now.isoformat()]) == 0


def shoot(config: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright, live_dashboard(config, NOW) as url:
        browser = playwright.chromium.launch(executable_path=chromium_or_skip(), args=CHROMIUM_ARGS)
        for label, width in WIDTHS.items():
            context = browser.new_context(
                viewport={"width": width, "height": 800}, java_script_enabled=False
            )
            page = context.new_page()
            page.goto(url)
            for name, path in (("board", "/"), ("contact", "/contacts/1"), ("numbers", "/numbers")):
                page.goto(url.split("?")[0].rstrip("/") + path)
                page.screenshot(path=str(out / f"{name}-{label}.png"), full_page=True)
            context.close()
        browser.close()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        shoot(build(Path(tmp)), Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
