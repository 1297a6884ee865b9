"""What bounce text says: MTA wordings, failure reasons and status codes (sisimai-style).

This module is knowledge, not control flow: compiled patterns plus two small readers,
`reason_of(text)` and `status_of(text)`. Invariants: pure; patterns are linear-time
(no nested quantifiers); everything matches on lowercased text.

Reasons (a closed vocabulary): user_unknown, host_unknown, moved, disabled, not_accepted
(hard when 5xx); mailbox_full, too_big, rate_limited, greylisted, policy, content,
relay_denied, expired, system, network (never hard); "" when nothing is known.
"""

from __future__ import annotations

import re

HARD_REASONS = frozenset({"user_unknown", "host_unknown", "moved", "disabled"})

# Phrases that only a mail server writes, each naming the software that writes it.
MTA_MARKERS: tuple[tuple[str, str], ...] = (
    ("postfix", "this is the mail system at host"),
    ("postfix", "the postfix program"),
    ("postfix", "i'm sorry to have to inform you that your message could not"),
    ("exim", "this message was created automatically by mail delivery software"),
    ("exim", "a message that you sent could not be delivered to one or more of its"),
    ("exim", "a message that you sent has not yet been delivered to one or more of its"),
    ("sendmail", "the original message was received at"),
    ("sendmail", "----- the following addresses had permanent fatal errors -----"),
    ("sendmail", "----- transcript of session follows -----"),
    ("qmail", "this is the qmail-send program"),
    ("qmail", "i'm afraid i wasn't able to deliver your message"),
    ("qmail", "i wasn't able to deliver your message to the following addresses"),
    ("exchange", "delivery has failed to these recipients or groups"),
    ("exchange", "did not reach the following recipient(s)"),
    ("exchange", "your message did not reach some or all of the intended recipients"),
    ("exchange", "the following recipient(s) cannot be reached"),
    ("exchange", "diagnostic information for administrators"),
    ("office365", "remote server returned '5"),
    ("gmail", "delivery to the following recipient failed permanently"),
    ("gmail", "delivery to the following recipients failed permanently"),
    ("gmail", "delivery to the following recipient has been delayed"),
    ("gmail", "technical details of permanent failure"),
    ("gmail", "technical details of temporary failure"),
    ("gmail", "** address not found **"),
    ("gmail", "** message not delivered **"),
    ("gmail", "** message blocked **"),
    ("yahoo", "sorry, we were unable to deliver your message to the following address"),
    ("outlook.com", "this is an automatically generated delivery status notification"),
    ("outlook.com", "delivery to the following recipients failed"),
    ("courier", "running the courier mail server"),
    ("courier", "your message to the following recipients cannot be delivered"),
    ("domino", "------- failure reasons --------"),
    ("domino", "not listed in domino directory"),
    ("domino", "not listed in public name & address book"),
    ("messaging-server", "this report relates to a message you sent with the following header"),
    ("messaging-server", "your message cannot be delivered to the following recipients"),
    ("amazon-ses", "an error occurred while trying to deliver the mail to the following"),
    ("opensmtpd", "an error has occurred while attempting to deliver a message for"),
    ("mailmarshal", "your message could not be delivered to the following recipients"),
    ("generic", "this is a permanent error; i've given up"),
    ("generic", "permanent fatal errors"),
    ("generic", "delivery status notification (failure)"),
    ("generic", "mail delivery failed: returning message to sender"),
    ("generic", "undelivered mail returned to sender"),
    ("generic", "this is an automatically generated delivery status notification"),
    ("generic", "the following addresses had delivery problems"),
)

