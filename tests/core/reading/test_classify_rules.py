"""Each classification rule on hand-built Message values (no parsing involved)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from followthru.core.reading import automated, autoreply, bounce, bouncetext, phrases
from followthru.core.reading.classify import Kind, classify, quarantined
from followthru.core.reading.message import Address, CalendarEvent, DeliveryStatus, Headers, Message

WHEN = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # a Tuesday


def make(
    headers: dict[str, str] | None = None,
    *,
    text: str = "",
    sender: str = "jane@acme.example",
    name: str = "",
    **fields: Any,
) -> Message:
    heads = Headers(tuple((k.lower(), v) for k, v in (headers or {}).items()))
    defaults: dict[str, Any] = {
        "from_": (Address(sender, name),),
        "to": (Address("alex@seeker.example"),),
        "subject": heads.get("subject"),
        "date": WHEN,
    }
    defaults.update(fields)
    return Message(headers=heads, text=text, **defaults)


# ---------------------------------------------------------------- bounces


def test_dsn_rule_needs_a_failed_or_delayed_action() -> None:
    failed = DeliveryStatus("rfc822; bob@acme.example", action="failed", status="5.1.1")
    relayed = DeliveryStatus("rfc822; bob@acme.example", action="relayed", status="2.0.0")
    assert bounce.rule_dsn_report(make(delivery_status=(failed,))) == (
        "RFC 3464 report, Action: failed"
    )
    assert bounce.rule_dsn_report(make(delivery_status=(relayed,))) is None
    assert classify(make(delivery_status=(relayed,))).kind is Kind.AUTOMATED


def test_inline_dsn_rule_reads_fields_in_plain_text() -> None:
    text = "Final-Recipient: rfc822; bob@acme.example\nAction: failed\nStatus: 5.1.1\n"
    msg = make({"subject": "Returned mail"}, text=text, sender="postmaster@mx.example")
    assert bounce.rule_inline_dsn(msg)
    info = classify(msg).bounce
    assert info is not None and info.recipients[0].address == "bob@acme.example"
    assert info.recipients[0].permanent


def test_x_failed_recipients_rule() -> None:
    msg = make({"x-failed-recipients": "bob@acme.example"}, text="550 5.1.1 no such user")
    assert bounce.rule_failed_recipients(msg)
    assert classify(msg).bounce is not None


def test_mta_wording_rule_names_the_mta() -> None:
    msg = make(text="Hi. This is the qmail-send program at mx.example.\n<bob@acme.example>:\n")
    assert bounce.rule_mta_wording(msg) == "qmail bounce wording"


def test_mta_wording_is_ignored_in_a_persons_reply() -> None:
    msg = make({"subject": "Re: hello"}, text="> This is the mail system at host x.")
    assert bounce.rule_mta_wording(msg) is None
    assert classify(msg).kind is Kind.PERSONAL


def test_daemon_sender_rule() -> None:
    msg = make(
        {"subject": "Returned mail: User unknown"},
        text="The following address failed: <bob@acme.example> 550 user unknown",
        sender="mailer-daemon@mx.example",
    )
    assert bounce.rule_daemon_sender(msg)
    assert bounce.is_daemon_sender(make(sender="x@y.example", name="Mail Delivery System"))


def test_bounce_subject_rule_needs_failure_evidence() -> None:
    plain = make({"subject": "Undeliverable: hi"}, text="see attached")
    assert bounce.rule_bounce_subject(plain) is None
    coded = make({"subject": "Undeliverable: hi"}, text="Remote said 550 5.1.1 <b@c.example>")
    assert bounce.rule_bounce_subject(coded)


@pytest.mark.parametrize(
    ("diagnostic", "permanent", "policy", "reason"),
    [
        ("550 5.1.1 <b@c.example>: Recipient address rejected: User unknown", True, False,
         "user_unknown"),
        ("550 5.1.2 Host or domain name not found", True, False, "host_unknown"),
        ("551 5.1.6 User has moved", True, False, "moved"),
        ("550 5.2.1 The email account that you tried to reach is disabled", True, False,
         "disabled"),
        ("550 5.7.1 Rejected: does not accept mail", False, True, "not_accepted"),
        ("556 5.1.10 Recipient domain does not accept mail", True, False, "not_accepted"),
        ("450 4.1.1 <b@c.example>: Recipient address rejected: User unknown", False, False,
         "user_unknown"),
        ("552 5.2.2 Mailbox full", False, False, "mailbox_full"),
        ("552 5.3.4 Message size exceeds fixed maximum", False, False, "too_big"),
        ("450 4.7.1 Greylisted, try again in 5 minutes", False, True, "greylisted"),
        ("421 4.7.0 Too many connections, slow down", False, True, "rate_limited"),
        ("554 5.7.1 Client host blocked using zen.spamhaus.org", False, True, "policy"),
        ("550 5.7.509 Access denied, does not pass DMARC verification", False, True, "policy"),
        ("554 5.6.0 Message content rejected: virus found", False, True, "content"),
        ("553 5.1.8 Sender address rejected: Domain not found", False, True, "policy"),
        ("550 5.0.0 something odd", False, False, ""),
    ],
)  # fmt: skip
def test_judge_permanence(diagnostic: str, permanent: bool, policy: bool, reason: str) -> None:
    got = bounce.judge("b@c.example", diagnostic, "", None)
    assert (got.permanent, got.policy_block, got.reason) == (permanent, policy, reason)


def test_delayed_dsn_is_never_permanent() -> None:
    ds = DeliveryStatus("rfc822; b@c.example", action="delayed", status="5.1.1")
    assert not bounce.judge("b@c.example", "550 5.1.1 user unknown", "", ds).permanent


def test_status_readers() -> None:
    assert bouncetext.status_of("smtp; 550 5.0.0 x; 550 5.1.1 y") == "5.1.1"
    assert bouncetext.status_of("host 192.0.2.1 said 550") == ""
    assert bouncetext.reply_class("said: 452 try later") == "4"
    assert bouncetext.reason_of_status("5.7.99") == "policy"
    assert bouncetext.canonical_status("user_unknown", "5") == "5.1.1"


def test_recipient_falls_back_to_the_original_to() -> None:
    msg = make(
        {"subject": "Delivery failure"},
        text="Your message could not be delivered. 550 5.1.1 user unknown",
        sender="postmaster@mx.example",
        original_headers=Headers((("to", "Bob <bob@acme.example>"),)),
    )
    info = classify(msg).bounce
    assert info is not None and [r.address for r in info.recipients] == ["bob@acme.example"]


def test_original_message_id_sources() -> None:
    dsn_fields = Headers((("x-original-message-id", "<orig@seeker.example>"),))
    assert bounce.original_message_id(make(delivery_fields=dsn_fields)) == "<orig@seeker.example>"
    inline = make(text="error\n--- Below this line is a copy of the message.\nMessage-ID: <i@x>\n")
    assert bounce.original_message_id(inline) == "<i@x>"
    assert bounce.original_message_id(make(in_reply_to=("<r@x>",))) == "<r@x>"
    assert bounce.original_message_id(make()) is None


# ---------------------------------------------------------------- auto-replies


def test_auto_submitted_rule() -> None:
    assert autoreply.rule_auto_submitted(make({"auto-submitted": "auto-replied"}), "")
    assert autoreply.rule_auto_submitted(make({"auto-submitted": "no"}), "") is None
    bare = make({"auto-submitted": "auto-generated"})
    assert autoreply.rule_auto_submitted(bare, "") is None
    assert classify(bare).kind is Kind.AUTOMATED
    threaded = make({"auto-submitted": "auto-generated"}, in_reply_to=("<a@b>",))
    assert autoreply.rule_auto_submitted(threaded, "")


@pytest.mark.parametrize("header", ["x-autoreply", "x-autorespond", "x-autoresponse"])
def test_x_autoreply_rule(header: str) -> None:
    assert autoreply.rule_x_autoreply(make({header: "yes"}), "")
    assert autoreply.rule_x_autoreply(make({header: "no"}), "") is None


def test_precedence_and_exchange_rules() -> None:
    assert autoreply.rule_precedence(make({"precedence": "auto_reply"}), "")
    exchange = {"x-ms-exchange-inbox-rules-loop": "b@x", "x-auto-response-suppress": "All"}
    assert autoreply.rule_exchange(make({**exchange, "subject": "Interview"}), "")
    assert autoreply.rule_exchange(make({**exchange, "subject": "FW: Interview"}), "") is None
    only_suppress = make({"x-auto-response-suppress": "All", "subject": "hi"})
    assert classify(only_suppress).kind is Kind.PERSONAL


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: Interview", "Out of Office: Re: Hello", "Auto: Re: hi",
        "Abwesenheitsnotiz: Bewerbung", "Automatische Antwort: Ihre Nachricht",
        "Réponse automatique : Entretien", "Respuesta automática: Entrevista",
        "Risposta automatica: Colloquio", "Automatisch antwoord: Gesprek",
        "Resposta automática: Entrevista", "Out of office",
    ],
)  # fmt: skip
def test_subject_rule(subject: str) -> None:
    assert autoreply.rule_subject(make({"subject": subject}), "")


@pytest.mark.parametrize(
    "subject",
    ["RE: Automatic reply: Interview", "Out of office next week?", "Urlaubsplanung", "Absence"],
)
def test_subject_rule_leaves_people_alone(subject: str) -> None:
    assert autoreply.rule_subject(make({"subject": subject}), "") is None


def test_statement_and_machine_envelope_rules() -> None:
    assert autoreply.rule_statement(make(), "This is an automatic reply. I am away.")
    person = make({"return-path": "<jane@acme.example>"})
    assert autoreply.detect(person, "I'm out of the office until Friday, but yes!") is None
    null = make({"return-path": "<>"})
    assert autoreply.rule_machine_envelope(null, "I am on vacation until Friday.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm out of the office until 16 March.", date(2026, 3, 16)),
        ("I will be back on Monday, 16 March 2026.", date(2026, 3, 16)),
        ("Ich bin ab dem 16.03. wieder im Büro.", date(2026, 3, 16)),
        ("Ich bin bis 13.03.2026 nicht da, zurück am 16.03.", date(2026, 3, 16)),
        ("Je suis absent jusqu'au 20 mars.", date(2026, 3, 20)),
        ("De retour le 18 mars.", date(2026, 3, 18)),
        ("Estoy fuera hasta el 18 de marzo.", date(2026, 3, 18)),
        ("Sono assente fino al 17 marzo.", date(2026, 3, 17)),
        ("Ik ben afwezig tot en met 19 maart.", date(2026, 3, 19)),
        ("Estou de férias até 23 de março.", date(2026, 3, 23)),
        ("Back on 2026-03-23.", date(2026, 3, 23)),
        ("Back on Friday.", date(2026, 3, 13)),
        ("Back on 9/8.", None),
        ("Back on 16/03/2026.", date(2026, 3, 16)),
        ("Back on January 5.", date(2027, 1, 5)),
        ("I am away with no access to email.", None),
    ],
)  # fmt: skip
def test_return_date(text: str, expected: date | None) -> None:
    assert autoreply.return_date(text, date(2026, 3, 10)) == expected


def test_return_date_needs_a_reference() -> None:
    assert autoreply.return_date("back on 16 March", None) is None


@pytest.mark.parametrize(
    "text",
    [
        "Jane is no longer with Acme.", "I have left the company.",
        "Frau Weg ist nicht mehr bei uns tätig.", "Il ne fait plus partie de la société.",
        "Ya no trabaja en la empresa.", "Non lavora più con noi.",
        "Hij is niet meer werkzaam bij ons.", "Ela não faz mais parte da equipe.",
    ],
)  # fmt: skip
def test_left_company(text: str) -> None:
    msg = make({"auto-submitted": "auto-replied"}, text=text)
    info = classify(msg).auto_reply
    assert info is not None and info.left_company


def test_reports_are_not_auto_replies() -> None:
    mdn = make({"auto-submitted": "auto-replied"}, report_type="disposition-notification")
    assert classify(mdn).kind is Kind.AUTOMATED


# ---------------------------------------------------------------- invitations, automated


def _event(method: str) -> CalendarEvent:
    return CalendarEvent(method=method, uid="u1", sequence=3, start=WHEN)


def test_invitation_rule() -> None:
    request = classify(make(calendar=(_event("REQUEST"),)))
    assert request.kind is Kind.INVITATION and request.invitation is not None
    assert request.reason == "text/calendar METHOD:REQUEST (UID u1, SEQUENCE 3)"
    cancel = classify(make(calendar=(_event("CANCEL"),)))
    assert cancel.invitation is not None and cancel.invitation.method == "CANCEL"
    assert classify(make(calendar=(_event("REPLY"),))).kind is Kind.AUTOMATED


@pytest.mark.parametrize(
    ("method", "part_method", "start", "kind"),
    [
        ("", "", WHEN, Kind.INVITATION),
        ("PUBLISH", "REQUEST", WHEN, Kind.INVITATION),
        ("", "", None, Kind.PERSONAL),
        ("PUBLISH", "", WHEN, Kind.PERSONAL),
        ("PUBLISH", "PUBLISH", WHEN, Kind.PERSONAL),
    ],
)
def test_a_timed_event_without_method_or_published_as_a_request_invites(
    method: str, part_method: str, start: datetime | None, kind: Kind
) -> None:
    event = CalendarEvent(method=method, uid="u1", start=start, part_method=part_method)
    got = classify(make(calendar=(event,)))
    assert got.kind is kind
    if kind is Kind.INVITATION:
        assert got.invitation is not None and got.invitation.method == "REQUEST"


def test_a_cancelled_event_without_method_is_a_cancel() -> None:
    event = CalendarEvent(method="", uid="u1", start=WHEN, status="CANCELLED")
    got = classify(make(calendar=(event,)))
    assert got.invitation is not None and got.invitation.method == "CANCEL"


@pytest.mark.parametrize(
    ("message", "rule"),
    [
        (make({"list-id": "<x.lists.example>"}), automated.rule_list),
        (make({"list-unsubscribe": "<mailto:u@x>"}), automated.rule_list),
        (make({"precedence": "bulk"}), automated.rule_precedence),
        (make({"precedence": "junk"}), automated.rule_precedence),
        (make(report_type="feedback-report"), automated.rule_feedback_report),
        (make(part_types=("message/disposition-notification",)), automated.rule_read_receipt),
        (make(report_type="delivery-status"), automated.rule_delivery_confirmation),
        (make(sender="noreply@acme.example"), automated.rule_machine_sender),
        (make(sender="jobs@hire.lever.co"), automated.rule_machine_sender),
        (make({"return-path": "<>"}), automated.rule_null_sender),
    ],
)
def test_automated_rules(message: Message, rule: Any) -> None:
    assert rule(message)
    assert classify(message).kind is Kind.AUTOMATED


def test_ats_sender_with_a_person_in_reply_to_is_personal() -> None:
    msg = make(sender="no-reply@greenhouse.io", reply_to=(Address("jane@acme.example"),))
    assert automated.rule_machine_sender(msg) is None
    assert classify(msg).kind is Kind.PERSONAL


# ---------------------------------------------------------------- personal, misc


def test_personal_signals_come_from_new_text_only() -> None:
    text = "Thanks!\n\nOn Mon, 9 Mar 2026, Bob <b@x.example> wrote:\n> we regret to inform you"
    got = classify(make({"subject": "Re: hi"}, text=text))
    assert got.kind is Kind.PERSONAL and got.signals == ()


def test_reference_time_is_used_without_a_date() -> None:
    msg = make(text="We will get back to you by Friday.", date=None)
    assert classify(msg).reply_by is None
    got = classify(msg, reference_time=datetime(2026, 3, 16, tzinfo=UTC))
    assert got.reply_by == date(2026, 3, 20)


def test_quarantined() -> None:
    got = quarantined("empty message")
    assert got.kind is Kind.QUARANTINE and got.reason == "unparseable: empty message"


@pytest.mark.parametrize(
    ("text", "introduces"),
    [
        ("Jane, let me introduce you to Priya, who runs our platform team.", True),
        ("Introducing you two: Priya leads platform, Jane is great.", True),
        ("I'm cc'ing her here so you can connect.", True),
        ("Je vous présente Priya, qui dirige l'équipe plateforme.", True),
        ("Ich möchte Ihnen Priya vorstellen.", True),
        ("Great to meet you yesterday! Copying my colleague on logistics.", False),
        ("This bounced when I tried to introduce you. I'll find his new address.", False),
        ("Ich kann mir vorstellen, dass das passt.", False),
    ],
)
def test_introductions_are_a_signal(text: str, introduces: bool) -> None:
    assert ("introduction" in phrases.signals_of(text)) is introduces
