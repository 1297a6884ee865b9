"""The job reading of a message: which step of a job search it is, from which vendor, for
which company and role, with which deadline (SPEC "Reading job-search mail").

Rules, in order: the vendor from the sender's, Return-Path's, Message-ID's and
List-Unsubscribe's domains (links too, for a machine sender); a sender rule that fixes the
event (job alerts); the phrase rules of the subject and the new text, the best-ranked event
winning; a calendar invitation with a time as a scheduled interview. Then the company, the
role (core.reading.jobnames), the deadline and any referral ("not me, try Jane <jane@...>").

Invariants: pure; the tables come from core.reading.jobrules, compiled by the caller; only
the subject and the new text count (quoted text and signatures are stripped by the caller);
the company is never read from a vendor's domain; `confidence` is "high" when a vendor and
the wording (or a vendor's own sender rule) agree, "low" otherwise; mail that is not about a
job search (no vendor, no job word) reads as None.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from followthru.core.reading import dates, language
from followthru.core.reading.automated import is_machine, rule_list, rule_precedence
from followthru.core.reading.jobnames import company_of, role_of
from followthru.core.reading.jobrules import JobRules, Vendor, vendor_at
from followthru.core.reading.message import Message

MAX_SCAN = 8 * 1024
_USERS_MOVE = ("assessment", "info_request", "interview_request")
_DOMAIN = re.compile(r"@([\w.-]+)")
_LINK = re.compile(r"https?://([\w.-]+)", re.I)
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.I)
_NAME_BEFORE = re.compile(r"([A-ZÄÖÜÉ][\w'’-]+(?: [A-ZÄÖÜÉ][\w'’-]+)?)\W{0,3}$")


@dataclass(frozen=True, slots=True)
class Referral:
    """Someone the writer names instead of themselves."""

    address: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class JobReading:
    event: str
    ats: str | None
    company: str | None
    role: str | None
    deadline: date | None
    confidence: str
    reason: str
    referral: Referral | None = None


@dataclass(frozen=True, slots=True)
class _Match:
    event: str
    rank: int
    reason: str
    standalone: bool = False


def _header_domains(msg: Message) -> Iterator[str]:
    for addr in (*msg.from_, *msg.reply_to):
        yield addr.domain
    for name in ("sender", "return-path", "list-unsubscribe"):
        yield from (d.lower() for d in _DOMAIN.findall(msg.header(name)))
    yield from (d.lower() for d in _DOMAIN.findall(msg.message_id))


def vendor_of(msg: Message, text: str, rules: JobRules) -> tuple[Vendor, str] | None:
    """The vendor and where it was seen: a header's domain, or (for a machine sender, whose
    links are its own) a link in the text, e.g. a Workday tenant's myworkdayjobs.com."""
    for domain in _header_domains(msg):
        vendor = vendor_at(domain, rules)
        if vendor is not None:
            return vendor, f"{vendor.reason} ({domain})"
    sender = msg.sender
    if sender is None or not is_machine(sender):
        return None
    for host in _LINK.findall(text[:MAX_SCAN]):
        vendor = vendor_at(host.lower(), rules)
        if vendor is not None and vendor.kind == "ats":
            return vendor, f"{vendor.reason} (a link to {host.lower()})"
    return None


def _sender_rule(msg: Message, rules: JobRules) -> _Match | None:
    """A sender whose mail is always one event (a job-alert address)."""
    sender = msg.sender
    for rule in rules.senders if sender else ():
        if sender and rule.pattern.search(sender.addr):
            return _Match(rule.event, -1, f"{rule.reason} ({sender.addr})", standalone=True)
    return None


def _negated(text: str, start: int, rules: JobRules) -> bool:
    return bool(rules.negation.search(text[max(0, start - 40) : start]))


def _hits(text: str, rules: JobRules) -> Iterator[tuple[int, re.Match[str]]]:
    """(rule index, match) for every phrase found in one scan, then every rule's regex."""
    for m in rules.scan.finditer(text):
        for index in rules.phrase_rules.get(" ".join(m.group(0).split()), ()):
            yield index, m
    for index, rule in enumerate(rules.events):
        found = rule.regex.search(text) if rule.regex else None
        if found:
            yield index, found


def _phrase_matches(text: str, rules: JobRules) -> Iterator[_Match]:
    """The first match of each event rule that is not under a negation."""
    seen: set[int] = set()
    for index, m in _hits(text, rules):
        rule = rules.events[index]
        if index in seen or (rule.negatable and _negated(text, m.start(), rules)):
            continue
        seen.add(index)
        said = f'{rule.reason}: "{m.group(0).strip()}"'
        yield _Match(rule.event, rule.rank, said, rule.standalone)