# Phrases a mail server writes but a person might too: they count only with other evidence.
WEAK_MARKERS: tuple[tuple[str, str], ...] = (
    ("office365", "couldn't be delivered"),
    ("office365", "your message couldn't be delivered"),
    ("gmail", "your message wasn't delivered to"),
    ("gmail", "there was a problem delivering your message to"),
    ("yahoo", "message from yahoo mail"),
    ("domino", "was not delivered to:"),
    ("notes", "delivery failure report"),
    ("mailmarshal", "your message:"),
    ("generic", "could not be delivered to the following recipients"),
    ("generic", "your message could not be delivered"),
    ("generic", "message could not be delivered to"),
    ("generic", "unable to deliver your message"),
    ("generic", "the following message to <"),
    ("german", "konnte nicht zugestellt werden"),
    ("german", "die nachricht konnte nicht"),
    ("french", "n'a pas pu être remis"),
    ("french", "n'a pas pu être distribué"),
    ("spanish", "no se pudo entregar"),
    ("italian", "non è stato possibile recapitare"),
    ("dutch", "kon niet worden bezorgd"),
    ("portuguese", "não foi possível entregar"),
)
_MARKER_RE = re.compile("|".join(re.escape(p) for _, p in MTA_MARKERS))
_MARKER_NAME = {p: name for name, p in MTA_MARKERS}
_WEAK_RE = re.compile("|".join(re.escape(p) for _, p in WEAK_MARKERS))
_WEAK_NAME = {p: name for name, p in WEAK_MARKERS}

GENERIC_WORDING = re.compile(
    r"could\ not\ be\ delivered|couldn't\ be\ delivered|undeliver|delivery\ fail|failed\ delivery"
    r"|delivery\ has\ failed|failed\ permanently|was\ not\ delivered|wasn't\ delivered"
    r"|unable\ to\ deliver|permanent\ error|not\ be\ delivered|returned\ mail|delivery\ status"
    r"|could\ not\ deliver|user\ unknown|unknown\ user|no\ such\ user|does\ not\ exist"
    r"|mailbox\ unavailable|recipient\ address\ rejected|delivery\ problem|non-delivery"
    r"|nicht\ zugestellt|unzustellbar|non\ remis|non\ distribu|no\ se\ pudo\ entregar"
    r"|non\ recapitabil|niet\ bezorgd|kon\ niet\ worden|não\ entregue|\b5\d\d[\s-]+5\.\d\.\d"
    r"|не\ может\ быть\ доставлено|не\ доставлено|не\ удалось\ доставить",
    re.X,
)

BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery\ status\ notification|delivery\ notification|returned\ mail"
    r"|mail\ delivery\ fail|delivery\ fail|failure\ notice|delivery\ report|mail\ system\ error"
    r"|non[\ -]?deliver|could\ not\ (?:be\ )?deliver|couldn't\ be\ delivered|not\ delivered"
    r"|message\ not\ delivered|returned\ to\ sender|warning:\ could"
    r"|delayed\ mail|delivery\ delayed|mail\ could\ not|unzustellbar|nicht\ zustellbar"
    r"|non\ remis|non\ distribu|no\ entregado|no\ se\ pudo|non\ recapitabile|onbestelbaar"
    r"|niet\ bezorgd|não\ entregue|mensagem\ não|retour\ de\ courrier|недоставлен|не\ доставлен",
    re.X,
)

# Where the copy of the original message starts inside a bounce's text.
ORIGINAL_MARKER = re.compile(
    r"^[ \t]*(?:-{2,}\ ?(?:this\ is\ a\ copy\ of|below\ this\ line\ is\ a\ copy|original\ message"
    r"|returned\ message|unsent\ message|the\ header\ of\ the\ original|message\ headers?\ follow"
    r"|original\ message\ headers?|forwarded\ message|begin\ message|ниже\ находится\ копия)"
    r"|original\ message\ headers:|---\ below\ this\ line|content-type:\ message/rfc822"
    r"|------\ this\ is\ a\ copy|\*\*\*\ original\ message|original\ message\ follows"
    r"|the\ original\ message\ (?:was|is)\ (?:attached|included|below))",
    re.X | re.M,
)

