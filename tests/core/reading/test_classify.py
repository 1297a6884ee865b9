"""The fixture corpus (tests/data/mail) classified against tests/data/mail/expected.json.

Every fixture is also checked in its LF, CRLF and CR-only forms: all three must agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from followthru.adapters.mime import parse_message
from followthru.core.reading.classify import Classification, classification_json
from followthru.errors import MessageRejected
from followthru.service.reading import classify_bytes

CORPUS = Path(__file__).resolve().parents[2] / "data" / "mail"
EXPECTED: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text("utf-8"))
FILES = sorted(p.name for p in CORPUS.glob("*.eml"))


def _json(name: str, raw: bytes) -> dict[str, Any]:
    try:
        msg = parse_message(raw)
    except MessageRejected:
        msg = None
    return classification_json(name, msg, classify_bytes(raw))


def test_every_fixture_has_an_expectation() -> None:
    assert sorted(EXPECTED) == FILES


@pytest.mark.parametrize("name", FILES)
def test_fixture(name: str) -> None:
    got = _json(name, (CORPUS / name).read_bytes())
    want = EXPECTED[name]
    assert got["kind"] == want["kind"], got["reason"]
    if "recipients" in want:
        keys = ("address", "permanent", "status", "policy_block")
        recipients = [{k: r[k] for k in keys} for r in got["bounce"]["recipients"]]
        assert recipients == want["recipients"]
        assert got["bounce"]["original_message_id"] == want["original_message_id"]
    if "auto_reply" in want:
        assert got["auto_reply"] == want["auto_reply"]
    if "signals" in want:
        assert got["signals"] == want["signals"]
        assert got["reply_by"] == want["reply_by"]
    if "invitation" in want:
        event = got["invitation"]["events"][0]
        assert got["invitation"]["method"] == want["invitation"]["method"]
        for key in ("uid", "sequence", "start", "end", "floating"):
            assert event[key] == want["invitation"][key], key


def _variants(raw: bytes) -> dict[str, bytes]:
    lf = raw.replace(b"\r\n", b"\n")
    return {"lf": lf, "crlf": lf.replace(b"\n", b"\r\n"), "cr": lf.replace(b"\n", b"\r")}


@pytest.mark.parametrize("name", FILES)
def test_line_endings_agree(name: str) -> None:
    results: list[Classification] = [
        classify_bytes(data) for data in _variants((CORPUS / name).read_bytes()).values()
    ]
    assert results[0] == results[1] == results[2]


def test_json_shape_is_the_spec_shape() -> None:
    got = _json("x.eml", (CORPUS / "bounce-postfix-dsn-userunknown.eml").read_bytes())
    assert list(got) == [
        "file", "kind", "reason", "message_id", "in_reply_to", "references",
        "bounce", "auto_reply", "signals", "reply_by", "invitation", "job",
    ]  # fmt: skip
    assert got["bounce"] == {
        "recipients": [
            {"address": "bob@acme.example", "permanent": True, "status": "5.1.1",
             "policy_block": False}
        ],
        "original_message_id": "<thankyou-bob-1@seeker.example>",
    }  # fmt: skip
    assert got["in_reply_to"] == [] and got["auto_reply"] is None and got["signals"] == []
    json.dumps(got)


def test_json_of_an_auto_reply_and_an_invitation() -> None:
    ooo = _json("o.eml", (CORPUS / "ooo-exchange-de.eml").read_bytes())
    assert ooo["auto_reply"] == {"return_date": "2026-03-16", "left_company": False}
    assert ooo["in_reply_to"] == ["<bewerbung-juergen-1@seeker.example>"]
    invite = _json("i.eml", (CORPUS / "invite-exchange-windows-tz.eml").read_bytes())
    event = invite["invitation"]["events"][0]
    assert event["start"] == "2026-03-24T14:00:00+01:00"
    assert event["organizer"] == "bob@acme.example"
    assert event["attendees"] == ["alex@seeker.example"]
    assert event["summary"] == "Second round interview"


def test_quarantine_json_for_an_empty_file() -> None:
    got = _json("e.eml", b"")
    assert got["kind"] == "quarantine" and got["message_id"] is None
    assert got["reason"].startswith("unparseable")


def test_corpus_covers_each_kind() -> None:
    kinds = {e["kind"] for e in EXPECTED.values()}
    assert kinds == {"bounce", "auto-reply", "invitation", "automated", "personal", "quarantine"}
