"""`followthru classify FILE...`: how the daemon reads a message, one result per file.

Every readable file yields a result, garbage and empty files included (a message that cannot
be parsed is reported as `quarantine`, as the daemon would store it). A file that cannot be
read at all is reported on stderr and makes the exit status 1; the other files still print.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from followthru.adapters.rulesfile import load_job_rules
from followthru.core.reading.classify import classification_json
from followthru.service.reading import read_message


def classify_files(
    files: list[str], *, as_json: bool, now: datetime, rules: Path | None = None
) -> int:
    """Print one result per file (a JSON object per line with `as_json`), the job reading by
    the shipped rules with `rules` (the config's `jobs.rules`) merged over them."""
    job_rules = load_job_rules(rules)
    status = 0
    for name in files:
        try:
            raw = Path(name).read_bytes()
        except OSError as exc:
            print(f"followthru: {name}: cannot be read: {exc.strerror}", file=sys.stderr)
            status = 1
            continue
        result = classification_json(
            name, *read_message(raw, reference_time=now, job_rules=job_rules)
        )
        print(json.dumps(result, ensure_ascii=False) if as_json else _text(result))
    return status


def _text(result: dict[str, Any]) -> str:
    lines = [f"{result['file']}: {result['kind']}", f"  reason: {result['reason']}"]
    if result["message_id"]:
        lines.append(f"  message-id: {result['message_id']}")
    bounce = result["bounce"]
    if bounce:
        for r in bounce["recipients"]:
            how = "permanent" if r["permanent"] else "not permanent"
            block = ", a policy block (not the address)" if r.get("policy_block") else ""
            lines.append(
                f"  bounced: {r['address']} ({how}, status {r['status'] or 'none'}{block})"
            )
        if bounce["original_message_id"]:
            lines.append(f"  original message: {bounce['original_message_id']}")
    auto = result["auto_reply"]
    if auto:
        lines.append(f"  return date: {auto['return_date'] or 'not stated'}")
        if auto["left_company"]:
            lines.append("  no longer with the company")
    if result["signals"]:
        lines.append(f"  signals: {', '.join(result['signals'])}")
    if result["reply_by"]:
        lines.append(f"  reply by: {result['reply_by']}")
    if result["invitation"]:
        inv = result["invitation"]
        lines.append(f"  invitation: {inv['method']}, {len(inv['events'])} event(s)")
    return "\n".join(lines + _job_text(result["job"]))


def _job_text(job: dict[str, Any] | None) -> list[str]:
    if job is None:
        return []
    said = [f"{k} {job[k]}" for k in ("ats", "company", "role", "deadline") if job[k]]
    lines = [
        f"  job: {job['event']} ({job['confidence']} confidence){', ' if said else ''}{', '.join(said)}"
    ]
    lines.append(f"  job reason: {job['reason']}")
    if job["referral"]:
        lines.append(f"  referral: {job['referral']['address']}")
    return lines
