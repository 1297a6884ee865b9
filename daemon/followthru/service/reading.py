"""A message's bytes -> how the daemon reads it: parsed by the adapter, classified by the core.

Invariant: never raises on any input; a message that cannot be parsed reads as `quarantine`
with the parser's error as its reason (the daemon stores such a message in quarantine).
"""

from __future__ import annotations

from datetime import datetime

from followthru.adapters.mime import parse_message
from followthru.adapters.rulesfile import shipped_rules
from followthru.core.reading.classify import Classification, classify, quarantined
from followthru.core.reading.jobrules import JobRules
from followthru.core.reading.message import Message
from followthru.errors import MessageRejected


def read_message(
    raw: bytes, *, reference_time: datetime | None = None, job_rules: JobRules | None = None
) -> tuple[Message | None, Classification]:
    """The parsed message (None when it cannot be parsed) and its classification, with its
    job reading by `job_rules` (the shipped rules when None)."""
    try:
        msg = parse_message(raw)
    except MessageRejected as exc:
        return None, quarantined(str(exc))
    rules = job_rules or shipped_rules()
    return msg, classify(msg, reference_time=reference_time, job_rules=rules)


def classify_bytes(
    raw: bytes, *, reference_time: datetime | None = None, job_rules: JobRules | None = None
) -> Classification:
    """read_message's classification alone."""
    return read_message(raw, reference_time=reference_time, job_rules=job_rules)[1]
