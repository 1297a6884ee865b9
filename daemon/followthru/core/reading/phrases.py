"""Signals in a person's new text: rejection, offer, scheduling, and a stated reply-by date.

Languages: English, German, French, Spanish, Italian, Dutch, Portuguese.
Invariants: pure; reads only the new text (quotes and signatures already stripped by
core.reading.quotes); an offer phrase under a negation ("cannot offer you") is not an offer;
the reply-by date needs a promise to answer ("we will get back to you by Friday"), read
relative to the reference date, and is None when not stated unambiguously.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import islice

from followthru.core.reading import dates

MAX_SCAN = 8 * 1024

REJECTION = re.compile(
    r"""(?:decided|chosen|elected)\ (?:not\ to\ (?:move|proceed|progress|pursue|continue)
          |to\ (?:move|go)\ forward\ with\ (?:other|another|a\ different)|to\ pursue\ other
          |to\ proceed\ with\ (?:other|another)|to\ not\ (?:move|proceed))
      | not\ (?:be\ )?(?:moving|going)\ forward\ with\ your|won't\ be\ moving\ forward
      | will\ not\ be\ (?:moving\ forward|proceeding|progressing|able\ to\ offer)
      | (?:unable|not\ able)\ to\ offer\ you|cannot\ offer\ you|can't\ offer\ you
      | regret\ to\ inform|position\ has\ (?:been|now\ been)\ filled|role\ has\ been\ filled
      | (?:other|another)\ candidates?\ (?:whose|who|that)|not\ (?:been\ )?selected
      | unfortunately,?\ (?:we|you|your\ application|the\ (?:team|position|role))
          [^.]{0,80}(?:not|other\ candidates|filled|another\ candidate|no\ longer)
      | no\ longer\ (?:being\ )?considered|not\ a\ (?:fit|match)\ at\ this\ time
      | leider\ [^.]{0,80}(?:absage|nicht\ berücksichtig|anderen?\ (?:kandidat|bewerber)
          |nicht\ weiter|entschieden|mitteilen)|\babsage\b|anderweitig\ (?:besetzt|entschieden)
      | malheureusement[^.]{0,80}(?:pas\ (?:retenue?|donner\ suite)|autre\ candidat|ne\ pouvons)
      | nous\ avons\ le\ regret|ne\ pas\ donner\ suite|pas\ été\ retenue?
      | lamentablemente[^.]{0,80}(?:no\ |otro\ candidato|otros\ candidatos)
      | lamentamos\ informar|no\ ha\ sido\ seleccionad|no\ continuar\ con\ su\ candidatura
      | purtroppo[^.]{0,80}(?:non\ |altri\ candidati|altro\ candidato)|siamo\ spiacenti
      | non\ è\ stat[oa]\ selezionat
      | helaas[^.]{0,80}(?:niet|andere\ kandida|afgewezen)|afwijzen|afgewezen
      | infelizmente[^.]{0,80}(?:não|outros?\ candidat)|lamentamos\ informar
      | não\ foi\ selecionad|não\ seguiremos""",
    re.I | re.X,
)
OFFER = re.compile(
    r"""(?:pleased|happy|delighted|excited|thrilled|glad)\ to\ (?:extend|offer|make)
      | offer\ you\ the\ (?:position|role|job)|extend\ (?:you\ )?an?\ (?:job\ |formal\ )?offer
      | (?:job|formal|employment|written)\ offer|offer\ letter|like\ to\ offer\ you
      | would\ like\ to\ make\ you\ an\ offer|an\ offer\ of\ employment
      | (?:freuen\ uns|freue\ mich),?\ (?:ihnen|dir)\ [^.]{0,40}anzubieten|vertragsangebot
      | arbeitsvertrag|jobangebot|stellenangebot\ (?:für\ sie|an\ sie)
      | proposition\ d'embauche|promesse\ d'embauche|offre\ d'emploi\ (?:ferme|officielle)
      | (?:heureux|ravis?)\ de\ vous\ (?:proposer|offrir)\ le\ poste
      | oferta\ (?:de\ trabajo|de\ empleo|formal|laboral)|ofrecerle\ el\ puesto|ofrecerte\ el
      | offerta\ di\ lavoro|offrirti\ la\ posizione|offrirle\ la\ posizione|lettera\ di\ assunzione
      | (?:graag|blij)\ [^.]{0,30}(?:aanbieden|aan\ te\ bieden)|arbeidsovereenkomst|aanbod\ doen
      | oferta\ de\ emprego|proposta\ de\ (?:emprego|trabalho)|oferecer\ (?:a\ vaga|o\ cargo)""",
    re.I | re.X,
)
_NEGATION = re.compile(
    r"\b(?:not|unable|cannot|can't|won't|no|nicht|kein\w*|pas|ne|no|non|niet|geen|não)\b[^.]{0,25}$",
    re.I,
)
_TIME = (
    r"(?:\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}[:h]\d{2}\b|\b\d{1,2}\s?uhr\b"
    rf"|\b(?:{'|'.join(sorted(dates.WEEKDAY_NUMBER, key=len, reverse=True))})\b"
    r"|\btomorrow\b|\bnext\ week\b|\bthis\ week\b)"
)
SCHEDULING = re.compile(
    rf"""(?:are|would|will)\ you\ (?:be\ )?(?:available|free)
      | does\ [^.?]{{0,40}}work\ for\ you|would\ [^.?]{{0,40}}work\ for\ you
      | works?\ for\ you\?|how\ about\ [^.?]{{0,30}}{_TIME}|what\ about\ [^.?]{{0,20}}{_TIME}
      | (?:can|could|shall)\ we\ (?:meet|talk|chat|speak|schedule|set\ up|do|hop)
      | (?:schedule|set\ up|arrange|book|find)\ (?:a|an|the|some)\ (?:\w+\ )?(?:call|interview
          |meeting|chat|time|slot|conversation)
      | your\ availability|(?:send|share)\ (?:me\ )?(?:your|a\ few)\ (?:availability|times)
      | let\ me\ know\ (?:when\ you(?:'re|\ are)\ (?:free|available)|what\ times?)
      | (?:next|second|final|third|onsite|on-site)\ (?:round|interview|stage)
      | calendly\.com|invite\ you\ (?:to|for)\ an?\ (?:interview|call|meeting)
      | hätten\ sie\ zeit|hast\ du\ zeit|passt\ (?:ihnen|es\ ihnen|dir|es\ dir)|termin\ (?:vor
          |vereinbaren|finden)|terminvorschlag|vorstellungsgespräch\ (?:am|einladen)|einladen
      | êtes-vous\ disponible|seriez-vous\ disponible|vos\ disponibilités|un\ créneau
          |vous\ conviendrait|convenir\ d'un\ rendez-vous
      | (?:está|estás|estaría|estarías)\ disponible|su\ disponibilidad|tu\ disponibilidad
          |le\ viene\ bien|te\ viene\ bien|agendar\ una|programar\ una
      | sei\ disponibile|è\ disponibile|sarebbe\ disponibile|la\ sua\ disponibilità
          |tua\ disponibilità|fissare\ un|ti\ andrebbe\ bene|le\ andrebbe\ bene
      | (?:bent|ben)\ (?:je|u)\ beschikbaar|schikt\ het|past\ het\ (?:je|u)|afspraak\ (?:maken
          |inplannen)|gesprek\ inplannen|uw\ beschikbaarheid|je\ beschikbaarheid
      | (?:está|estaria)\ disponível|sua\ disponibilidade|agendar\ uma|marcar\ uma""",
    re.I | re.X,
)
_PROPOSAL_CUE = re.compile(
    r"\?|let's|let us|shall we|i propose|we propose|we suggest|i suggest|invite you|schlage"
    r"|works for (?:me|a|us)|if you(?:'re| are) (?:free|available)"
    r"|vorschlagen|je propose|nous proposons|propongo|proponiamo|stel voor|sugiro|proponho",
    re.I,
)
_TIME_RE = re.compile(_TIME, re.I)
REPLY_PROMISE = re.compile(
    r"""(?:get|come|circle)\ back\ to\ you|be\ in\ touch|let\ you\ know|hear\ (?:back\ )?from
      | (?:reach|follow)\ (?:out|up)\ (?:to|with)\ you|update\ you|(?:have|make|reach)\ a\ decision
      | decision\ (?:will\ be|is\ expected)|respond\ to\ you|get\ in\ touch
      | (?:melden|melde)\ (?:uns|mich)|rückmeldung|bescheid\ geben|entscheidung
      | reviendrons\ vers\ vous|reviendrai\ vers\ vous|vous\ tenir\ informée?|une\ réponse
      | vous\ recontacter|nous\ vous\ répondrons|décision
      | (?:nos\ pondremos|me\ pondré)\ en\ contacto|le\ responderemos|te\ responderemos
      | una\ respuesta|una\ decisión|le\ informaremos|te\ informaremos
      | ci\ faremo\ sentire|(?:ti|vi|le)\ faremo\ sapere|una\ risposta|ti\ ricontatteremo
      | laten\ (?:je|u)\ weten|(?:nemen|neem)\ contact|een\ reactie|een\ beslissing|van\ ons\ horen
      | retornaremos|entraremos\ em\ contato|daremos\ (?:uma\ )?resposta|uma\ decisão""",
    re.I | re.X,
)
_BY = re.compile(
    r"""\b(?:by|before|no\ later\ than|on|until|by\ the|latest\ by|at\ the\ latest\ by|early
        |bis(?:\ zum|\ spätestens|\ ende)?|spätestens|am|vor
        |d'ici|avant|au\ plus\ tard|le|d'ici\ le|para\ el|antes\ del?|a\ más\ tardar|el
        |entro|prima\ di|per|uiterlijk|vóór|voor|op|até|antes\ de|no\ dia)\b""",
    re.I | re.X,
)


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATION.search(text[max(0, start - 40) : start]))


def has_offer(text: str) -> bool:
    return any(not _negated(text, m.start()) for m in OFFER.finditer(text))


def has_scheduling(text: str) -> bool:
    if SCHEDULING.search(text):
        return True
    return bool(_TIME_RE.search(text) and _PROPOSAL_CUE.search(text))


# Someone making an introduction ("let me introduce you to", "meet Priya", "connecting you
# two", "cc'ing her here") in the languages the auto-reply rules read.
INTRODUCTION = re.compile(
    r"\b(?:introduc(?:e|ing)\s+(?:you\s+)?(?:to|two|both)\b|introduc(?:e|ing)\s+\w+\s+to\b|"
    r"let\s+me\s+introduce|"
    r"connect(?:ing)?\s+you\s+(?:two|both|with)|(?:cc'?ing|copying)\s+(?:her|him|them)|"
    r"(?:ich\s+)?stelle\s+(?:euch|Ihnen|dir)\b|m[öo]chte\s+(?:euch|Ihnen|dir)\s+\w+\s+vorstellen|je\s+vous\s+pr[ée]sente|"
    r"os\s+presento|te\s+presento|vi\s+presento|ti\s+presento|stel\s+(?:je|u)\s+voor|"
    r"apresento)",
    re.IGNORECASE,
)


def signals_of(text: str) -> tuple[str, ...]:
    """The signals in a person's new text, in a fixed order."""
    head = text[:MAX_SCAN]
    found = []
    if REJECTION.search(head):
        found.append("rejection")
    if has_offer(head) and "rejection" not in found:
        found.append("offer")
    if has_scheduling(head) and "rejection" not in found:
        found.append("scheduling")
    if INTRODUCTION.search(head):
        found.append("introduction")
    return tuple(found)


def reply_by(text: str, ref: date | None) -> date | None:
    """The date by which the sender promises an answer ("get back to you by Friday")."""
    if ref is None:
        return None
    head = text[:MAX_SCAN]
    for promise in islice(REPLY_PROMISE.finditer(head), 30):
        window = head[promise.end() : promise.end() + 70]
        found = _date_after_by(window, ref)
        if found is not None:
            return found
    return None


def _date_after_by(window: str, ref: date) -> date | None:
    for by in _BY.finditer(window):
        found = dates.date_at(window, by.end(), ref, window=12) or dates.relative_at(
            window, by.start(), ref, window=12
        )
        if found is not None:
            return found.value
    found = dates.relative_at(window, 0, ref, window=40)
    return found.value if found else None
