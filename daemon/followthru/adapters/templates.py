"""Jinja2 templates -> full RFC 5322 drafts (EmailMessage), and the start-up template check.

One template per step (`<step>.txt.j2`): its first line is `Subject: ...`, the rest is the
plain-text body, one paragraph per line (this module wraps near 72 columns). A
`templates_dir` overrides the shipped templates file by file. Things the user must write
themselves are marked `[[ADD: ...]]` (core/drafts.py's PLACEHOLDER_MARK and `placeholders()`).

Invariants:
- Undefined variables are errors (StrictUndefined): `check_templates` renders every template
  against a full and a sparse sample context at start-up and reports every broken file,
  with its line, in one ConfigError.
- Headers are set only through EmailMessage(policy=SMTP) and headerregistry.Address, never by
  string formatting. Recipients come from the caller (the store), never from the headers of
  a parsed inbound message.
- Every value bound for a header is checked first: the context's one-line fields (a subject
  may quote them), names, addresses, subject, Message-IDs. No line breaks of any kind (CR,
  LF, U+2028, U+2029, U+0085, ...), no NUL or other C0/C1 controls, no RFC 2047
  encoded-words, bounded length, addresses as plain dot-atoms, Message-IDs as `<id@domain>`.
  A violation raises UnsafeHeader naming the field (`to[0].email`); nothing is cleaned.
- The finished message is read back with policy.default: a reader sees exactly the headers,
  recipients and values we meant, or UnsafeHeader (CPython 3.11 folds a long quoted display
  name without its quotes, which can read back as other addresses).
- A letter that follows a thread (`thread_subject`) is titled `Re: <thread>`: one `Re:`,
  whatever prefixes (Re, RE, Aw, Fwd, ...) the thread had.
"""

from __future__ import annotations

import re
import textwrap
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path

import jinja2
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from followthru import resources
from followthru.adapters.compose import (
    MAX_NAME,
    MAX_SUBJECT,
    DraftError,
    Named,
    check_text,
    compose,
    strip_reply_prefixes,
)
from followthru.config.reader import STEP_NAMES
from followthru.core.digest import Digest
from followthru.core.model import REFERRAL_STEPS, SOURCE_NOTES, Step

SUFFIX = ".txt.j2"
NOTE_TEMPLATES = ("digest.txt.j2", "digest.html.j2", "note.txt.j2")
"""followthru's own messages to the user (the digest, urgent notes): overridable like the
letters, named for what they are, not after a step."""
WIDTH = 72
_BULLET = re.compile(r"\s*(?:[-*•]|\d+[.)])\s+")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_HONORIFICS = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "sir", "dame"})
_NEEDS = {  # what each step's letter needs in its context
    step.value: "referral"
    if step in SOURCE_NOTES
    else "source"
    if step in REFERRAL_STEPS
    else "interview"
    for step in Step
}


class RenderError(DraftError):
    """A template failed, or the context lacks a part the step needs."""


# ---------------------------------------------------------------- the context


@dataclass(frozen=True, slots=True)
class Person:
    """Someone a letter names: the user, the contact, a source or a referral.

    `name` is "" when unknown (templates then fall back to the address). `company`, `role`
    and `notes` are the store's; for a referral, `notes` say why the source suggested them.
    """

    name: str
    email: str
    first_name: str = ""
    company: str | None = None
    role: str | None = None
    notes: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        name: str,
        email: str,
        *,
        company: str | None = None,
        role: str | None = None,
        notes: tuple[str, ...] = (),
    ) -> Person:
        """A Person whose first name is taken from `name` ("Dr. Dana Whitfield" -> "Dana")."""
        return cls(name, email, first_name_of(name), company, role, notes)


@dataclass(frozen=True, slots=True)
class InterviewFacts:
    """One interview. `day` is display text ("Tuesday 10 March", see day_text); datetimes
    are aware and in the user's zone. Notes starting with "concern:" are concerns."""

    day: str
    start: datetime
    end: datetime
    role: str | None = None
    company: str | None = None
    notes: tuple[str, ...] = ()
    reply_by: date | None = None


