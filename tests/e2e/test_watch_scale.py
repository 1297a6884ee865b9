"""The watcher on a 5,000-message Dovecot mailbox: throughput, memory, and exactly once
across a no-op pass, a UIDVALIDITY change and a message re-issued under a new UID.

`run --once` runs as a real subprocess (`python -m followthru`) under a one-child parent
that reports getrusage(RUSAGE_CHILDREN).ru_maxrss, i.e. that process's peak RSS (see
watchkit.run_cli). Timing bounds are sanity bounds (>= 10x what a 2-core machine measures);
the figures themselves are printed (`pytest -s`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e import watchkit as kit
from tests.rig.dovecot import DovecotAccount

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TOTAL = 5000
CONTACTS = 36
_REPORT = re.compile(r"personal: (\d+) new message\(s\), (\d+) about contacts, (\d+) event\(s\)")


def scanned(out: str) -> tuple[int, int, int]:
    """(new messages, about contacts, events) from `run --once`'s report line."""
    found = _REPORT.search(out)
    assert found, out
    new, relevant, events = (int(g) for g in found.groups())
    return new, relevant, events


def once(config: Path, now: datetime) -> kit.Finished:
    done = kit.run_cli(config, "run", "--once", "--now", now.isoformat())
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def check_exactly_once(ledger: kit.Ledger, corpus: kit.Corpus) -> None:
    events = ledger.message_events()
    assert ledger.duplicates() == {}
    missing = corpus.events - set(events)
    assert not missing, f"no event for {sorted(missing)[:5]}"
    assert {e: s for e, s in ledger.states().items() if e in corpus.states} == corpus.states


@pytest.mark.dovecot
@pytest.mark.slow
def test_a_5000_message_mailbox_is_synced_once_and_resynced_without_duplicates(
    dovecot_imap: DovecotAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = kit.write_config(tmp_path, dovecot_imap, timeout="30s", monkeypatch=monkeypatch)
    ledger = kit.Ledger(tmp_path / "state.db")
    corpus = kit.build_corpus(TOTAL, CONTACTS, NOW)
    kit.seed(dovecot_imap, config, corpus)
    inbox = sum(1 for m in corpus.messages if m.folder == "INBOX")

    # 1. The first pass reads all 5,000 (all within backfill_days), in one subprocess.
    first = once(config, NOW)
    new, relevant, _ = scanned(first.stdout)
    assert new == TOTAL
    check_exactly_once(ledger, corpus)
    assert ledger.integrity() == "ok"
    events, marks = ledger.event_total(), ledger.watermarks()

    # 2. Nothing new: a UID search from the watermarks, nothing fetched, nothing written.
    second = once(config, NOW + timedelta(minutes=5))
    assert scanned(second.stdout) == (0, 0, 0)
    assert ledger.event_total() == events and ledger.watermarks() == marks

    net = first.seconds - second.seconds  # the same process, connection and folders, minus the mail
    print(f"\nfirst pass: {new} messages ({relevant} about contacts) in {first.seconds:.2f} s ="
          f" {new / first.seconds:,.0f} msg/s, process start included; {new / net:,.0f} msg/s net of"
          f" a pass with nothing new ({second.seconds:.2f} s). Peak RSS {first.max_rss_kib / 1024:.1f}"
          f" MiB (nothing new: {second.max_rss_kib / 1024:.1f} MiB)")  # fmt: skip
    # Sanity bounds, >= 10x the figures measured on a 2-core machine (2.6 s, 0.9 s, 48 MiB).
    assert first.seconds < 60
    assert second.seconds < 15
    assert first.max_rss_kib < 500 * 1024

    # 3. INBOX's UIDVALIDITY changes (a restored server): a rescan, and no event twice.
    dovecot_imap.reset_uidvalidity("INBOX")
    third = once(config, NOW + timedelta(minutes=10))
    print(f"after the UIDVALIDITY change: {scanned(third.stdout)[0]} messages rescanned in {third.seconds:.2f} s")  # fmt: skip
    assert ledger.watermarks()["INBOX"][0] != marks["INBOX"][0]
    assert scanned(third.stdout) == (inbox, 0, 0)
    assert ledger.event_total() == events
    check_exactly_once(ledger, corpus)

    # 4. Exchange re-issues a message under a new UID, same folder, same UIDVALIDITY.
    reissued = next(m for m in corpus.messages if m.message_id.startswith("<reply-"))
    dovecot_imap.append("INBOX", reissued.raw, flags=reissued.flags)
    fourth = once(config, NOW + timedelta(minutes=15))
    assert scanned(fourth.stdout) == (1, 0, 0)
    assert ledger.event_total() == events
    check_exactly_once(ledger, corpus)

    # The user's mail is untouched: every flag as they set it, \\Seen nowhere else.
    assert kit.changed_flags(dovecot_imap, corpus.flags) == {}
    assert dovecot_imap.server_errors() == []
