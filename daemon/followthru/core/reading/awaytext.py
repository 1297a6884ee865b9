"""What auto-replies say beyond autoreply.py's seven languages, and how helpdesks sign mail.

This module is knowledge, not control flow: phrase tables per language (regex fragments,
matched case-insensitively), compiled once into the patterns autoreply.py's rules use.
Languages: Polish, Czech, Swedish, Danish, Norwegian, Finnish, Brazilian Portuguese,
Japanese, Chinese, plus webmail (web.de/GMX) and vacation(1) wordings, and acknowledgements
("thank you for your e-mail, I will reply as soon as possible") in the seven.
Invariants: pure; linear-time patterns (alternations of literals, no nested quantifiers).
"""

from __future__ import annotations

import re

# Subjects an auto-responder writes (the whole subject, or its head before ":").
SUBJECTS: dict[str, tuple[str, ...]] = {
    "pl": (r"automatyczna\ odpowied[źz]", r"nieobecno[śs][ćc]", r"poza\ biurem"),
    "cs": (r"automatick[áa]\ odpov[ěe][ďd]", r"nep[řr][íi]tomnost", r"mimo\ kancel[áa][řr]"),
    "sv": (r"autosvar", r"fr[åa]nvaro(?:meddelande)?", r"automatiskt\ svar"),
    "da": (r"frav[æa]rsmeddelelse", r"automatisk\ svar", r"ikke\ p[åa]\ kontoret"),
    "no": (r"frav[æa]rsmelding", r"automatisk\ svar", r"ikke\ p[åa]\ kontoret"),
    "fi": (r"automaattinen\ vastaus", r"poissaolo(?:ilmoitus)?", r"lomavastaaja"),
    "pt": (r"aus[êe]ncia\ tempor[áa]ria", r"resposta\ autom[áa]tica", r"estou\ ausente"),
    "de": (r"urlaub", r"im\ urlaub", r"bin\ wieder\ da"),  # web.de / GMX autoresponders
    "en": (r"away\ from\ (?:my\ )?(?:e-?)?mail", r"on\ vacation"),  # vacation(1)
    "ja": (r"自動応答", r"自動返信", r"不在通知", r"不在のお知らせ", r"休暇のお知らせ"),
    "zh": (r"自动回复", r"自動回覆", r"自動回复", r"自动答复", r"休假通知"),
}
# "This is an automatic reply", said in so many words.
STATEMENTS: dict[str, tuple[str, ...]] = {
    "nl": (r"dit\ is\ een\ automatisch(?:\ gegenereerd)?\ (?:antwoord|bericht)",),
    "pl": (
        r"to\ jest\ automatyczna\ odpowied[źz]",
        r"wiadomo[śs][ćc]\ wygenerowana\ automatycznie",
    ),
    "cs": (r"toto\ je\ automatick[áa]\ odpov[ěe][ďd]",),
    "sv": (r"detta\ [äa]r\ ett\ automatiskt\ (?:svar|meddelande)",),
    "da": (r"dette\ er\ et\ automatisk\ (?:svar|genereret\ svar)",),
    "no": (r"dette\ er\ et\ automatisk\ (?:svar|generert\ svar)",),
    "fi": (r"t[äa]m[äa]\ on\ automaattinen\ vastaus",),
    "pt": (r"esta\ [ée]\ uma\ (?:mensagem|resposta)\ autom[áa]tica",),
    "ja": (r"自動(?:応答|返信)(?:メール|メッセージ)?です",),
    "zh": (r"这是一封自动回复", r"此邮件为自动回复", r"這是自動回覆"),
}
# Being away, in the body (counts only from a machine envelope).
AWAY: dict[str, tuple[str, ...]] = {
    "pl": (r"jestem\ poza\ biurem", r"nieobecn[ya]", r"na\ urlopie"),
    "cs": (r"jsem\ mimo\ kancel[áa][řr]", r"na\ dovolen[ée]", r"nep[řr][íi]tomn[ýa]"),
    "sv": (r"p[åa]\ semester", r"inte\ p[åa]\ kontoret", r"fr[åa]nvarande", r"tj[äa]nstledig"),
    "da": (r"p[åa]\ ferie", r"ikke\ p[åa]\ kontoret", r"frav[æa]rende"),
    "no": (r"p[åa]\ ferie", r"ikke\ p[åa]\ kontoret", r"frav[æa]rende", r"permisjon"),
    "fi": (r"olen\ lomalla", r"poissa\ toimistolta", r"olen\ poissa"),
    "pt": (r"ausente\ do\ escrit[óo]rio", r"em\ f[ée]rias"),
    "de": (r"wieder\ da",),
    "en": (r"not\ be\ reading\ my\ (?:e-?)?mail", r"away\ from\ my\ (?:e-?)?mail"),
    "ja": (r"不在にしております", r"不在です", r"休暇(?:を取って|中)", r"出張中"),
    "zh": (r"休假", r"不在办公室", r"不在辦公室", r"出差"),
}
# Acknowledging the message without answering it (counts only from a machine envelope or
# with Auto-Submitted, never in a person's reply).
ACKNOWLEDGEMENTS: tuple[str, ...] = (
    r"thank\ you\ for\ (?:your|the)\ (?:e-?mail|message|mail|note|enquiry|inquiry)",
    r"thanks\ for\ your\ (?:e-?mail|message|mail)",
    r"(?:i|we)\ (?:have|'ve)\ (?:just\ )?received\ your\ (?:e-?mail|message|mail|request)",
    r"your\ (?:e-?mail|message|request)(?:\ \(\#?\d+\))?\ has\ been\ received",
    r"(?:reply|respond|answer|get\ back\ to\ you)\ as\ soon\ as\ possible",
    r"vielen\ dank\ f[üu]r\ ihre\ (?:e-?mail|nachricht|mail)",
    r"ihre\ nachricht\ ist\ (?:bei\ uns\ )?eingegangen",
    r"merci\ pour\ votre\ (?:message|e-?mail|courriel)",
    r"nous\ avons\ bien\ re[çc]u\ votre",
    r"gracias\ por\ su\ (?:mensaje|correo)",
    r"hemos\ recibido\ su",
    r"grazie\ per\ la\ sua\ (?:e-?mail|mail)",
    r"bedankt\ voor\ uw\ (?:e-?mail|bericht)",
    r"obrigad[oa]\ pelo\ seu\ (?:e-?mail|contato|contacto)",
)
# A helpdesk sends agents' answers and its own notices alike (Zendesk stamps
# Auto-Submitted: auto-generated on both); these marks say the mail came through one.
HELPDESK_HEADER_PREFIXES = ("x-zendesk-", "x-freshdesk-", "x-helpscout-", "x-zammad-", "x-otrs-")
HELPDESK_MAILER = re.compile(
    r"zendesk|freshdesk|help\ ?scout|zammad|otrs|request\ tracker|kayako", re.I
)
HELPDESK_BODY = re.compile(r"reply\ above\ this\ line", re.I)


