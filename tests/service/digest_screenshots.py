"""The digest's HTML as a person sees it: `python -m tests.service.digest_screenshots` renders
a sample digest with the shipped templates and takes screenshots with Debian's headless
chromium at phone and desktop widths, into docs/screenshots/ (shown in the README)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from followthru.adapters.templates import Renderer
from followthru.core.digest import Digest, Line
from tests.service.test_rounds import at

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
SAMPLE = Digest(
    day=at(9, 8).date(),
    waiting=(
        Line(
            "waits for your approval (until Sat 14 Mar, 16:30)",
            "thank you",
            "dana.whitfield@acme.example",
        ),
        Line("goes out Mon 09 Mar, 09:00", "check in", "bob@initech.example"),
        Line(
            "to do from Tue 10 Mar, 09:00 (until Sun 15 Mar, 09:00)",
            "phone message (a task)",
            "jane@example.org",
        ),
        Line(
            "may have gone out: check Sent, then approve or reject",
            "referral intro",
            "priya@globex.example",
        ),
    ),
    happened=(
        Line("Fri 06 Mar, 17:02", "No reply from sam@hooli.example after every try: moved on.", ""),
        Line(
            "Sat 07 Mar, 10:15",
            "priya@globex.example was introduced by sam@hooli.example: a referral, its intro is in Drafts.",
            "",
        ),
    ),
    coming=(
        Line("Wed 11 Mar, 09:00", "check in", "dana.whitfield@acme.example"),
        Line("Fri 13 Mar, 09:00", "referral check in", "priya@globex.example"),
        Line("Sun 15 Mar, 16:30", "becomes moved on", "bob@initech.example"),
    ),
)


def main() -> int:
    _, _, html = Renderer().digest(SAMPLE, "Monday 09 March 2026")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="followthru-digest-") as folder:
        page = Path(folder) / "digest.html"
        page.write_text(html, encoding="utf-8")
        for name, width, height in (
            ("digest-phone.png", 390, 900),
            ("digest-desktop.png", 1280, 860),
        ):
            subprocess.run(
                ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--hide-scrollbars", f"--user-data-dir={folder}/profile",
                 f"--window-size={width},{height}", f"--screenshot={OUT / name}", page.as_uri()],
                check=True, capture_output=True, timeout=60,
            )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
