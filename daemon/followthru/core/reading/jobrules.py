"""The job-mail rule tables: plain data (as loaded from the rules file) -> compiled rules.

The shipped file (followthru/data/jobs.rules.yaml) and a user's file have one shape; `merge`
lays the user's over the shipped ones and `compile_rules` turns the result into `JobRules`.
Invariants: pure (the adapter reads the file and hands the parsed data here); every rule
keeps its `id` and its `reason`; a malformed table raises `RulesError` naming the entry;
phrases match at a word start, any whitespace run matching any other, in text the caller
has lowercased (`str.lower`, which keeps offsets for the scripts read here).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

EVENTS = (
    "application_received", "interview_request", "interview_scheduled", "assessment",
    "info_request", "rejection", "offer", "paused", "other_job",
)  # fmt: skip
VENDOR_KINDS = ("ats", "scheduler", "board")
# A company name: up to four capitalised words ("Acme", "Globex Corp", "Müller & Söhne").
_WORD = r"[A-Z0-9ÄÖÜÉ][\w&'’-]*(?:\.(?=\w)[\w&'’-]*)*"
NAME = rf"{_WORD}(?: (?:& |de |of )?{_WORD}){{0,3}}"
# A role title: capitalised words, joined by a few small words ("Head of Data", "Chef de
# Projet"), with an optional gender marker ("Disponent (m/w/d)").
_TITLE_WORD = r"[A-Z0-9ÄÖÜÉ][\w/&+#.'’-]*"
_JOIN = r"(?:(?:of|and|de|du|des|der|für|y|et|la|el|&|-|–|/) )*"
ROLE = rf"{_TITLE_WORD}(?: {_JOIN}{_TITLE_WORD}){{0,6}}(?: \([mwfdx]/[mwfdx](?:/[mwfdx])?\))?"
_LIST_KEYS = ("vendors", "senders", "events")


class RulesError(ValueError):
    """The rules data is malformed; the message names the entry and what is wrong."""


@dataclass(frozen=True, slots=True)
class Vendor:
    id: str
    name: str
    kind: str
    domains: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class SenderRule:
    id: str
    pattern: re.Pattern[str]
    event: str
    reason: str


@dataclass(frozen=True, slots=True)
class PhraseRule:
    id: str
    event: str
    rank: int
    phrases: tuple[str, ...]
    regex: re.Pattern[str] | None
    negatable: bool
    standalone: bool
    reason: str


@dataclass(frozen=True, slots=True)
class Patterns:
    """Ordered regexes with one named group, per place in the message."""

    subject: tuple[re.Pattern[str], ...]
    body: tuple[re.Pattern[str], ...]
    sender: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True, slots=True)
class JobRules:
    vendors: tuple[Vendor, ...]
    vendor_domains: Mapping[str, Vendor]
    senders: tuple[SenderRule, ...]
    events: tuple[PhraseRule, ...]
    scan: re.Pattern[str]
    phrase_rules: Mapping[str, tuple[int, ...]]
    context: re.Pattern[str]
    negation: re.Pattern[str]
    deadlines: re.Pattern[str]
    company: Patterns
    role: Patterns
    not_names: frozenset[str]
    not_roles: frozenset[str]
    referral: re.Pattern[str]
    free_mail: frozenset[str]


def merge(shipped: Mapping[str, Any], user: Mapping[str, Any]) -> dict[str, Any]:
    """The user's table over the shipped one: list entries replace by `id` (or are added;
    `disabled: true` removes one); any other top-level key replaces the shipped value."""
    merged = dict(shipped)
    for key, value in user.items():
        if key in _LIST_KEYS:
            merged[key] = _merge_entries(shipped.get(key, []), value, key)
        else:
            merged[key] = value
    return merged


def _merge_entries(shipped: list[Any], user: Any, key: str) -> list[Any]:
    if not isinstance(user, list):
        raise RulesError(f"{key}: must be a list")
    entries = {_entry_id(e, key): e for e in shipped}
    for entry in user:
        ident = _entry_id(entry, key)
        entries.pop(ident, None)
        if not entry.get("disabled"):
            entries[ident] = entry
    return list(entries.values())


def _entry_id(entry: Any, key: str) -> str:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
        raise RulesError(f"{key}: every entry needs an `id` (got {entry!r:.60})")
    return str(entry["id"])


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RulesError(f"{where}: `{key}` must be a non-empty string")
    return value


def _strings(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RulesError(f"{where}: `{key}` must be a list of strings")
    return tuple(str(v) for v in value)


def _compile(source: str, where: str, flags: int = re.I) -> re.Pattern[str]:
    try:
        return re.compile(source.replace("{NAME}", NAME).replace("{ROLE}", ROLE), flags)
    except re.error as exc:
        raise RulesError(f"{where}: bad regex: {exc}") from exc


_END = ""  # the trie key that marks the end of a phrase


def _trie(phrases: list[str]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for phrase in phrases:
        node = root
        for char in " ".join(phrase.lower().split()):
            node = node.setdefault(char, {})
        node[_END] = {}
    return root


def _trie_regex(node: dict[str, Any]) -> str:
    """One regex for a trie of phrases: shared prefixes are tried once (a flat alternation
    of a hundred phrases costs a hundred tries at every position; this costs one)."""
    branches = [
        (r"\s+" if char == " " else re.escape(char)) + _trie_regex(child)
        for char, child in sorted(node.items())
        if char != _END
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if _END in node else body


def _phrases(phrases: tuple[str, ...]) -> str:
    """Plain phrases as a regex: each starts at a word start (when it starts with a letter)
    and ends at a word end (when it ends with one), any whitespace run matches any other;
    the longest phrase wins."""
    worded = [p for p in phrases if p[:1].isalnum()]
    other = [p for p in phrases if not p[:1].isalnum()]
    # A phrase ends at a word's end too ("vous rencontrer" is not in "vous rencontrerez")
    # unless it ends with punctuation ("confirmed:").
    parts = [f"(?<!\\w){_trie_regex(_trie(worded))}(?:(?<=\\W)|(?!\\w))"] if worded else []
    return "|".join(parts + ([_trie_regex(_trie(other))] if other else []))


def phrase_pattern(entry: Mapping[str, Any], where: str) -> re.Pattern[str]:
    """`phrases` and/or `regex` of an entry, as one case-insensitive pattern."""
    phrases = tuple(p for p in _strings(entry, "phrases", where) if p.strip())
    parts = [_phrases(phrases)] if phrases else []
    if isinstance(entry.get("regex"), str):
        parts.append(f"(?i:{entry['regex']})")
    if not parts:
        raise RulesError(f"{where}: needs `phrases` or `regex`")
    # Matched against lowercased text: case-insensitive matching is several times slower.
    return _compile("|".join(parts), where, 0)


def _vendor(entry: Mapping[str, Any]) -> Vendor:
    where = f"vendors[{entry.get('id')}]"
    kind = entry.get("kind", "ats")
    if kind not in VENDOR_KINDS:
        raise RulesError(f"{where}: `kind` must be one of {', '.join(VENDOR_KINDS)}")
    domains = tuple(d.lower().lstrip(".") for d in _strings(entry, "domains", where))
    if not domains:
        raise RulesError(f"{where}: needs `domains`")
    name = str(entry.get("name") or entry["id"])
    return Vendor(str(entry["id"]), name, kind, domains, _text(entry, "reason", where))


def _event_of(entry: Mapping[str, Any], where: str) -> str:
    event = entry.get("event")
    if event not in EVENTS:
        raise RulesError(f"{where}: `event` must be one of {', '.join(EVENTS)}")
    return str(event)


def _sender(entry: Mapping[str, Any]) -> SenderRule:
    where = f"senders[{entry.get('id')}]"
    pattern = _compile(_text(entry, "regex", where), where)
    return SenderRule(
        str(entry["id"]), pattern, _event_of(entry, where), _text(entry, "reason", where)
    )


def _rule(entry: Mapping[str, Any], precedence: tuple[str, ...]) -> PhraseRule:
    where = f"events[{entry.get('id')}]"
    event = _event_of(entry, where)
    rank = entry.get("rank", precedence.index(event) if event in precedence else len(precedence))
    if not isinstance(rank, int | float):
        raise RulesError(f"{where}: `rank` must be a number")
    negatable = bool(entry.get("negatable", False))
    standalone = bool(entry.get("standalone", False))
    phrase_pattern(entry, where)  # validates phrases and regex alike
    phrases = tuple(_key(p) for p in _strings(entry, "phrases", where) if p.strip())
    raw = entry.get("regex")
    regex = _compile(f"(?i:{raw})", where, 0) if isinstance(raw, str) else None
    reason = _text(entry, "reason", where)
    ident = str(entry["id"])
    return PhraseRule(ident, event, int(rank * 10), phrases, regex, negatable, standalone, reason)


def _key(phrase: str) -> str:
    """A phrase as the scan reports it: lowercased, single spaces."""
    return " ".join(phrase.lower().split())


def _phrase_rules(events: tuple[PhraseRule, ...]) -> dict[str, tuple[int, ...]]:
    """Which rules (indexes into events) each phrase belongs to."""
    table: dict[str, tuple[int, ...]] = {}
    for index, rule in enumerate(events):
        for phrase in rule.phrases:
            table[phrase] = (*table.get(phrase, ()), index)
    return table


def _scan(phrases: list[str]) -> re.Pattern[str]:
    """Every event phrase in one trie-shaped pattern: one pass over the text finds them all
    (one pattern per rule cost a pass per rule, and the text is read for every message)."""
    return _compile(_phrases(tuple(phrases)) or "(?!)", "events", 0)


def _patterns(table: Mapping[str, Any], where: str, flags: int) -> Patterns:
    def group(key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(_compile(s, f"{where}.{key}", flags) for s in _strings(table, key, where))

    return Patterns(group("subject"), group("body"), group("sender"))


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise RulesError(f"{key}: missing or not a mapping")
    return value


def _entries(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise RulesError(f"{key}: must be a list")
    for entry in value:
        _entry_id(entry, key)
    return value


def compile_rules(data: Mapping[str, Any]) -> JobRules:
    """Compile (and so validate) a whole rules table."""
    precedence = _strings(data, "precedence", "precedence") or EVENTS
    bad = [e for e in precedence if e not in EVENTS]
    if bad:
        raise RulesError(f"precedence: unknown event {bad[0]!r}")
    company = _table(data, "company")
    events = tuple(_rule(e, precedence) for e in _entries(data, "events"))
    vendors = tuple(_vendor(e) for e in _entries(data, "vendors"))
    return JobRules(
        vendors=vendors,
        vendor_domains={d: v for v in reversed(vendors) for d in v.domains},
        senders=tuple(_sender(e) for e in _entries(data, "senders")),
        events=events,
        scan=_scan([p for rule in events for p in rule.phrases]),
        phrase_rules=_phrase_rules(events),
        context=phrase_pattern(_table(data, "context"), "context"),
        negation=_compile(_text(_table(data, "negation"), "regex", "negation"), "negation"),
        deadlines=phrase_pattern(_table(data, "deadlines"), "deadlines"),
        company=_patterns(company, "company", 0),
        role=_patterns(_table(data, "role"), "role", 0),
        not_names=frozenset(n.casefold() for n in _strings(company, "not_names", "company")),
        not_roles=frozenset(n.lower() for n in _strings(_table(data, "role"), "not_words", "role")),
        referral=phrase_pattern(_table(data, "referral"), "referral"),
        free_mail=frozenset(d.lower() for d in _strings(data, "free_mail", "free_mail")),
    )


def vendor_at(domain: str, rules: JobRules) -> Vendor | None:
    """The vendor owning `domain` or a domain it is under (acme.wd5.myworkdayjobs.com)."""
    labels = domain.split(".")
    for i in range(len(labels) - 1):
        vendor = rules.vendor_domains.get(".".join(labels[i:]))
        if vendor is not None:
            return vendor
    return None
