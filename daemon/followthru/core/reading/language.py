"""Which language a short text is in, as far as reading its dates needs.

The one question asked: is "10/03" the 10th of March or October 3rd? Italian, German, French
and most languages write the day first; Japanese and Chinese write the month first; English
does both (US and UK), so English text leaves such a date ambiguous.

Invariants: pure; looks at the first MAX_SCAN characters only; a text with too few known
words, or a tie between languages that write dates differently, has no order (""). A
Content-Language tag, when the message has one, settles it first (`tag_order`).
"""

from __future__ import annotations

import re
from collections import Counter

MAX_SCAN = 1500

# Short, frequent words that tell one language from another. Danish and Norwegian share
# some; a tie between languages that write dates the same way still settles the order.
_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("the", "and", "you", "your", "will", "with", "office", "thank", "back", "until", "out"),
    "de": ("und", "ich", "bin", "nicht", "ihre", "mit", "bis", "zurück", "wieder", "bitte"),
    "fr": ("je", "vous", "suis", "les", "des", "est", "jusqu", "votre", "retour", "merci"),
    "es": ("estoy", "los", "hasta", "usted", "gracias", "volveré", "regreso", "oficina"),
    "it": ("sono", "della", "fino", "ufficio", "grazie", "rientro", "tornerò", "il"),
    "nl": ("ik", "het", "een", "ben", "niet", "van", "tot", "terug", "bedankt"),
    "pt": ("estou", "não", "obrigado", "obrigada", "retorno", "escritório", "até", "você"),
    "pl": ("jestem", "nie", "dnia", "biurem", "wracam", "pozdrawiam", "dziękuję"),
    "cs": ("jsem", "mimo", "vrátím", "pozdravem", "děkuji", "dovolené"),
    "sv": ("jag", "är", "och", "inte", "tillbaka", "hälsningar", "semester"),
    "da": ("jeg", "er", "ikke", "og", "tilbage", "hilsen", "ferie"),
    "no": ("jeg", "er", "ikke", "og", "tilbake", "hilsen", "ferie"),
    "fi": ("olen", "ja", "palaan", "lomalla", "terveisin", "kiitos"),
    "ru": ("я", "не", "до", "вернусь", "отпуске", "спасибо"),
}
_ORDER = dict.fromkeys(_WORDS, "dmy") | {"en": "", "ja": "mdy", "zh": "mdy"}
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[^\W\d_]+")
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {
    word: tuple(lang for lang, words in _WORDS.items() if word in words)
    for words in _WORDS.values()
    for word in words
}


def candidates(text: str) -> tuple[str, ...]:
    """The most likely languages of text (several on a tie), or () when it cannot tell."""
    head = text[:MAX_SCAN]
    if _KANA.search(head):
        return ("ja",)
    if _HAN.search(head):
        return ("zh",)
    votes: Counter[str] = Counter()
    for word in _WORD.findall(head.lower()):
        votes.update(_LANGUAGES_OF.get(word, ()))
    if not votes:
        return ()
    top = max(votes.values())
    return tuple(lang for lang, n in votes.items() if n == top) if top >= 2 else ()


def date_order(text: str) -> str:
    """ "dmy" or "mdy" when the text's language settles how 10/03 reads, else "" (English,
    which writes both, or a language it cannot tell)."""
    orders = {_ORDER[lang] for lang in candidates(text)}
    return orders.pop() if len(orders) == 1 else ""


def tag_order(tag: str) -> str:
    """The date order a Content-Language tag settles ("it-IT" -> "dmy", "en-US" -> "mdy",
    plain "en" or none -> "")."""
    first = tag.partition(",")[0].strip().lower().replace("_", "-")
    if first == "en-us":
        return "mdy"
    if first.startswith("en-"):
        return "dmy"
    return _ORDER.get(first.split("-")[0], "") if first else ""
