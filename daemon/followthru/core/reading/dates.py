"""Dates written in mail text, read relative to the message's own date.

Languages: English, German, French, Spanish, Italian, Dutch, Portuguese month and weekday
names; numeric forms (ISO, d.m.y, slashes, Japanese/Chinese 3月16日) in any language.
Invariants: pure; no clock (the reference date is the message's own date, a parameter); a
date that cannot be read unambiguously is None ("9/8/2026" when the text's language does not
say which part is the day); every date returned lies within [reference - 1 day, reference +
400 days], or, with `past=True` (return dates: a stale out-of-office may name a day already
gone), within [reference - PAST_DAYS, reference + 400 days].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "jänner", "janvier", "enero", "gennaio", "januari", "janeiro"),
    2: (
        "february",
        "feb",
        "februar",
        "février",
        "fevrier",
        "febrero",
        "febbraio",
        "februari",
        "fevereiro",
        "fév",
        "fev",
    ),
    3: ("march", "mar", "märz", "maerz", "mars", "marzo", "maart", "março", "marco", "mrt"),
    4: ("april", "apr", "avril", "abril", "aprile", "avr", "abr"),
    5: ("may", "mai", "mayo", "maggio", "mei", "maio", "mag"),
    6: ("june", "jun", "juni", "juin", "junio", "giugno", "junho", "giu"),
    7: ("july", "jul", "juli", "juillet", "julio", "luglio", "julho", "juil", "lug"),
    8: ("august", "aug", "août", "aout", "agosto", "augustus", "ago"),
    9: (
        "september",
        "sep",
        "sept",
        "septembre",
        "septiembre",
        "setiembre",
        "settembre",
        "setembro",
        "set",
    ),
    10: (
        "october",
        "oct",
        "oktober",
        "octobre",
        "octubre",
        "ottobre",
        "outubro",
        "okt",
        "ott",
        "out",
    ),
    11: ("november", "nov", "novembre", "noviembre", "novembro"),
    12: (
        "december",
        "dec",
        "dezember",
        "décembre",
        "decembre",
        "diciembre",
        "dicembre",
        "dezembro",
        "dez",
        "dic",
        "déc",
    ),
}
_WEEKDAYS: dict[int, tuple[str, ...]] = {
    0: (
        "monday",
        "montag",
        "lundi",
        "lunes",
        "lunedì",
        "lunedi",
        "maandag",
        "segunda-feira",
        "segunda",
    ),
    1: (
        "tuesday",
        "dienstag",
        "mardi",
        "martes",
        "martedì",
        "martedi",
        "dinsdag",
        "terça-feira",
        "terça",
        "terca",
    ),
    2: (
        "wednesday",
        "mittwoch",
        "mercredi",
        "miércoles",
        "miercoles",
        "mercoledì",
        "mercoledi",
        "woensdag",
        "quarta-feira",
        "quarta",
    ),
    3: (
        "thursday",
        "donnerstag",
        "jeudi",
        "jueves",
        "giovedì",
        "giovedi",
        "donderdag",
        "quinta-feira",
        "quinta",
    ),
    4: (
        "friday",
        "freitag",
        "vendredi",
        "viernes",
        "venerdì",
        "venerdi",
        "vrijdag",
        "sexta-feira",
        "sexta",
    ),
    5: ("saturday", "samstag", "sonnabend", "samedi", "sábado", "sabado", "sabato", "zaterdag"),
    6: ("sunday", "sonntag", "dimanche", "domingo", "domenica", "zondag"),
}
MONTH_NUMBER = {name: num for num, names in _MONTHS.items() for name in names}
WEEKDAY_NUMBER = {name: num for num, names in _WEEKDAYS.items() for name in names}


def _alternation(names: list[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


_MONTH = _alternation(list(MONTH_NUMBER))
_WEEKDAY = _alternation(list(WEEKDAY_NUMBER))
_ORD = r"(?:st|nd|rd|th|er|e|º|°|\.)?"
_YEAR = r"(?:,?\s*(?:de\s+|del\s+)?'?(\d{4}|\d{2})(?!\d|:))?"
_WD_PREFIX = rf"(?:(?:{_WEEKDAY})[.,]?\s+(?:(?:the|den|le|el|il|de)\s+)?)?"

DATE_EXPR = re.compile(
    rf"""{_WD_PREFIX}(?:
        (?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}})
      | (?P<dd>\d{{1,2}})\.\s?(?P<dm>\d{{1,2}})\.(?P<dy>\d{{4}}|\d{{2}}(?!\d))?
      | (?P<sa>\d{{1,2}})/(?P<sb>\d{{1,2}})(?:/(?P<sy>\d{{4}}|\d{{2}}))?(?![\d/])
      | (?P<nd>\d{{1,2}}){_ORD}\s*(?:de\s+|of\s+|di\s+)?(?P<nm>{_MONTH})\b\.?{_YEAR}
      | (?P<mm>{_MONTH})\b\.?\s+(?:the\s+)?(?P<md>\d{{1,2}})(?:st|nd|rd|th)?\b{_YEAR}
      | (?:(?P<cy>\d{{4}})\s*年\s*)?(?P<cm>\d{{1,2}})\s*月\s*(?P<cd>\d{{1,2}})\s*[日号號]
      | the\s+(?P<od>\d{{1,2}})(?:st|nd|rd|th)\b(?!\s*(?:of\s+)?(?:{_MONTH})\b)
      | (?P<wn>next\s+|nächsten\s+|kommenden\s+|prochain\s+|próximo\s+|prossimo\s+|volgende\s+)?
        (?P<wd>{_WEEKDAY})\b
    )""",
    re.I | re.X,
)


@dataclass(frozen=True, slots=True)
class Found:
    """A date read from text and where it ended (to check what follows it)."""

    value: date
    end: int


# How far back a year-less return date may lie and still be "already past" rather than next
# year's: a month covers an out-of-office left on after its date ("back on 2 January" sent on
# 5 January); "back on January 5" sent in March still means next January.
PAST_DAYS = 31


def _year(text: str | None, month: int, day: int, ref: date, past: bool = False) -> date | None:
    """The full date; with no year, the next such day on or after ref (allowing 2 days back),
    or with `past`, the one nearest ref in the message's own frame: "back on 2 January" in a
    message of 5 January is a day already gone, not one next year."""
    try:
        if text:
            year = int(text) + (2000 if len(text) == 2 else 0)
            return date(year, month, day)
        guess = date(ref.year, month, day)
    except ValueError:
        return None
    if past:
        return _nearest(guess, ref)
    if guess < ref - timedelta(days=2):
        try:
            guess = date(ref.year + 1, month, day)
        except ValueError:
            return None
    return guess


def _nearest(guess: date, ref: date) -> date | None:
    """The same month and day no more than PAST_DAYS before ref and less than a year after."""
    try:
        if guess < ref - timedelta(days=PAST_DAYS):
            return guess.replace(year=guess.year + 1)
        if guess > ref + timedelta(days=365 - PAST_DAYS):
            return guess.replace(year=guess.year - 1)
    except ValueError:  # 29 February
        return None
    return guess


def _slash(a: str, b: str, year: str | None, ref: date, order: str, past: bool) -> date | None:
    """d/m or m/d: readable when one part cannot be a month, both agree, or the text's
    language settles the order (`order` "dmy" or "mdy"; "" when it does not)."""
    x, y = int(a), int(b)
    if x == y or y > 12 >= x or (order == "mdy" and max(x, y) <= 12):
        return _year(year, x, y, ref, past)
    if x > 12 >= y or (order == "dmy" and max(x, y) <= 12):
        return _year(year, y, x, ref, past)
    return None


def _day_of_month(day: int, ref: date) -> date | None:
    """ "On the 23rd": that day of ref's month, or of the next month once it has passed."""
    year, month = ref.year, ref.month
    if day < ref.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def next_weekday(ref: date, weekday: int) -> date:
    """The first such weekday strictly after ref."""
    ahead = (weekday - ref.weekday()) % 7 or 7
    return ref + timedelta(days=ahead)