_REASON_PATTERNS: tuple[tuple[str, str], ...] = (
    # A lock the server calls temporary is not a dead address, whatever the reply code.
    (
        "temporarily_locked",
        r"temporarily\ (?:locked|disabled|suspended|blocked|deactivated)"
        r"|(?:locked|suspended)\ temporarily",
    ),
    # A DNS lookup that failed for now ("Name service error ... Host not found, try again",
    # 4.4.3) says nothing about the domain: it must not read as "host not found" below.
    # Without "try again" the same wording is Postfix's permanent NXDOMAIN answer.
    (
        "dns_temporary",
        r"host\ not\ found,\ try\ again|host\ name\ lookup\ failure|name\ server\ timeout"
        r"|temporary\ (?:dns|lookup)\ failure|dns\ lookup\ (?:timed\ out|failure)",
    ),
    ("moved", r"has\ moved|address\ has\ changed|no\ longer\ at\ this\ address|5\.1\.6\b"),
    (
        "user_unknown",
        r"user\ unknown|unknown\ user|no\ such\ (?:user|mailbox|recipient|address"
        r"|person|account)|does\ not\ exist|doesn't\ exist|not\ exist|address\ not\ found"
        r"|recipient\ not\ found|user\ not\ found|mailbox\ not\ found|unknown\ recipient"
        r"|unknown\ (?:local\ )?(?:mailbox|address|account)|invalid\ (?:recipient|mailbox|address"
        r"|user)|is\ not\ a\ valid\ (?:mailbox|user|recipient)|recipnotfound|recipientnotfound"
        r"|adr\.recip|not\ listed\ in|no\ mailbox|mailbox\ unavailable|mailbox\ is\ unavailable"
        r"|user\ doesn't\ have\ a|account\ (?:does\ not|doesn't)\ exist|not\ a\ known\ user"
        r"|bad\ destination\ mailbox|badrecipient|unrouteable\ address|unroutable\ address"
        r"|couldn't\ be\ found|could\ not\ be\ found|wasn't\ found\ at|was\ not\ found\ at"
        r"|no\ account\ by\ that\ name|address\ rejected:\ access\ denied|not\ our\ customer"
        r"|recipient\ (?:address\ )?rejected(?::|\ -)?\ (?:user\ unknown|unknown|invalid)"
        r"|utilisateur\ inconnu"
        r"|unbekannt|existiert\ nicht|no\ existe|sconosciut|onbekend|desconhecid|inexistente"
        r"|address\ couldn't\ be\ found|is\ unable\ to\ receive\ mail|invalid\ address"
        r"|email\ account\ that\ you\ tried\ to\ reach\ does\ not\ exist|not\ a\ valid\ recipient"
        r"|mailbox\ (?:does\ not|doesn't)\ exist|user\ (?:does\ not|doesn't)\ exist|no\ valid\ recip"
        r"|recipient\ unknown|address\ unknown|addressee\ unknown|user\ not\ known|unknown\ or\ illegal"
        r"|not\ a\ valid\ user|mailbox\ invalid|invalid\ mailbox|user\ invalid"
        r"|unknown\ e-?mail\ address|invalid\ final\ delivery\ userid|mailbox\ name\ not\ allowed"
        r"|пользователь\ не\ найден|нет\ такого\ пользователя|адресат\ не\ найден"
        r"|адрес\ не\ существует|почтовый\ ящик\ не\ (?:существует|найден)",
    ),
    (
        "mailbox_full",
        r"mailbox\ (?:is\ )?full|over\ quota|quota\ exceeded|exceeded\ (?:the\ )?"
        r"(?:storage|quota)|exceeds\ (?:the\ )?(?:storage|quota)|insufficient\ (?:disk\ )?space"
        r"|out\ of\ storage|storage\ limit|mailbox\ size\ limit|not\ enough\ space|overquota"
        r"|quota|postfach\ voll|speicherplatz|boîte\ pleine|buzón\ lleno|casella\ piena"
        r"|mailfolder\ is\ full|exceeded\ storage|user\ is\ over|is\ full",
    ),
    (
        "host_unknown",
        r"host\ unknown|unknown\ host|host\ not\ found|domain\ not\ found"
        r"|no\ such\ domain|domain\ (?:does\ not|doesn't)\ exist|unknown\ domain|name\ or\ service"
        r"|nxdomain|host\ or\ domain\ name\ not\ found|name\ server\ error|dns\ error"
        r"|no\ mx\ |mx\ records?\ (?:point|for)|non-existent\ hosts?|unrouteable\ mail\ domain"
        r"|domain\ name\ not\ found|nodename\ nor\ servname|domain\ is\ not\ (?:valid|configured)"
        r"|unable\ to\ route|cannot\ route|could\ not\ route|invalid\ domain|null\ mx"
        r"|does\ not\ accept\ mail\ \(nullmx\)|no\ route\ to\ host|domain\ is\ not\ reachable",
    ),
    (
        "disabled",
        r"disabled|deactivated|suspended|inactive|account\ expired|account\ is\ locked"
        r"|mailbox\ is\ frozen|account\ has\ been\ closed|no\ longer\ (?:active|in\ use|valid"
        r"|available|accepts)|mailbox\ closed|account\ closed|deaktiviert|gesperrt",
    ),
    (
        "too_big",
        r"too\ (?:big|large)|message\ size|exceeds\ (?:the\ )?(?:maximum|size|message)"
        r"|size\ limit|message\ length\ exceeds|mesgtoobig|larger\ than",
    ),
    (
        "rate_limited",
        r"rate\ limit|too\ many\ (?:messages|connections|recipients|emails)"
        r"|receiving\ mail\ (?:at\ a\ rate|too\ quickly)|try\ again\ later|throttl|slow\ down"
        r"|exceeded\ (?:the\ )?(?:rate|sending|limit)|limit\ exceeded|too\ fast",
    ),
    (
        "policy",
        r"spamhaus|blacklist|blocklist|block\ list|black\ list|\bdnsbl|\brbl\b"
        r"|listed\ (?:at|in|on|by)|\bspam\b|junk\ mail|dmarc|\bspf\b|\bdkim\b|reputation"
        r"|banned\ sender|sender\ denied|sender\ rejected|sender\ blocked|blocked\ using"
        r"|rejected\ due\ to\ (?:local\ )?policy|policy\ (?:violation|reasons|rejection)"
        r"|message\ rejected\ as|access\ denied.{0,20}\bip\b|\bip\ .{0,30}blocked|phish"
        r"|not\ authorized\ to\ send|unauthenticated\ email|authentication\ (?:required|failed)"
        r"|ptr\ record|reverse\ dns|rdns|client\ host\ rejected|helo\ command\ rejected",
    ),
    ("greylisted", r"greylist|graylist|grey-list|try\ again\ in\ \d|deferred|temporarily"),
    (
        "content",
        r"virus|malware|content\ (?:filter|rejected)|message\ content"
        r"|filtered|prohibited|suspicious|rejected\ by\ content|harmful",
    ),
    (
        "relay_denied",
        r"relay(?:ing)?\ (?:access\ )?denied|relaying\ denied|not\ permitted\ to"
        r"\ relay|unable\ to\ relay|relay\ not\ permitted|we\ do\ not\ relay|no\ relaying",
    ),
    (
        "not_accepted",
        r"does\ not\ accept\ mail|not\ accepting\ mail|not\ accept(?:ing)?\ "
        r"(?:any\ )?(?:e-?)?mail|refuses?\ to\ accept|refused\ to\ accept|accepts\ no\ mail",
    ),
    # A bare "542 Rejected": the server refuses the recipient and says no more (SPEC: a 5xx
    # refusal to take mail for the address at all is permanent).
    ("refused", r"\b5\d\d[\ -]rejected(?![\w:]|\ (?:by|due|for|as|because|-))"),
    (
        "expired",
        r"retry\ timeout\ exceeded|retry\ time\ (?:not\ reached|exceeded)|delivery\ time"
        r"\ expired|could\ not\ be\ delivered\ for|expired|queue\ too\ long|gave\ up|giving\ up"
        r"|has\ not\ yet\ been\ delivered|been\ delayed|will\ (?:continue|keep)\ trying|still"
        r"\ being\ retried|timed?\ out|time\ limit",
    ),
    (
        "network",
        r"connection\ (?:refused|timed\ out|reset|lost)|no\ answer|network\ error"
        r"|could\ not\ connect|unable\ to\ connect|lost\ connection|routing\ loop|mail\ loop"
        r"|too\ many\ hops|hop\ count\ exceeded|forwarding\ loop|loop\ detected",
    ),
    (
        "system",
        r"system\ error|internal\ error|local\ error|server\ error|i/o\ error"
        r"|mail\ system\ (?:full|error)|service\ unavailable|not\ available",
    ),
)
_REASONS = tuple((name, re.compile(pattern, re.X)) for name, pattern in _REASON_PATTERNS)