@dataclass(frozen=True, slots=True)
class LetterContext:
    """Everything a template may use. Interviewer steps need `interview`, referral steps
    `source`, notes to a source (`source_*`, where `contact` is the source) `referral`.
    `thread_subject` set means the letter follows that thread: its subject is `Re: ...`."""

    me: Person
    contact: Person
    interview: InterviewFacts | None = None
    source: Person | None = None
    referral: Person | None = None
    what_was_tried: tuple[str, ...] = ()
    thread_subject: str | None = None


@dataclass(frozen=True, slots=True)
class Letter:
    """A rendered template: the subject (already `Re:` when following a thread) and body."""

    subject: str
    body: str


# ---------------------------------------------------------------- small helpers


def first_name_of(name: str) -> str:
    """The first given name: "Whitfield, Dana" -> "Dana"; honorifics are skipped."""
    family, comma, given = name.partition(",")
    words = (given if comma else family).split()
    for word in words:
        if word.rstrip(".").lower() not in _HONORIFICS:
            return word
    return ""


def day_text(day: date) -> str:
    """`Tuesday 10 March`, in English whatever the host locale."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


def clock_text(moment: datetime) -> str:
    """`14:00`, in the datetime's own zone."""
    return moment.strftime("%H:%M")


def notes_of_kind(notes: Sequence[str], kind: str) -> list[str]:
    """Jinja filter: `concerns` are notes starting with "concern:" (prefix removed), `values`
    the others."""
    concerns = [n.split(":", 1)[1].strip() for n in notes if n.lower().startswith("concern:")]
    if kind == "concerns":
        return concerns
    return [n for n in notes if not n.lower().startswith("concern:")]


# ---------------------------------------------------------------- rendering


class Renderer:
    """The templates of one configuration: `templates_dir` (if any) first, then the defaults.

    Templates are read once (no auto-reload), so what `check_templates` accepted is what
    renders until the next start or reload.
    """

    def __init__(self, templates_dir: Path | None = None, *, default_dir: Path | None = None):
        shipped = default_dir or resources.templates_dir()
        self.dirs = tuple(d for d in (templates_dir, shipped) if d is not None)
        self._env = Environment(
            loader=ChoiceLoader([FileSystemLoader(d) for d in self.dirs]),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
            autoescape=select_autoescape(["html", "html.j2"], default=False),
        )
        self._env.filters.update(day=day_text, clock=clock_text, notes=notes_of_kind)

    def letter(self, step: str, ctx: LetterContext) -> Letter:
        """The subject and the wrapped body of `step` for `ctx`; raises RenderError."""
        _check_context(step, ctx)
        template = self._template(step)
        subject, body = _split(_run(template, ctx), template.filename or step)
        thread = strip_reply_prefixes(ctx.thread_subject or "")
        return Letter(f"Re: {thread}" if thread else subject, wrap(body))

    def render(  # noqa: PLR0913 -- one keyword per header the caller owns
        self,
        step: str,
        ctx: LetterContext,
        *,
        from_addr: Named,
        to: Sequence[Named],
        cc: Sequence[Named] = (),
        message_id: str,
        date: datetime,
        in_reply_to: str | None = None,
        references: Sequence[str] = (),
    ) -> EmailMessage:
        """The full draft: From, To, Cc, Subject, Date, Message-ID, threading, text body.

        Raises RenderError (template, context) or UnsafeHeader (naming the field); both are
        DraftErrors.
        """
        letter = self.letter(step, ctx)
        return compose(
            letter.subject,
            letter.body,
            from_addr=from_addr,
            to=to,
            cc=cc,
            message_id=message_id,
            date=date,
            in_reply_to=in_reply_to,
            references=references,
        )

    def path(self, step: str) -> str:
        """The file `step` renders from (an override or the shipped one)."""
        return self._template(step).filename or step + SUFFIX

    def digest(self, digest: Digest, day: str) -> tuple[str, str, str]:
        """The digest's subject, plain text and HTML (digest.txt.j2, digest.html.j2)."""
        variables = {"day": day, "waiting": digest.waiting, "happened": digest.happened,
                     "waiting_count": digest.waiting_total,
                     "coming": digest.coming}  # fmt: skip
        subject, text = _split(self._note("digest.txt.j2").render(variables), "digest.txt.j2")
        return subject, text, self._note("digest.html.j2").render(variables)

    def note(self, title: str, text: str) -> tuple[str, str]:
        """An urgent note's subject and text (note.txt.j2)."""
        rendered = self._note("note.txt.j2").render({"title": title, "text": text})
        return _split(rendered, "note.txt.j2")

    def _note(self, name: str) -> jinja2.Template:
        try:
            return self._env.get_template(name)
        except jinja2.TemplateError as exc:
            raise RenderError(f"{name}: {exc}") from exc

    def _template(self, step: str) -> jinja2.Template:
        name = step + SUFFIX
        try:
            return self._env.get_template(name)
        except jinja2.TemplateNotFound as exc:
            where = " or ".join(str(d) for d in self.dirs)
            raise RenderError(f"{name}: no such template in {where}") from exc
        except jinja2.TemplateSyntaxError as exc:
            raise RenderError(f"{exc.filename}, line {exc.lineno}: {exc.message}") from exc


