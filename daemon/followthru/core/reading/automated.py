"""Automated mail: lists, bulk, notifications, feedback reports, delivery confirmations.

Rules, in order: mailing-list headers, Precedence, feedback reports (ARF), read receipts
(MDN), delivery confirmations (DSN actions delivered/relayed/expanded), calendar replies,
Auto-Submitted notifications, no-reply and ATS senders, null envelope senders.
Invariants: pure; a no-reply/ATS sender whose Reply-To is a person is not automated
(recruiters write through ATS systems; the reply goes to them).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from followthru.core.reading.bounce import is_daemon_sender, is_null_sender
from followthru.core.reading.message import Address, Message

NOREPLY_LOCAL = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply|noreply[-_.].*|.*[-_.]noreply"
    r"|.*[-_.]no[-_.]reply|notifications?|notify|alerts?|mailer|news(?:letter)?|updates?"
    r"|automated|auto|system|bounces?|info-noreply|jobs-noreply|invitations?|calendar-notification"
    r"|digest|marketing)(?:[+].*)?$"
)
ATS_DOMAINS = (
    "greenhouse.io", "greenhouse-mail.io", "lever.co", "hire.lever.co", "myworkday.com",
    "workday.com", "smartrecruiters.com", "icims.com", "taleo.net", "jobvite.com",
    "ashbyhq.com", "bamboohr.com", "recruitee.com", "workablemail.com", "workable.com",
    "personio.de", "personio.com", "teamtailor.com", "teamtailor-mail.com",
    "successfactors.com", "successfactors.eu", "breezy.hr", "jazzhr.com", "applytojob.com",
    "linkedin.com", "indeed.com", "indeedemail.com", "glassdoor.com", "hibob.com",
    "rippling.com", "pinpointhq.com", "join.com", "stepstone.de", "xing.com",
)  # fmt: skip
_DELIVERED = ("delivered", "relayed", "expanded")


def is_machine(addr: Address) -> bool:
    """A no-reply, notification or ATS address: nobody reads what is sent to it."""
    domain = addr.domain
    ats = any(domain == d or domain.endswith("." + d) for d in ATS_DOMAINS)
    return ats or bool(NOREPLY_LOCAL.match(addr.local))


def rule_list(msg: Message) -> str | None:
    for name in ("list-id", "list-unsubscribe", "list-post"):
        if msg.headers.has(name):
            return f"mailing list ({name.title()})"
    return None


def rule_precedence(msg: Message) -> str | None:
    value = msg.header("precedence").strip().lower()
    return f"Precedence: {value}" if value in ("bulk", "list", "junk") else None


def rule_feedback_report(msg: Message) -> str | None:
    if msg.report_type == "feedback-report" or "message/feedback-report" in msg.part_types:
        return "feedback report (ARF)"
    return None


def rule_read_receipt(msg: Message) -> str | None:
    mdn = "message/disposition-notification" in msg.part_types
    if msg.report_type == "disposition-notification" or mdn:
        return "read receipt (disposition notification)"
    return None


def rule_delivery_confirmation(msg: Message) -> str | None:
    actions = {ds.action.split()[0] for ds in msg.delivery_status if ds.action}
    if actions and actions <= set(_DELIVERED):
        return f"delivery confirmation (Action: {', '.join(sorted(actions))})"
    if msg.report_type == "delivery-status" and not msg.delivery_status:
        return "delivery report without failed recipients"
    return None


def rule_calendar_reply(msg: Message) -> str | None:
    methods = {ev.method for ev in msg.calendar}
    if methods & {"REPLY", "COUNTER", "DECLINECOUNTER", "REFRESH"}:
        return f"calendar {'/'.join(sorted(methods))} (an answer to an invitation)"
    return None


def rule_auto_submitted(msg: Message) -> str | None:
    value = msg.header("auto-submitted").strip().lower()
    if value and not value.startswith("no"):
        return f"notification (Auto-Submitted: {value.split(';')[0]})"
    return None


def rule_machine_sender(msg: Message) -> str | None:
    sender = msg.sender
    if sender is None or not is_machine(sender):
        return None
    if any(not is_machine(a) for a in msg.reply_to):
        return None
    return f"notification from {sender.addr}"


def rule_null_sender(msg: Message) -> str | None:
    if is_null_sender(msg) or is_daemon_sender(msg):
        return "system message (null envelope sender or mail-server sender)"
    return None


RULES: tuple[Callable[[Message], str | None], ...] = (
    rule_list,
    rule_precedence,
    rule_feedback_report,
    rule_read_receipt,
    rule_delivery_confirmation,
    rule_calendar_reply,
    rule_auto_submitted,
    rule_machine_sender,
    rule_null_sender,
)


def detect(msg: Message) -> str | None:
    """The reason this message is automated, or None."""
    for rule in RULES:
        reason = rule(msg)
        if reason:
            return reason
    return None