def _calendar_match(msg: Message, rules: JobRules) -> _Match | None:
    """An invitation with a time is a scheduled interview (a cancel is not)."""
    for ev in msg.calendar:
        if (
            ev.start is not None
            and ev.method not in ("CANCEL", "REPLY")
            and ev.status != "CANCELLED"
        ):
            rank = next((r.rank for r in rules.events if r.event == "interview_scheduled"), 0)
            return _Match(
                "interview_scheduled", rank, f"a calendar invitation with a time ({ev.summary})"
            )
    return None


def best_match(msg: Message, text: str, rules: JobRules) -> _Match | None:
    """The best-ranked event the (lowercased) wording or an invitation says, or None."""
    found = list(_phrase_matches(text, rules))
    calendar = _calendar_match(msg, rules)
    if calendar is not None:
        found.append(calendar)
    return min(found, key=lambda m: m.rank) if found else None


def _calendar_text(msg: Message) -> str:
    return "\n".join(f"{ev.summary}\n{ev.description}" for ev in msg.calendar)


def read_job(msg: Message, new: str, ref: date | None, rules: JobRules) -> JobReading | None:
    """The job reading of a message whose new text is `new`, or None."""
    text = f"{msg.subject}\n{new}\n{_calendar_text(msg)}"[:MAX_SCAN].lower()
    seen = vendor_of(msg, msg.text, rules)
    vendor = seen[0] if seen else None
    match = _sender_rule(msg, rules) if vendor else None
    match = match or best_match(msg, text, rules)
    referral = referral_of(msg, new, rules)
    if vendor is None and match is not None and _bulk(msg) and match.event != "other_job":
        match = None  # a step of one's own application never comes through a mailing list
    decided = _decide(vendor, match, text, rules, referral)
    if decided is None:
        return None
    event, confidence, why = decided
    reason = "; ".join(p for p in (seen[1] if seen else "", why) if p)
    deadline = deadline_of(new, ref, rules) if event in _USERS_MOVE else None
    company = company_of(msg, new, rules, vendor)
    role = role_of(msg.subject, new, rules, company)
    ats = vendor.id if vendor else None
    return JobReading(event, ats, company, role, deadline, confidence, reason, referral)


def _bulk(msg: Message) -> bool:
    return bool(rule_list(msg) or rule_precedence(msg))


def _decide(
    vendor: Vendor | None, match: _Match | None, text: str, rules: JobRules, ref: Referral | None
) -> tuple[str, str, str] | None:
    """(event, confidence, why). An ATS's wording counts as it stands (its whole trade is
    hiring); a scheduler's, a job board's or a person's needs a job word too (Calendly books
    sales demos, LinkedIn carries chit-chat). An ATS's mail with no event wording is
    `other_job`; anyone else's is None."""
    if match is not None and vendor is not None and vendor.kind == "ats":
        return match.event, "high", match.reason
    if match is not None and (match.standalone or rules.context.search(text)):
        return match.event, "high" if vendor else "low", match.reason
    if vendor is not None and vendor.kind == "ats":
        return "other_job", "low", f"from {vendor.name}, no event wording"
    if ref is not None and rules.context.search(text):
        return "other_job", "low", f"a referral to {ref.address}, no event wording"
    return None


def deadline_of(new: str, ref: date | None, rules: JobRules) -> date | None:
    """The first date stated after a deadline cue ("please complete by 12 March")."""
    if ref is None:
        return None
    head = new[:MAX_SCAN].lower()
    order = language.date_order(head)
    for cue in rules.deadlines.finditer(head):
        found = dates.date_at(head, cue.end(), ref, window=20, order=order) or dates.relative_at(
            head, cue.start(), ref, window=8
        )
        if found is not None:
            return found.value
    return None


def referral_of(msg: Message, new: str, rules: JobRules) -> Referral | None:
    """An address named after a referral cue, not the writer's own."""
    own = {a.addr for a in (*msg.from_, *msg.reply_to)}
    for cue in rules.referral.finditer(new[:MAX_SCAN].lower()):
        window = new[cue.end() : cue.end() + 160]
        for m in _ADDRESS.finditer(window):
            address = m.group(0).lower().rstrip(".")
            if address not in own:
                name = _NAME_BEFORE.search(window[: m.start()])
                return Referral(address, name.group(1) if name else "")
    return None