def _run(template: jinja2.Template, ctx: LetterContext) -> str:
    variables = {f.name: getattr(ctx, f.name) for f in fields(ctx)}
    try:
        return template.render(variables)
    # Template code is user-written: these are the ways it fails on a context (StrictUndefined,
    # a filter given None, a bad index). Each becomes an error that names the file and line.
    except (
        jinja2.TemplateError,
        TypeError,
        ValueError,
        AttributeError,
        LookupError,
        ArithmeticError,
    ) as exc:
        raise RenderError(f"{_where(template.filename or '?', exc)}: {exc}") from exc


def _where(filename: str, exc: BaseException) -> str:
    """`file, line N`: Jinja rewrites tracebacks so template frames carry the template's lines."""
    lines = [n for f, n in traceback.walk_tb(exc.__traceback__) if f.f_code.co_filename == filename]
    return f"{filename}, line {lines[-1]}" if lines else filename


def _split(text: str, filename: str) -> tuple[str, str]:
    head, _, body = text.lstrip().partition("\n")
    key, colon, subject = head.partition(":")
    if key.strip().lower() != "subject" or not colon or not subject.strip():
        raise RenderError(f"{filename}: the first line must be 'Subject: ...'")
    return subject.strip(), body


def _check_context(step: str, ctx: LetterContext) -> None:
    if step not in STEP_NAMES:
        raise RenderError(f"unknown step {step!r} (the steps are {', '.join(STEP_NAMES)})")
    if getattr(ctx, _NEEDS[step]) is None:
        raise RenderError(f"step {step} needs ctx.{_NEEDS[step]}, which is None")
    for name, value in _one_line_fields(ctx):
        if value is not None:
            check_text(name, value, MAX_NAME)
    if ctx.thread_subject is not None:
        check_text("thread_subject", ctx.thread_subject, MAX_SUBJECT)


def _one_line_fields(ctx: LetterContext) -> Iterator[tuple[str, str | None]]:
    """Context values that may reach a header (names, or a subject quoting them)."""
    for role in ("me", "contact", "source", "referral"):
        person = getattr(ctx, role)
        if person is not None:
            for name in ("name", "first_name", "email", "company", "role"):
                yield f"{role}.{name}", getattr(person, name)
    if ctx.interview is not None:
        for name in ("day", "role", "company"):
            yield f"interview.{name}", getattr(ctx.interview, name)


def wrap(body: str) -> str:
    """Each line wrapped near WIDTH (bullets with a hanging indent, `>` quotes untouched),
    runs of blank lines squeezed to one, one final newline."""
    lines = [piece for line in body.split("\n") for piece in _wrap_line(line.rstrip())]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


def _wrap_line(line: str) -> list[str]:
    if len(line) <= WIDTH or line.lstrip().startswith(">"):
        return [line]
    bullet = _BULLET.match(line)
    hang = bullet.end() if bullet else len(line) - len(line.lstrip())
    return textwrap.wrap(
        line, WIDTH, subsequent_indent=" " * hang, break_long_words=False, break_on_hyphens=False
    )
