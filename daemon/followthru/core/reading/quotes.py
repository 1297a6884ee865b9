"""The new text of a reply: quoted text, forwarded blocks and signatures removed.

Clients covered: ">" quoting (any client), "On ... wrote:" attributions in English, German,
French, Spanish, Italian, Dutch, Portuguese and Scandinavian forms (Gmail, Apple Mail,
Thunderbird, Yahoo, mobile), Outlook "-----Original Message-----" and "From: / Sent:" header
blocks (localised), forward markers, "-- " signatures and "Sent from my ..." footers.
Invariants: pure; the result is a prefix of the input's lines minus ">" lines; linear time.
"""

from __future__ import annotations

import re

MAX_SCAN = 32 * 1024

_ATTRIBUTION = re.compile(
    r"^\s*(?:on|le|am|el|il|op|em|den|d\.|w\ dniu|dne)\b.{0,300}?"
    r"(?:wrote|a\ écrit|a\ ecrit|schrieb|escribió|escribio|ha\ scritto|scrisse|schreef"
    r"|escreveu|skrev|kirjoitti|napisał|napsal)(?:\s*:?|\s.{1,160}:)\s*$",
    re.I | re.X | re.S,
)
_WROTE_TAIL = re.compile(
    r"^.{1,120}\b(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu|skrev)\s*:\s*$",
    re.I,
)
_SEPARATOR = re.compile(
    r"""^\s*(?:
        -{2,}\s*(?:original\ message|original\ mail|forwarded\ message|ursprüngliche\ nachricht
          |weitergeleitete\ nachricht|message\ d'origine|message\ original|message\ transféré
          |mensaje\ original|mensaje\ reenviado|messaggio\ originale|messaggio\ inoltrato
          |oorspronkelijk\ bericht|doorgestuurd\ bericht|origineel\ bericht|mensagem\ original
          |mensagem\ encaminhada|opprinnelig\ melding|ursprungligt\ meddelande)\s*-{2,}
      | begin\ forwarded\ message:
      | début\ du\ message\ réexpédié\ :?
      | anfang\ der\ weitergeleiteten\ nachricht:
      | inicio\ del\ mensaje\ reenviado:
      | _{10,}
    )\s*$""",
    re.I | re.X,
)
_HEADER_FROM = re.compile(r"^\s*\*?(?:from|von|de|da|van|fra|från|od|от)\s*\*?\s*:\s*\S", re.I)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(?:sent|date|to|subject|gesendet|datum|an|betreff|envoyé|objet|à|enviado|"
    r"enviada|fecha|para|asunto|inviato|data|oggetto|a|verzonden|aan|onderwerp|assunto|"
    r"enviado\ el|enviada\ em|sendt|skickat|ämne|till)\s*\*?\s*:",
    re.I | re.X,
)
_SIGNATURE = re.compile(
    r"""^\s*(?:--|—|-- )\s*$
      | ^\s*(?:sent\ from\ my|sent\ from\ (?:outlook|mail\ for|yahoo|samsung)|get\ outlook\ for
          |sent\ via\ |sent\ with\ |von\ meinem\ .{1,40}\ gesendet|gesendet\ von\ meinem
          |envoyé\ de\ mon|envoyé\ depuis\ mon|enviado\ desde\ mi|enviado\ do\ meu
          |enviado\ de\ meu|inviato\ da|verzonden\ (?:vanaf|met)\ mijn|skickat\ från\ min)\b""",
    re.I | re.X,
)


def _is_header_block(lines: list[str], i: int) -> bool:
    """An Outlook-style "From: ... / Sent: ..." block starting at line i."""
    if not _HEADER_FROM.match(lines[i]):
        return False
    following = [ln for ln in lines[i + 1 : i + 6] if ln.strip()][:3]
    return any(_HEADER_NEXT.match(ln) for ln in following)


def _is_attribution(lines: list[str], i: int) -> bool:
    line = lines[i]
    if len(line) > 400:
        return False
    joined = [" ".join(ln.strip() for ln in lines[i : i + n]) for n in (2, 3)]
    for candidate in (line, *joined):
        if _ATTRIBUTION.match(candidate) and candidate.rstrip().endswith(":"):
            return True
    if _WROTE_TAIL.match(line):
        return any(ln.lstrip().startswith(">") for ln in lines[i + 1 : i + 3])
    return False


def cut_index(lines: list[str]) -> int:
    """Index of the first line that starts quoted/forwarded text or a signature."""
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if _SEPARATOR.match(line) or _SIGNATURE.match(line):
            return i
        if _is_attribution(lines, i) or _is_header_block(lines, i):
            return i
    return len(lines)


def new_text(text: str) -> str:
    """What the sender wrote in this message: no quotes, no forwarded text, no signature."""
    lines = text[:MAX_SCAN].split("\n")
    kept = lines[: cut_index(lines)]
    return "\n".join(ln for ln in kept if not ln.lstrip().startswith(">")).strip()
