"""Secrets never reach a log line, whichever logger writes it, in any of their encodings."""

from __future__ import annotations

import base64
import logging

import pytest

from followthru.logs import RedactingFilter, register_secret, scrub, setup_logging


def test_registered_secrets_and_their_auth_encodings_are_masked() -> None:
    register_secret("hunter2-secret", "jane@example.com")
    plain = base64.b64encode(b"\0jane@example.com\0hunter2-secret").decode()
    xoauth = base64.b64encode(b"user=jane@example.com\1auth=Bearer hunter2-secret\1\1").decode()
    text = f"LOGIN jane hunter2-secret / AUTH PLAIN {plain} / {xoauth} / {base64.b64encode(b'hunter2-secret').decode()}"
    cleaned = scrub(text)
    assert "hunter2" not in cleaned
    for form in (plain, xoauth):
        assert form not in cleaned


def test_the_filter_scrubs_arguments_and_tracebacks(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(verbose=True, env={})
    register_secret("s3cr3t-pass-word")
    log = logging.getLogger("imapclient.imaplib")
    log.debug("> b'A001 LOGIN jane %s'", "s3cr3t-pass-word")
    try:
        raise ValueError("bad password s3cr3t-pass-word")
    except ValueError:
        logging.getLogger("followthru").exception("failed with %s", "s3cr3t-pass-word")
    err = capsys.readouterr().err
    assert "s3cr3t" not in err
    assert err.count("********") >= 3
    assert any(
        isinstance(f, RedactingFilter) for h in logging.getLogger().handlers for f in h.filters
    )


def test_journald_lines_carry_a_priority_and_no_timestamp(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging(env={"JOURNAL_STREAM": "8:1234"})
    logging.getLogger("followthru.service").warning("reconnecting to IMAP")
    assert capsys.readouterr().err == "<4>followthru.service: reconnecting to IMAP\n"
