"""Is this an auto-reply (RFC 3834, vendor markers, wording)? What it says is absence.py's.

Rules, in order: Auto-Submitted (anything but "no", unless nothing says it answers a
message: then it is a notification, see automated.py), X-Autoreply-style headers,
Precedence: auto_reply, Exchange inbox-rule markers, an out-of-office subject, an explicit
"this is an automatic reply" opening, out-of-office or acknowledgement wording from a null
or bulk sender. `helpdesk_answer` is the one way back: a person's answer sent through a
helpdesk that stamps Auto-Submitted on everything. Languages: English, German, French,
Spanish, Italian, Dutch, Portuguese here; more in awaytext.py.

Invariants: pure; a person's reply that merely mentions being away is never an auto-reply
(body wording alone needs a machine envelope). AutoReplyInfo, read_auto_reply, return_date
and left_company are re-exported from absence.py for the callers that know them here.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from followthru.core.reading import automated, awaytext
from followthru.core.reading.absence import (
    LEFT_COMPANY,
    AutoReplyInfo,
    left_company,
    read_auto_reply,
    return_date,
)
from followthru.core.reading.bounce import is_null_sender
from followthru.core.reading.message import Message

OOO_SUBJECT = re.compile(
    r"""^\s*(?:\[[^\]]{0,40}\]\s*)?(?:
        \[\s*(?:auto[\ -]?reply|auto[\ -]?response|out\ of\ (?:the\ )?office|ooo)\s*\]()
      | auto(?:matic|mated)?[\ -]?(?:reply|response|answer|antwort|respon\w*)|auto
      | autoreply|out\ of\ (?:the\ )?office(?:\ reply|\ autoreply|\ notice)?|ooo
      | away\ from\ (?:the\ |my\ )?office|vacation\ (?:reply|notice|message|response)
      | abwesenheitsnotiz|abwesenheit|abwesend|automatische\ (?:antwort|rückantwort)
      | außer\ haus|ausser\ haus|nicht\ im\ büro
      | réponse\ automatique|reponse\ automatique|message\ d'absence|absence\ du\ bureau
      | hors\ du\ bureau|respuesta\ automática|respuesta\ automatica|fuera\ de\ la\ oficina
      | risposta\ automatica|fuori\ ufficio|automatisch\ antwoord|afwezigheidsmelding
      | buiten\ kantoor|resposta\ automática|resposta\ automatica|fora\ do\ escritório
      | mensagem\ de\ ausência
    )(?(1)|\s*(?::|$|\(|\[|-\s|–))""",
    re.I | re.X,
)
AUTOMATIC_STATEMENT = re.compile(
    r"""this\ is\ an?\ auto(?:matic(?:ally\ generated)?|mated|-generated)?[\ -]?(?:reply
          |response|answer)
      | (?:dies\ ist\ eine|diese\ nachricht\ ist\ eine)\ automatische\ (?:antwort|rückantwort)
      | ceci\ est\ une\ réponse\ automatique|esta\ es\ una\ respuesta\ automática
      | questa\ è\ una\ risposta\ automatica|dit\ is\ een\ automatisch\ antwoord
      | esta\ é\ uma\ resposta\ automática""",
    re.I | re.X,
)
OOO_BODY = re.compile(
    r"""out\ of\ (?:the\ )?office|on\ (?:annual\ |parental\ |sick\ )?(?:vacation|holiday|leave)
      | away\ from\ (?:the\ |my\ )?(?:office|desk)|limited\ access\ to\ (?:my\ )?e-?mail
      | currently\ away|will\ be\ away|am\ away|i'm\ away|i\ am\ currently\ out
      | nicht\ im\ büro|abwesend|im\ urlaub|außer\ haus|nicht\ erreichbar
      | absente?\ du\ bureau|en\ congés?|je\ suis\ absente?|en\ vacances
      | fuera\ de\ la\ oficina|de\ vacaciones|estoy\ ausente
      | fuori\ ufficio|in\ ferie|sono\ assente
      | afwezig|met\ vakantie|niet\ op\ kantoor
      | fora\ do\ escritório|de\ férias|estou\ ausente""",
    re.I | re.X,
)
_SUBMITTED_RESPONSE = ("auto-replied", "vacation", "auto-notified")
_XHEADERS = ("x-autoreply", "x-autorespond", "x-autoresponse", "x-autoresponder", "x-vacation")


def _is_response(msg: Message) -> bool:
    """It answers one message: threaded, and not list or bulk mail."""
    threaded = bool(msg.in_reply_to or msg.references)
    bulk = msg.header("precedence").strip().lower() in ("bulk", "list", "junk")
    listed = msg.headers.has("list-id") or msg.headers.has("list-unsubscribe")
    return threaded and not (bulk or listed)


_REPLY_SUBJECT = re.compile(r"^\s*(?:\[[^\]]{0,40}\]\s*)?(?:re|aw|sv|vs|antw|r|rif)\s*:", re.I)


def says_it_is_away(msg: Message, new: str) -> bool:
    """Out-of-office subject or wording, an acknowledgement, or "this is an automatic reply"."""
    head = new[:2000]
    if OOO_SUBJECT.match(msg.subject) or awaytext.SUBJECT.match(msg.subject):
        return True
    patterns = (OOO_BODY, awaytext.AWAY_BODY, awaytext.ACKNOWLEDGEMENT, AUTOMATIC_STATEMENT)
    return any(p.search(head) for p in patterns) or bool(awaytext.STATEMENT.search(head))


def rule_auto_submitted(msg: Message, new: str) -> str | None:
    """RFC 3834: anything but "no" is automatic. It is an auto-*reply* when something says it
    answers a message (a response value, threading, a Re: subject, away or acknowledgement
    wording); an unthreaded auto-generated notice that says none of that is a notification."""
    value = msg.header("auto-submitted").strip().lower()
    if not value or value.startswith("no"):
        return None
    reason = f"Auto-Submitted: {value.split(';')[0]}"
    if value.startswith(_SUBMITTED_RESPONSE) or _is_response(msg):
        return reason
    # Unthreaded: list mail and no-reply/ATS senders answer nobody (their "thank you for
    # your application" is a notification); anyone else's acknowledgement is a reply.
    if msg.headers.has("list-id") or (msg.sender is not None and automated.is_machine(msg.sender)):
        return None
    if _REPLY_SUBJECT.match(msg.subject) or says_it_is_away(msg, new):
        return reason
    return None


def rule_x_autoreply(msg: Message, new: str) -> str | None:
    for name in _XHEADERS:
        value = msg.header(name).strip().lower()
        if msg.headers.has(name) and value not in ("no", "false", "0"):
            return f"{name} header"
    if msg.header("x-apple-action").lower() == "vacation":
        return "X-Apple-Action: vacation"
    if msg.header("x-autogenerated").lower() == "reply":
        return "X-Autogenerated: Reply"
    return None


def rule_precedence(msg: Message, new: str) -> str | None:
    if msg.header("precedence").strip().lower() == "auto_reply":
        return "Precedence: auto_reply"
    return None


def rule_exchange(msg: Message, new: str) -> str | None:
    """Exchange inbox-rule replies carry both headers (Zammad's test); forwards are not OOO."""
    heads = msg.headers
    if not (heads.has("x-ms-exchange-inbox-rules-loop") and heads.has("x-auto-response-suppress")):
        return None
    if re.match(r"^\s*(?:fw|fwd|wg|tr)\s*:", msg.subject, re.I):
        return None
    return "Exchange inbox-rule reply (X-MS-Exchange-Inbox-Rules-Loop)"


def rule_subject(msg: Message, new: str) -> str | None:
    m = OOO_SUBJECT.match(msg.subject) or awaytext.SUBJECT.match(msg.subject)
    return f"out-of-office subject ({m.group(0).strip()!r})" if m else None


def rule_statement(msg: Message, new: str) -> str | None:
    head = new[:1500]
    if msg.headers.has("list-id"):
        return None
    if AUTOMATIC_STATEMENT.search(head) or awaytext.STATEMENT.search(head):
        return "states it is an automatic reply"
    return None


def rule_machine_envelope(msg: Message, new: str) -> str | None:
    """Out-of-office wording counts only from a null or bulk envelope (never a person)."""
    precedence = msg.header("precedence").strip().lower()
    if not (is_null_sender(msg) or precedence in ("bulk", "junk")) or msg.headers.has("list-id"):
        return None
    head = new[:2000]
    patterns = (OOO_BODY, awaytext.AWAY_BODY, LEFT_COMPANY, awaytext.ACKNOWLEDGEMENT)
    if any(p.search(head) for p in patterns):
        return f"out-of-office wording from a {'null' if is_null_sender(msg) else 'bulk'} sender"
    return None


RULES: tuple[Callable[[Message, str], str | None], ...] = (
    rule_auto_submitted,
    rule_x_autoreply,
    rule_precedence,
    rule_exchange,
    rule_subject,
    rule_statement,
    rule_machine_envelope,
)


def _through_helpdesk(msg: Message) -> bool:
    heads = msg.headers
    if any(k.startswith(awaytext.HELPDESK_HEADER_PREFIXES) for k, _ in heads.items):
        return True
    mailer = heads.get("x-mailer")
    return bool(awaytext.HELPDESK_MAILER.search(mailer)) or bool(
        awaytext.HELPDESK_BODY.search(msg.text[:2000])
    )


def helpdesk_answer(msg: Message, new: str) -> str | None:
    """A person's answer sent through a helpdesk, which stamps Auto-Submitted: auto-generated
    on agents' replies and on its own notices alike: helpdesk marks, threaded to the user's
    message, and text that is neither away, an acknowledgement nor "automatic reply"."""
    if not msg.header("auto-submitted").strip().lower().startswith("auto-generated"):
        return None
    if not (msg.in_reply_to or msg.references) or not _through_helpdesk(msg):
        return None
    if says_it_is_away(msg, new) or LEFT_COMPANY.search(new[:2000]) or not new.strip():
        return None
    return "a person's answer sent through a helpdesk (Auto-Submitted stamped on every reply)"


def detect(msg: Message, new: str) -> str | None:
    """The reason this message is an auto-reply (`new`: its unquoted text), or None."""
    if msg.report_type or msg.delivery_status:
        return None  # reports (DSN, MDN, ARF) are automated, not replies
    for rule in RULES:
        reason = rule(msg, new)
        if reason:
            return reason
    return None


__all__ = [
    "AutoReplyInfo",
    "detect",
    "helpdesk_answer",
    "left_company",
    "read_auto_reply",
    "return_date",
]