def _from_match(m: re.Match[str], ref: date, order: str = "", past: bool = False) -> date | None:
    g = m.groupdict()
    if g["iy"]:
        return _year(g["iy"], int(g["im"]), int(g["id"]), ref)
    if g["wd"]:
        return next_weekday(ref, WEEKDAY_NUMBER[g["wd"].lower()])
    if g["od"]:
        return _day_of_month(int(g["od"]), ref)
    return _numbered(m, g, ref, order, past)


def _numbered(
    m: re.Match[str], g: dict[str, str], ref: date, order: str, past: bool
) -> date | None:
    """A day and a month, written with digits or a month name (the year is optional)."""
    if g["dd"]:
        return _year(g["dy"], int(g["dm"]), int(g["dd"]), ref, past)
    if g["sa"]:
        return _slash(g["sa"], g["sb"], g["sy"], ref, order, past)
    if g["nd"]:
        year = m.group(m.re.groupindex["nm"] + 1)
        return _year(year, MONTH_NUMBER[g["nm"].lower()], int(g["nd"]), ref, past)
    if g["mm"]:
        year = m.group(m.re.groupindex["md"] + 1)
        return _year(year, MONTH_NUMBER[g["mm"].lower()], int(g["md"]), ref, past)
    return _year(g["cy"], int(g["cm"]), int(g["cd"]), ref, past)


def plausible(value: date | None, ref: date, past: bool = False) -> bool:
    earliest = ref - timedelta(days=PAST_DAYS if past else 1)
    return value is not None and earliest <= value <= ref + timedelta(days=400)


