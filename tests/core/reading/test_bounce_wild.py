"""Bounce readings that real MTAs got wrong before: one test per cause, on the rule itself."""

from __future__ import annotations

import pytest

from followthru.core.reading import bounce, bouncetext
from followthru.core.reading.message import Address, DeliveryStatus, Headers, Message


def _judge(diagnostic: str, action: str = "failed", status: str = "") -> bounce.BouncedRecipient:
    ds = DeliveryStatus("rfc822; bob@acme.example", action=action, status=status)
    return bounce.judge("bob@acme.example", f"{diagnostic}\n{status}", "", ds)


def test_a_refused_sender_is_a_policy_block_not_an_unknown_recipient() -> None:
    got = _judge("smtp; 553 5.1.8 <bob@acme.example>... Domain of sender address "
                 "alex@seeker.example does not exist", status="5.1.8")  # fmt: skip
    assert (got.permanent, got.policy_block, got.reason) == (False, True, "policy")


def test_folded_wording_reads_as_if_unfolded() -> None:
    got = _judge("smtp; 550 5.1.0 <alex@seeker.example>... Sender\n    rejected: domain not found")
    assert (got.permanent, got.policy_block) == (False, True)


def test_the_quoted_inner_answer_wins_over_the_wrapper() -> None:
    got = _judge("smtp; 5.1.0 - Unknown address error 550-'5.2.2 <bob@acme.example>... "
                 "Mailbox Full' (delivery attempts: 0)", status="5.1.0")  # fmt: skip
    assert (got.status, got.reason, got.permanent) == ("5.2.2", "mailbox_full", False)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("554 5.4.6 hop count exceeded - mail loop", "network"),
        ("<erin@loopy.example>: mail forwarding loop for erin@loopy.example", "network"),
        ("name service error for name=x.example type=mx: host not found, try again",
         "dns_temporary"),
        ("host or domain name not found. name service error for name=x.example type=mx: "
         "host not found", "host_unknown"),
        ("recipient address rejected: user account disabled", "disabled"),
        ("recipient address rejected: account temporarily locked", "temporarily_locked"),
        ("550 unknown e-mail address", "user_unknown"),
        ("550 domain is not reachable", "host_unknown"),
        ("550 invalid final delivery userid", "user_unknown"),
        ("542 rejected", "refused"),
        ("<mila@pochta.example>: пользователь не найден", "user_unknown"),
        ("received <<< 553 requested action not taken: mailbox name not allowed", "user_unknown"),
    ],
)  # fmt: skip
def test_wordings_from_the_wild(text: str, reason: str) -> None:
    assert bouncetext.reason_of(text) == reason


def test_a_name_service_error_is_not_permanent() -> None:
    got = bounce.judge("fred@x.example", "(reason: Name service error for name=x.example "
                       "type=MX: Host not found, try again)", "permanent fatal errors", None)  # fmt: skip
    assert not got.permanent and got.status.startswith("4.")


def test_a_temporary_lock_and_a_bare_rejection() -> None:
    locked = bounce.judge("h@x.example", "550 <h@x.example>: Recipient address rejected: "
                          "Account temporarily locked", "", None)  # fmt: skip
    refused = bounce.judge("l@x.example", "reason: 542 Rejected", "", None)
    assert not locked.permanent and refused.permanent


def test_450_is_never_permanent_and_delayed_is_not_a_failure() -> None:
    got = _judge("smtp; 450 4.1.1 <bob@acme.example>: Recipient address rejected: User unknown",
                 action="delayed", status="5.1.1")  # fmt: skip
    assert (got.permanent, got.status) == (False, "4.1.1")


def _text_bounce(text: str, to: str = "alex@seeker.example") -> Message:
    return Message(
        from_=(Address("mailer-daemon@mx.example"),),
        to=(Address(to),),
        subject="failure notice",
        headers=Headers((("return-path", "<>"),)),
        text=text,
    )


def test_a_keyword_inside_an_address_is_not_a_keyword() -> None:
    msg = _text_bounce("Could not be delivered.\n\n    RCPT: <userunknown@keitai.example>\n"
                       "    Reason: 550 5.1.1 User unknown\n")  # fmt: skip
    assert [r.address for r in bounce.read_bounce(msg).recipients] == ["userunknown@keitai.example"]


@pytest.mark.parametrize("failed", ["postmaster@tinyshop.example", "rosa@forwarder.example"])
def test_a_postmaster_or_the_bounces_own_to_can_be_the_failed_recipient(failed: str) -> None:
    text = (
        "Hi. This is the qmail-send program at mx.example.\n"
        f"<{failed}>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
        "--- Below this line is a copy of the message.\n\n"
        f"From: Alex <alex@seeker.example>\nTo: {failed}\nSubject: Hello\n"
    )
    msg = _text_bounce(text, to="rosa@forwarder.example")
    assert [r.address for r in bounce.read_bounce(msg).recipients] == [failed]


def test_a_remote_450_outranks_a_relays_generic_5_0_0() -> None:
    got = _judge("smtp; 450 <bob@acme.example>: Recipient address rejected: User unknown in "
                 "local recipient table", status="5.0.0")  # fmt: skip
    assert (got.permanent, got.status) == (False, "4.1.1")