def _alternation(table: dict[str, tuple[str, ...]]) -> str:
    return "|".join(p for phrases in table.values() for p in phrases)


SUBJECT = re.compile(
    rf"^\s*(?:\[[^\]]{{0,40}}\]\s*)?(?:{_alternation(SUBJECTS)})\s*(?:[:：(\[]|$|-\s|–)",
    re.I | re.X,
)
STATEMENT = re.compile(_alternation(STATEMENTS), re.I | re.X)
AWAY_BODY = re.compile(_alternation(AWAY), re.I | re.X)
ACKNOWLEDGEMENT = re.compile("|".join(ACKNOWLEDGEMENTS), re.I | re.X)

# Where the return date is, by language: a word before the date ("wracam", "tillbaka") or,
# in Finnish, Japanese and Chinese, a word after it ("asti", "まで", "返回").
RETURN_BEFORE = (
    r"wracam|wr[óo]c[ęe]|od\ dnia|vr[áa]t[íi]m\ se|zp[ěe]t|tillbaka|[åa]ter|fr[åa]n\ och\ med"
    r"|tilbage|tilbake|palaan|takaisin|retorno\ (?:no\ dia|em)"
)
# "do" (Polish, Czech) and "til" are ordinary words elsewhere: they count before a digit only.
UNTIL_BEFORE = r"do\ dnia|do(?=\ \d)|till\ och\ med|t\.o\.m\.|til\ og\ med|til(?=\ \d)"
# Found first, then a date is looked for just before them.
RETURN_AFTER = re.compile(
    r"(?:に|から|より|起)?\s*(?:出社|戻|帰社|復帰|返回|回到|回来|上班)|\balkaen\b"
)
UNTIL_AFTER = re.compile(r"まで|之前|为止|為止|\basti\b|\bsaakka\b")