def date_at(
    text: str, pos: int, ref: date, *, window: int = 40, order: str = "", past: bool = False
) -> Found | None:
    """The first readable date starting within `window` characters after `pos`."""
    for m in DATE_EXPR.finditer(text, pos, min(len(text), pos + window + 60)):
        if m.start() - pos > window:
            return None
        value = _from_match(m, ref, order, past)
        if value is None:
            return None
        if plausible(value, ref, past):
            return Found(value, m.end())
        return None
    return None


def date_before(text: str, ref: date, *, order: str = "", past: bool = False) -> date | None:
    """The readable, plausible date that ends `text` (up to a few spaces or particles)."""
    last = None
    for m in DATE_EXPR.finditer(text):
        last = m
    if last is None or len(text) - last.end() > 4:
        return None
    value = _from_match(last, ref, order, past)
    return value if plausible(value, ref, past) else None


_RELATIVE = re.compile(
    r"""(?P<tomorrow>tomorrow|morgen|demain|mañana|manana|domani|amanhã|amanha)\b
      | (?P<eonw>end\ of\ next\ week|ende\ nächster\ woche|ende\ der\ nächsten\ woche
          |fin\ de\ la\ semaine\ prochaine|finales\ de\ la\ próxima\ semana
          |fine\ della\ prossima\ settimana|eind\ volgende\ week|final\ da\ próxima\ semana)
      | (?P<eow>(?:the\ )?end\ of\ (?:the|this)\ week|ende\ (?:der|dieser)\ woche
          |fin\ de\ (?:la\ )?semaine|finales\ de\ (?:la|esta)\ semana|fin\ de\ semana
          |fine\ (?:della\ )?settimana|eind\ van\ de\ week|eind\ deze\ week
          |final\ d[ae]\ semana|fim\ d[ae]\ semana)
      | (?:within|in|innerhalb\ von|in\ den\ nächsten|sous|dans|dentro\ de|en|en\ los\ próximos
          |entro|binnen|em|nos\ próximos)\s+(?P<n>\d{1,2}|one|two|three|four|five|a|zwei|drei
          |deux|trois|dos|tres|due|tre|twee|drie|duas|uma|um|una|une|eine|einer|un)\s+
          (?P<business>business\ |working\ |Werk|Arbeits|jours\ ouvrés|días\ hábiles
          |giorni\ lavorativi|werk|dias\ úteis)?
          (?P<unit>days?|weeks?|tage?n?|wochen?|jours?|semaines?|días|dias|semanas?
          |giorni|settimane?|dagen|dag|weken|week)\b
""",
    re.I | re.X,
)
_COUNT = {
    "one": 1, "a": 1, "un": 1, "una": 1, "une": 1, "uma": 1, "um": 1, "eine": 1, "einer": 1,
    "two": 2, "zwei": 2, "deux": 2, "dos": 2, "due": 2, "twee": 2, "duas": 2,
    "three": 3, "drei": 3, "trois": 3, "tres": 3, "tre": 3, "drie": 3,
    "four": 4, "five": 5,
}  # fmt: skip
_WEEK_UNITS = frozenset(
    ("week", "weeks", "woche", "wochen", "semaine", "semaines", "semana", "semanas",
     "settimana", "settimane", "weken")
)  # fmt: skip


def _friday(ref: date, weeks_ahead: int) -> date:
    monday = ref - timedelta(days=ref.weekday())
    friday = monday + timedelta(days=4 + 7 * weeks_ahead)
    return friday if friday >= ref else friday + timedelta(days=7)


def _add_business_days(ref: date, days: int) -> date:
    current = ref
    while days > 0:
        current += timedelta(days=1)
        days -= current.weekday() < 5
    return current


def _relative(m: re.Match[str], ref: date) -> date:
    if m.group("tomorrow"):
        return ref + timedelta(days=1)
    if m.group("eonw"):
        return _friday(ref, 1)
    if m.group("eow"):
        return _friday(ref, 0)
    raw = m.group("n").lower()
    count = int(raw) if raw.isdigit() else _COUNT.get(raw, 1)
    if m.group("unit").lower() in _WEEK_UNITS:
        return ref + timedelta(weeks=count)
    if m.group("business"):
        return _add_business_days(ref, count)
    return ref + timedelta(days=count)


def relative_at(text: str, pos: int, ref: date, *, window: int = 30) -> Found | None:
    """A relative expression ("tomorrow", "end of the week", "within 5 days") near `pos`."""
    m = _RELATIVE.search(text, pos, min(len(text), pos + window + 60))
    if m is None or m.start() - pos > window:
        return None
    value = _relative(m, ref)
    return Found(value, m.end()) if plausible(value, ref) else None
