"""The start-up check of the templates: every step renders against sample contexts.

A broken override (unknown variable, syntax error, unsafe subject, a file named after no step)
is a configuration error naming the file, found before any draft is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypedDict
from zoneinfo import ZoneInfo

from followthru.adapters.compose import Named, UnsafeHeader
from followthru.adapters.templates import (
    NOTE_TEMPLATES,
    SUFFIX,
    InterviewFacts,
    LetterContext,
    Person,
    Renderer,
    RenderError,
    day_text,
)
from followthru.config.reader import STEP_NAMES
from followthru.core.model import TASKS
from followthru.errors import ConfigError


def check_templates(templates_dir: Path | None, *, default_dir: Path | None = None) -> Renderer:
    """A Renderer whose every step template renders against the sample contexts (full and
    sparse), or ConfigError listing each broken or unknown file with the reason."""
    renderer = Renderer(templates_dir, default_dir=default_dir)
    problems = _unknown_files(templates_dir)
    for step in STEP_NAMES:
        problems.extend(_problems(renderer, step))
    if problems:
        raise ConfigError(str(templates_dir or renderer.dirs[-1]), problems)
    return renderer


def _unknown_files(folder: Path | None) -> list[str]:
    """Override files named after no step would be ignored silently: a typo must not pass."""
    if folder is None:
        return []
    return [
        f"{path}: not named after a step (<step>{SUFFIX}, steps: {', '.join(STEP_NAMES)})"
        for path in sorted(folder.glob("*.j2"))
        if path.name.removesuffix(SUFFIX) not in STEP_NAMES and path.name not in NOTE_TEMPLATES
    ]


def _problems(renderer: Renderer, step: str) -> list[str]:
    found: list[str] = []
    for sparse in (False, True):
        ctx = sample_context(step, sparse=sparse)
        try:
            renderer.render(step, ctx, **sample_headers(step, ctx))
        except UnsafeHeader as exc:  # from the template's subject line: name the file
            found.append(f"{renderer.path(step)}: {exc}")
        except RenderError as exc:
            found.append(str(exc))
    return list(dict.fromkeys(found))


_START = datetime(2026, 3, 10, 14, 0, tzinfo=ZoneInfo("Europe/Berlin"))
_ME = Person.of("Jane Doe", "jane@example.com")
_INTERVIEWER = Person.of(
    "Dana Whitfield",
    "dana.whitfield@acme.example",
    company="Acme Robotics",
    role="Engineering Manager",
)
_SOURCE = Person.of("Sam Rivera", "sam.rivera@globex.example", company="Globex")
_REFERRAL = Person.of(
    "Priya Natarajan",
    "priya@initech.example",
    company="Initech",
    role="Head of Platform",
    notes=("she built Initech's platform team from scratch",),
)
_INTERVIEW = InterviewFacts(
    day_text(_START),
    _START,
    _START + timedelta(hours=1),
    role="Senior Backend Engineer",
    company="Acme Robotics",
    notes=(
        "a calm, well-run on-call rotation with good runbooks",
        "moving billing to an event-driven design this year",
        "concern: I haven't run Kotlin in production",
    ),
    reply_by=date(2026, 3, 20),
)
_TRIED = (
    "an email on Monday 2 March, copying you",
    "a follow-up on Monday 9 March",
    "a second follow-up on Monday 16 March",
)


def sample_context(step: str, *, sparse: bool = False) -> LetterContext:
    """The context the start-up check renders `step` with. `sparse` leaves out everything
    optional: names of others, companies, roles, notes, the reply-by date, what was tried."""
    if step.startswith("source_"):
        ctx = LetterContext(_ME, _SOURCE, referral=_REFERRAL, what_was_tried=_TRIED)
    elif step.startswith("referral_"):
        ctx = LetterContext(_ME, _REFERRAL, source=_SOURCE)
    else:
        ctx = LetterContext(_ME, _INTERVIEWER, interview=_INTERVIEW)
    return _sparse(ctx) if sparse else ctx


def _sparse(ctx: LetterContext) -> LetterContext:
    def bare(person: Person | None) -> Person | None:
        return None if person is None else Person("", person.email)

    interview = ctx.interview and InterviewFacts(
        ctx.interview.day, ctx.interview.start, ctx.interview.end
    )
    return replace(
        ctx,
        contact=Person("", ctx.contact.email),
        source=bare(ctx.source),
        referral=bare(ctx.referral),
        interview=interview,
        what_was_tried=(),
    )


class SampleHeaders(TypedDict):
    from_addr: Named
    to: Sequence[Named]
    cc: Sequence[Named]
    message_id: str
    date: datetime


def sample_headers(step: str, ctx: LetterContext) -> SampleHeaders:
    """Header arguments for render() that fit `step` and `ctx`: tasks go to the user, the
    referral's first letter copies the source."""
    copy = step == "referral_intro" and ctx.source is not None
    return {
        "from_addr": ctx.me,
        "to": [ctx.me if step in TASKS else ctx.contact],
        "cc": [ctx.source] if copy and ctx.source else [],
        "message_id": "<20260310130000.0123456789abcdef01234567@example.com>",
        "date": _START + timedelta(hours=2),
    }
