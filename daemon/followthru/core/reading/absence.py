"""What an auto-reply says about the absence: when the person is back, or that they left.

The return date is read after a "back on"/"until" word (or, in Finnish, Japanese and
Chinese, before one), relative to the message's own date, with slashed dates ordered by the
message's language; X-Apple-Criteria gives it when the text names none. "Left the company"
is read from wording in the languages autoreply.py and awaytext.py know.

Invariants: pure; reads the auto-reply's own (unquoted) text; the return date is None
unless stated unambiguously.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from itertools import islice

from followthru.core.reading import awaytext, dates, language
from followthru.core.reading.message import Message

MAX_SCAN = 8 * 1024
MAX_ANCHORS = 30

LEFT_COMPANY = re.compile(
    r"""no\ longer\ (?:with|employed|work(?:s|ing)?\ (?:at|for|with)|part\ of|at)\b
      | (?:has|have)\ left\ (?:the\ |our\ )?(?:company|organi[sz]ation|firm|business)
      | (?:has|have)\ left\ \w+(?:\ \w+)?\ (?:as\ of|effective)|last\ day\ (?:at|with)
      | this\ (?:e-?mail\ )?(?:address|mailbox)\ is\ no\ longer\ (?:in\ use|active|valid)
      | nicht\ mehr\ (?:bei|für|im\ unternehmen|in\ unserem\ unternehmen|beschäftigt|tätig)
      | (?:hat|habe)\ (?:das\ unternehmen|die\ firma|uns)\ verlassen
      | ne\ fait\ plus\ partie|n'est\ plus\ (?:au\ sein|chez|employée?|en\ poste)
      | a\ quitté\ (?:la\ société|l'entreprise|notre\ entreprise|l'organisation)
      | ya\ no\ (?:trabaja|forma\ parte|está\ en|pertenece)|(?:ha\ )?dejado\ la\ empresa
      | non\ fa\ più\ parte|non\ lavora\ più|ha\ lasciato\ (?:l'azienda|la\ società)
      | niet\ (?:meer|langer)\ werkzaam|is\ uit\ dienst|niet\ meer\ in\ dienst
      | heeft\ (?:het\ bedrijf|de\ organisatie|ons)\ verlaten
      | não\ faz\ mais\ parte|já\ não\ faz\ parte|não\ trabalha\ mais|deixou\ a\ empresa
      | (?:address|mailbox|inbox|account)\ is\ no\ longer\ (?:being\ )?(?:monitored|read)""",
    re.I | re.X,
)
# "Tom has left Initrode": a capitalised name after "has left" (case-sensitive, so "has left
# the office" or "has left for the day" do not count).
LEFT_NAMED = re.compile(
    r"\b(?:has|have) left (?!(?:The|This|Our|My|For|Today|Early|Office)\b)[A-Z][\w&.'-]+"
)
_RETURN_ANCHOR = re.compile(
    r"""\b(?:back|return(?:ing|s)?|be\ in\ the\ office|in\ the\ office|reachable\ again
        |available\ again|resume|zurück|wieder|ab\ dem|ab|de\ retour|retour|à\ partir\ du
        |dès\ le|de\ vuelta|regreso|regresaré|volveré|a\ partir\ del|rientro|rientrerò
        |di\ ritorno|tornerò|a\ partire\ dal|terug|weer\ aanwezig|vanaf|de\ volta|retorno
        |retornarei|a\ partir\ d[eo])\b"""
    rf"|(?<!\w)(?:{awaytext.RETURN_BEFORE})(?!\w)",
    re.I | re.X,
)
_UNTIL_ANCHOR = re.compile(
    r"""\b(?:until|till|til|through|thru|bis(?:\ einschließlich|\ zum|\ zur|\ und\ mit)?
        |jusqu['’]\ ?(?:au|à)|hasta(?:\ el)?|fino\ al?|tot\ en\ met|t/m|tot|até(?:\ o\ dia)?)
        (?=\W)"""
    rf"|(?<!\w)(?:{awaytext.UNTIL_BEFORE})(?!\w)",
    re.I | re.X,
)


@dataclass(frozen=True, slots=True)
class AutoReplyInfo:
    return_date: date | None
    left_company: bool


def _anchored(text: str, anchor: re.Pattern[str], ref: date, order: str) -> date | None:
    for m in islice(anchor.finditer(text), MAX_ANCHORS):
        found = dates.date_at(text, m.end(), ref, window=45, order=order, past=True)
        if found is not None:
            return found.value
    return None


def _trailed(text: str, anchor: re.Pattern[str], ref: date, order: str) -> date | None:
    """A date just before its anchor ("3月17日に出社", "17.3. asti"): the anchor is found
    first, so texts without one cost one search."""
    for m in islice(anchor.finditer(text), MAX_ANCHORS):
        start = max(0, m.start() - 30)
        found = dates.date_before(text[start : m.start()], ref, order=order, past=True)
        if found is not None:
            return found
    return None


_SLASHED = re.compile(r"\d/\d")


def return_date(text: str, ref: date | None, content_language: str = "") -> date | None:
    """The stated return date: "back on ..." wins over "until ..."; None if unstated.
    Slashed dates are read day-first or month-first by the message's Content-Language
    when it settles it (en-US, it), else by the text's language."""
    if ref is None:
        return None
    head = text[:MAX_SCAN]
    order = ""
    if _SLASHED.search(head):
        order = language.tag_order(content_language) or language.date_order(head)
    return (
        _anchored(head, _RETURN_ANCHOR, ref, order)
        or _trailed(head, awaytext.RETURN_AFTER, ref, order)
        or _anchored(head, _UNTIL_ANCHOR, ref, order)
        or _trailed(head, awaytext.UNTIL_AFTER, ref, order)
    )


def left_company(text: str) -> bool:
    """ "No longer with the company", "has left Initrode", "mailbox no longer monitored"."""
    head = text[:MAX_SCAN]
    return bool(LEFT_COMPANY.search(head) or LEFT_NAMED.search(head))


_HEADER_DATE = re.compile(r"(?<!\d)(20\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?!\d)")


def header_return_date(msg: Message, ref: date | None) -> date | None:
    """The end of the away period an iCloud vacation reply states in X-Apple-Criteria: the
    latest date the header names (its start and end are both there), when plausible. Read
    only when the text states no date: a person's "back on Monday" says more."""
    value = msg.header("x-apple-criteria")
    if ref is None or not value:
        return None
    found = []
    for m in islice(_HEADER_DATE.finditer(value), MAX_ANCHORS):
        try:
            found.append(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        except ValueError:
            continue
    latest = max(found, default=None)
    return latest if latest is not None and dates.plausible(latest, ref, past=True) else None


def read_auto_reply(msg: Message, new: str, ref: date | None) -> AutoReplyInfo:
    """Return date and "left the company" from the auto-reply's own (unquoted) text, the
    return date from X-Apple-Criteria when the text names none."""
    scan = f"{msg.subject}\n{new}"
    when = return_date(scan, ref, msg.header("content-language")) or header_return_date(msg, ref)
    return AutoReplyInfo(when, left_company(scan))
