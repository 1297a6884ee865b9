"""Sending: 100 approved drafts through aiosmtpd (tests/rig/smtpd.py), each delivered once.

A fresh mailbox, 100 interviews that ended two hours ago (registered through the Service),
a plain thank-you template without [[ADD: ...]] placeholders (followthru refuses to send
those), and the clock pinned (`--now`) inside the send window:
1. `run --once` writes the 100 thank-you drafts into Drafts;
2. the user stars them all in their mail client (a raw IMAP STORE +FLAGS \\Flagged);
3. `run --once` five minutes apart reads the flags (approve_by_flag), sends and files a copy
   of each in Sent - these runs are the ones timed. Approved emails that are due together go
   out five minutes apart (core.schedule.catch_up: never a burst), so one run sends one; the
   send window is the whole week here, so that the 100 runs fit;
4. `run --once` again: nothing more may go out.
The SMTP server runs in this process's event loop while followthru runs as a subprocess.
"All delivered once" means 100 messages received, 100 distinct Message-IDs, 100 items `sent`.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.harness import ROOT, Finished, Result, bench_env, followthru_command, say, write_config
from tests.rig import ImapAccount
from tests.rig.smtpd import SmtpServer, start_smtpd

DRAFTS = 100
SPACING = timedelta(minutes=5)  # core.schedule.CATCH_UP_SPACING: one send a run
ALL_WEEK = {"send_window": {"days": "mon-sun", "hours": "00:00-24:00"}}
TEMPLATE = (
    "Subject: Thank you, {{ contact.first_name or 'there' }}\n\nHi,\n\nThank you for taking the time "
    "to talk with me today. I enjoyed learning about the team.\n\nBest regards,\n{{ me.name }}\n"
)


async def _followthru(config: Path, *argv: str) -> Finished:
    """`followthru ARGV` under bench/child.py, awaited (the SMTP server shares this loop)."""
    report = config.parent / "child-report.json"
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bench" / "child.py"), str(report), "300",
        *followthru_command(), *argv, "--config", str(config),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=bench_env(config.parent), cwd=ROOT,
    )  # fmt: skip
    out, err = await process.communicate()
    data = json.loads(report.read_text())
    finished = Finished(data["returncode"], data["seconds"], data["max_rss_kib"], data["user"] + data["system"],
                        out.decode(errors="replace"), err.decode(errors="replace"))  # fmt: skip
    return finished.check(f"followthru {' '.join(argv)}")


def _send_window_moment() -> datetime:
    """The next weekday at 10:30 in the config's time zone (inside the default 09-17 window)."""
    tz = ZoneInfo("Europe/Berlin")
    day = datetime.now(tz).replace(hour=10, minute=30, second=0, microsecond=0) + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _star_drafts(account: ImapAccount) -> int:
    with account.session() as client:
        client.select_folder("Drafts")
        uids = client.search("ALL")
        client.add_flags(uids, [b"\\Flagged"])
        return len(uids)


async def _measure(account: ImapAccount, workdir: Path) -> Result:
    smtpd: SmtpServer = await start_smtpd()
    try:
        letters = workdir / "letters"
        letters.mkdir()
        (letters / "thank_you.txt.j2").write_text(TEMPLATE)
        config = write_config(workdir, account, smtp=(smtpd.host, smtpd.port, smtpd.username, smtpd.password),
                              templates_dir=letters, cadence=ALL_WEEK)  # fmt: skip
        now = _send_window_moment()
        listing = workdir / "contacts.json"
        listing.write_text(json.dumps([
            {"email": f"interviewer{n}@company{n}.example", "name": f"Alex Smith{n}", "company": f"Company {n}",
             "role": "Engineer", "interview_at": (now - timedelta(hours=3)).isoformat()}
            for n in range(DRAFTS)
        ]))  # fmt: skip
        env_python = [sys.executable, "-m", "bench.store", "contacts", str(config), str(listing),
                      (now - timedelta(hours=4)).isoformat()]  # fmt: skip
        register = await asyncio.create_subprocess_exec(*env_python, env=bench_env(workdir), cwd=ROOT,
                                                        stdout=asyncio.subprocess.DEVNULL)  # fmt: skip
        if await register.wait() != 0:
            raise RuntimeError("bench.store contacts failed")
        drafts = await _followthru(config, "run", "--once", "--now", now.isoformat())
        starred = await asyncio.to_thread(_star_drafts, account)
        say(
            f"sending: {starred} drafts and notes in Drafts ({drafts.seconds:.1f} s), all starred; sending"
        )
        later, runs = now, []
        while len(smtpd.messages) < DRAFTS and len(runs) < DRAFTS + 10:
            later += SPACING
            runs.append(await _followthru(config, "run", "--once", "--now", later.isoformat()))
        after = await _followthru(config, "run", "--once", "--now", (later + SPACING).isoformat())
        delivered = len(smtpd.messages)
    finally:
        await smtpd.close()
    ids = Counter(re.search(rb"^Message-ID: *(\S+)", m.data, re.M | re.I).group(1)  # type: ignore[union-attr]
                  for m in smtpd.messages)  # fmt: skip
    with sqlite3.connect(f"file:{workdir / 'state.db'}?mode=ro", uri=True) as db:
        sent_items = db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sent'").fetchone()[0]
    seconds = sum(r.seconds for r in runs)
    once = delivered == DRAFTS and len(ids) == DRAFTS and max(ids.values(), default=0) == 1
    res = Result("sending 100 approved drafts",
                 f"{delivered} delivered, {len(ids)} distinct, in {len(runs)} run --once five minutes apart, "
                 f"{seconds / max(len(runs), 1):.2f} s a run",
                 "all delivered once; throughput reported", once and sent_items == DRAFTS)  # fmt: skip
    res.notes = [
        f"the sending runs took {seconds:.1f} s in all (CPU {sum(r.cpu for r in runs):.1f} s, peak RSS "
        f"{max((r.max_rss_mib for r in runs), default=0):.0f} MiB): a run reads the flags, sends one "
        "(SMTP session, the hand-over checkpointed) and files its copy in Sent",
        f"items sent in the store: {sent_items}; the run after sent nothing more: "
        f"{'yes' if 'sent item=' not in after.stderr else 'NO'}",
    ]
    return res


def measure(account: ImapAccount, workdir: Path) -> Result:
    return asyncio.run(_measure(account, workdir))