_STATUS = re.compile(r"(?<![\d.])([45])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_REPLY = re.compile(r"(?:^|[\s#(:'\"<\[=])([45][0-5]\d)(?=[\s\-]|$)", re.M)

_STATUS_REASON = {
    "1.1": "user_unknown", "1.0": "user_unknown", "1.3": "user_unknown",
    "1.10": "user_unknown", "1.2": "host_unknown", "1.6": "moved", "2.1": "disabled",
    "2.2": "mailbox_full", "2.3": "too_big", "3.4": "too_big", "4.4": "host_unknown",
    "4.7": "expired", "4.1": "network", "4.2": "network", "4.6": "network",
    "7.1": "policy", "7.0": "policy", "7.26": "policy", "7.23": "policy", "7.25": "policy",
    "7.27": "policy", "7.509": "policy", "7.606": "policy", "7.8": "policy", "7.7": "policy",
    "7.9": "policy", "6.0": "content", "7.13": "disabled", "7.57": "policy",
    "2.0": "mailbox_full", "4.3": "system", "3.2": "system", "3.0": "system",
    "3.5": "system", "5.3": "rate_limited", "7.28": "rate_limited", "2.4": "system",
    "1.7": "policy", "1.8": "policy",
}  # fmt: skip
_CANONICAL = {
    "user_unknown": "1.1", "host_unknown": "1.2", "moved": "1.6", "disabled": "2.1",
    "mailbox_full": "2.2", "too_big": "3.4", "policy": "7.1", "content": "6.0",
    "rate_limited": "7.1", "relay_denied": "7.1", "expired": "4.7", "network": "4.0",
    "system": "3.0", "greylisted": "7.1", "not_accepted": "1.10", "refused": "0.0",
    "temporarily_locked": "2.1", "dns_temporary": "4.3",
}  # fmt: skip


def marker(text: str) -> str:
    """The name of the MTA whose bounce wording appears in (lowercased) text, or ""."""
    m = _MARKER_RE.search(text)
    return _MARKER_NAME[m.group(0)] if m else ""


def weak_marker(text: str) -> str:
    """Like `marker`, for wording a person could also write."""
    m = _WEAK_RE.search(text)
    return _WEAK_NAME[m.group(0)] if m else ""


_SENDER_PROBLEM = re.compile(
    r"sender address rejected|in reply to mail from|after mail from|sender verify failed"
    r"|unverified sender|sender domain (?:must|is not|does not)|envelope sender"
    r"|domain of sender address|sender rejected|sender address (?:\S+ )?does not exist"
)
_SPACES = re.compile(r"\s+")
# A wrapper quoting the remote server's own answer: SES's "5.1.0 - Unknown address error
# 550-'5.2.2 ... Mailbox Full'", Exchange's "Remote Server returned '550 5.1.1 ...'".
_INNER_REPLY = re.compile(r"['\"]((?:[45]\d\d[\ -])?[45]\.\d{1,3}\.\d{1,3}[^'\"]{0,300})['\"]")


def reason_of(text: str) -> str:
    """The first failure reason whose wording appears in (lowercased) text, or "".

    A refusal of our *sender* address is a policy matter, whatever else it says. Runs of
    white space count as one (a folded Diagnostic-Code leaves "sender    rejected")."""
    text = _SPACES.sub(" ", text)
    if _SENDER_PROBLEM.search(text):
        return "policy"
    for name, pattern in _REASONS:
        if pattern.search(text):
            return name
    return ""


def inner_reply(text: str) -> str:
    """The remote server's answer quoted inside a wrapper's diagnostic, or "".

    The wrapper's own code describes the relay's view ("unknown address error"); the quoted
    answer is what the recipient's server said, so its status and words win."""
    m = _INNER_REPLY.search(text)
    return m.group(1) if m else ""


def status_of(text: str) -> str:
    """The most specific RFC 3463 status in text ("5.1.1"); a bare 5.0.0 loses to others."""
    found = [m.group(0) for m in _STATUS.finditer(text)]
    specific = [s for s in found if not s.endswith(".0.0")]
    return (specific or found or [""])[0]


def reply_class(text: str) -> str:
    """ "4" or "5" from the first SMTP reply code in text, or ""."""
    m = _REPLY.search(text)
    return m.group(1)[0] if m else ""


def reason_of_status(status: str) -> str:
    """The reason an RFC 3463 status implies ("5.1.1" -> user_unknown), or ""."""
    _, _, detail = status.partition(".")
    return _STATUS_REASON.get(detail, "policy" if detail.startswith("7.") else "")


def canonical_status(reason: str, klass: str) -> str:
    """A status for a reason read from words only (klass "4" or "5")."""
    return f"{klass}.{_CANONICAL.get(reason, '0.0')}"
