"""The XOAUTH2 refusal decoder: Gmail's JSON challenge (plain or base64) in words."""

from __future__ import annotations

import base64
import json

import pytest

from followthru.adapters.oauth2 import Xoauth2Exchange, describe_refusal, xoauth2_string

GMAIL = {"status": "401", "schemes": "bearer", "scope": "https://mail.google.com/"}


@pytest.mark.parametrize("wrap", [lambda b: b, base64.b64encode, lambda b: b.decode()])
def test_the_json_is_read_plain_or_base64(wrap: object) -> None:
    raw = json.dumps(GMAIL).encode()
    said = describe_refusal(wrap(raw), "jane@gmail.com")  # type: ignore[operator]
    assert said.startswith("the token is expired or invalid (status 401)")


@pytest.mark.parametrize(
    ("fields", "start"),
    [
        ({**GMAIL, "status": "400"}, "the token does not belong to jane@gmail.com (status 400)"),
        ({**GMAIL, "status": "403"}, "the token lacks the mail scope (status 403; it needs https://mail.google.com/)"),
        ({"error": "invalid_scope"}, "the token lacks the mail scope (status invalid_scope; it needs the provider's mail scope)"),
        ({"status": "500"}, "the server refused the token (status 500)"),
    ],
)  # fmt: skip
def test_each_reason_in_words(fields: dict[str, str], start: str) -> None:
    assert describe_refusal(json.dumps(fields), "jane@gmail.com").startswith(start)


@pytest.mark.parametrize("error", [None, b"", b"not json", b"WzFd", b"\xff\xfe"])
def test_no_reason_is_said_as_such(error: bytes | None) -> None:
    assert describe_refusal(error, "u").startswith(
        "the server refused the token and gave no reason"
    )


def test_the_exchange_answers_the_error_with_an_empty_line_and_keeps_it() -> None:
    exchange = Xoauth2Exchange("jane@gmail.com", "tok")
    assert exchange(b"") == xoauth2_string("jane@gmail.com", "tok")
    assert exchange(b'{"status":"401"}') == b""
    assert exchange.error == b'{"status":"401"}'
