"""HTML to plain text for classification: fast regex rendering, not a browser.

Invariants: linear time in the (bounded) input; never raises; text inside <blockquote>
comes out with "> " line prefixes so the quote stripper treats it like plain-text quoting;
<head>, <style> and <script> contents are dropped.
"""

from __future__ import annotations

import html
import re

MAX_HTML = 512 * 1024

# Tags end at the first ">" or at the next "<": `[^>]*` alone would scan to the end of the
# input from every "<" that is never closed, quadratic in hostile markup ("<p <p <p ...").
_HIDDEN = re.compile(r"<(head|style|script|title)\b|<!--", re.I)
_HIDDEN_END = {
    name: re.compile(rf"</{name}\s*>", re.I) for name in ("head", "style", "script", "title")
}
_HIDDEN_END["<!--"] = re.compile("-->")
_BQ_OPEN = re.compile(r"<blockquote\b[^<>]*>", re.I)
_BQ_CLOSE = re.compile(r"</blockquote\s*>", re.I)
_BREAK = re.compile(r"<(?:br|/p|/div|/tr|/li|/h\d|hr|p|div|tr|li|table|/table)\b[^<>]*>", re.I)
_TAG = re.compile(r"<[^<>]*>")
_SPACES = re.compile(r"[ \t\u00a0]+")
_OPEN_MARK = "\x01"
_CLOSE_MARK = "\x02"


def to_text(markup: str) -> str:
    """Render HTML to text lines; blockquoted lines get "> " per nesting level."""
    body = _drop_hidden(markup[:MAX_HTML]).replace("\r", " ").replace("\n", " ")
    body = _BQ_OPEN.sub(f"\n{_OPEN_MARK}\n", body)
    body = _BQ_CLOSE.sub(f"\n{_CLOSE_MARK}\n", body)
    body = _BREAK.sub("\n", body)
    body = html.unescape(_TAG.sub("", body))
    return _quote_levels(body)


def _drop_hidden(markup: str) -> str:
    """<head>, <style>, <script>, <title> and comments removed with what they hold. An opener
    that is never closed stays (its tag is stripped later, its text kept); once a closer was
    not found, it is not looked for again, which keeps this linear (a lazy `.*?` regex
    rescans to the end for every unclosed opener)."""
    out: list[str] = []
    pos = 0
    absent: set[str] = set()
    while (opener := _HIDDEN.search(markup, pos)) is not None:
        name = (opener.group(1) or "<!--").lower()
        closer = None if name in absent else _HIDDEN_END[name].search(markup, opener.end())
        if closer is None:
            absent.add(name)
            out.append(markup[pos : opener.end()])
            pos = opener.end()
            continue
        out.append(markup[pos : opener.start()])
        pos = closer.end()
    out.append(markup[pos:])
    return "".join(out)


def _quote_levels(body: str) -> str:
    depth = 0
    lines: list[str] = []
    for raw in body.split("\n"):
        line = _SPACES.sub(" ", raw).strip()
        if line == _OPEN_MARK:
            depth += 1
        elif line == _CLOSE_MARK:
            depth = max(0, depth - 1)
        elif line or (lines and lines[-1]):
            lines.append("> " * depth + line if line else "")
    return "\n".join(lines).strip()
