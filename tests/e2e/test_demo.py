"""`followthru demo` (what `make demo` runs) plays the whole story and exits 0, quickly."""

from __future__ import annotations

import subprocess
import sys
import time


def test_the_demo_tells_the_whole_story() -> None:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "followthru", "demo"], capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for beat in (
        "state of Dana Whitfield: scheduled",
        "--- the draft now in Jane's Drafts folder (thank_you) ---",
        "state of Dana Whitfield: awaiting_reply",
        "#4 phone_message      pending",  # after #3, the debrief
        "--- delivered over SMTP to dana.whitfield@acme.example ---",
        "state of Dana Whitfield: in_conversation",
        "Cc: Sam Rivera <sam.rivera@globex.example>",
        "state of Priya Natarajan: reached_out",
        "--- delivered over SMTP to sam.rivera@globex.example ---",
        "state of Priya Natarajan: connected",
        "followthru init",
    ):
        assert beat in out, beat
    assert out.count("--- delivered over SMTP") == 2  # exactly the two approved emails
    assert "Traceback" not in done.stderr and "WARNING" not in done.stderr
    assert elapsed < 60
