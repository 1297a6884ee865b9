"""The company and the role a job-search message is about, read from the message itself.

Rules, in order: for the company, the subject, the sender's display name when shaped like a
company's ("Acme via Greenhouse", "Acme Careers"), the top of the new text, a person's own
company domain, and for a vendor's mail its bare display name; for the role, the subject,
then the top of the new text. Invariants: pure; a vendor's domain or name is never the
company, the company's name is never the role; names are bounded (MAX_NAME characters).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from followthru.core.reading.automated import is_machine
from followthru.core.reading.jobrules import JobRules, Vendor, vendor_at
from followthru.core.reading.message import Address, Message

# Names and titles are read from the top of the new text only (they sit in the first lines;
# a long run of capitalised words otherwise costs a pattern try at each of its words).
NAME_SCAN = 3 * 1024
MAX_NAME = 60
_EDGE = ".,;:!?'\"’()[]- "


def _clean(name: str, rules: JobRules) -> str | None:
    name = name.strip(_EDGE)
    for suffix in ("'s", "’s"):
        name = name.removesuffix(suffix)
    words = name.split()
    while words and words[0].casefold() in rules.not_names:
        words.pop(0)  # "Ihr Nordwind Logistik Team" signs for Nordwind Logistik
    name = " ".join(words)
    if not 2 <= len(name) <= MAX_NAME:
        return None
    return name if name.casefold() not in rules.not_names else None


def _first(
    patterns: Iterable[re.Pattern[str]], text: str, group: str, rules: JobRules, unlike: str = ""
) -> str | None:
    clean = _clean if group == "company" else _clean_role
    for pattern in patterns:
        for m in pattern.finditer(text):
            value = clean(m.group(group), rules)
            if value and value.casefold() != unlike.casefold():
                return value
    return None


def _clean_role(title: str, rules: JobRules) -> str | None:
    """A title, unless one of its words says it is something else ("Application update")."""
    title = title.strip(_EDGE.replace(")", ""))
    words = {w.lower() for w in re.findall(r"\w+", title)}
    return title if 2 <= len(title) <= MAX_NAME and not words & rules.not_roles else None


def company_of(msg: Message, new: str, rules: JobRules, vendor: Vendor | None) -> str | None:
    """The company: the subject, the sender's display name when shaped like a company's
    ("Acme via Greenhouse", "Acme Careers"), the new text, a person's company domain, and
    for a vendor's mail its bare display name ("Acme"); never a vendor's domain."""
    table = rules.company
    name = msg.sender.name if msg.sender else ""
    shaped = table.sender[:-1] if table.sender else ()
    found = _first(table.subject, msg.subject, "company", rules)
    found = found or _first(shaped, name, "company", rules)
    found = found or _first(table.body, new[:NAME_SCAN], "company", rules)
    found = found or _domain_company(msg, rules)
    if found is None and vendor is not None and table.sender:
        found = _first(table.sender[-1:], name, "company", rules)
    return found


def _domain_company(msg: Message, rules: JobRules) -> str | None:
    """A person's own company domain (jane@acme.example -> Acme), never a vendor's or a
    free mail provider's."""
    for addr in (*msg.reply_to, *msg.from_):
        if _is_company_domain(addr, rules):
            labels = addr.domain.split(".")
            core = labels[-3] if len(labels) > 2 and len(labels[-2]) <= 3 else labels[-2]
            return core.replace("-", " ").title()
    return None


def _is_company_domain(addr: Address, rules: JobRules) -> bool:
    domain = addr.domain
    if not domain or "." not in domain or domain in rules.free_mail or is_machine(addr):
        return False
    return vendor_at(domain, rules) is None


def role_of(subject: str, new: str, rules: JobRules, company: str | None = None) -> str | None:
    """The role named in the subject or the new text, if any (never the company's name)."""
    unlike = company or ""
    found = _first(rules.role.subject, subject, "role", rules, unlike)
    return found or _first(rules.role.body, new[:NAME_SCAN], "role", rules, unlike)
