"""The `followthru` command: argparse, config, logging, and exit codes (nothing else decides them).

Exit codes (SPEC "Command line"): 0 ok; 1 runtime failure, with a one-line reason; 2 bad usage
or bad config, naming the file, the key and the problem; 78 (EX_CONFIG) from `run` when the
config is unusable, so that systemd does not restart-loop.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from followthru import __version__
from followthru.config import Config, default_config_path, load_config
from followthru.errors import ConfigError, FollowthruError, UsageError
from followthru.logs import scrub, setup_logging

if TYPE_CHECKING:
    from followthru.service.contacts import Service

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_CONFIG = 0, 1, 2, 78
STEPS_HELP = "thank_you, phone_message, check_in, ... (see `followthru --help`)"


def _common() -> argparse.ArgumentParser:
    """Options every command takes, before or after the command name.

    SUPPRESS as default lets the value given at either place survive the merge of namespaces.
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                        help="config file (default: $FOLLOWTHRU_CONFIG, else ~/.config/followthru/config.yaml)")  # fmt: skip
    common.add_argument("--now", metavar="ISO", default=argparse.SUPPRESS,
                        help="pin the clock for this command, e.g. 2026-03-02T15:30:00+01:00")  # fmt: skip
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="debug logging (IMAP protocol traces included; secrets are always masked)")  # fmt: skip
    return common


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", default=False, help="print JSON only, on stdout"
    )


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="followthru",
        parents=[common],
        description="Prepares interview and referral follow-ups in your own mailbox, for your approval.",
        epilog="Exit codes: 0 ok, 1 runtime failure, 2 bad usage or config, 78 unusable config (run).",
    )
    parser.add_argument("--version", action="version", version=f"followthru {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, help_: str, **kw: object) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=help_, description=help_, **kw)  # type: ignore[arg-type]

    add("init", "write a commented config to the config path (never overwrites)")
    _json(
        add(
            "check",
            "validate the config, log in to IMAP and SMTP, show the folders that will be used",
        )
    )
    run = add("run", "the daemon: watch the mailbox, queue drafts, send what you approved")
    run.add_argument(
        "--once",
        action="store_true",
        help="one full pass (sync, timers, drafts, sending), then exit",
    )
    _add_contact_commands(add)
    _add_queue_commands(add)
    plan = add("plan", "dry run: what will happen, to whom, on which day, if nobody answers")
    plan.add_argument("--days", type=_positive_int, default=30, help="how far ahead (default 30)")
    _json(plan)
    notices = add("notices", "what you have been told or should know (unread ones, newest first)")
    notices.add_argument("--all", action="store_true", help="the ones already read too")
    _json(notices)
    classify = add("classify", "show how followthru reads messages (.eml files)")
    classify.add_argument("files", nargs="+", metavar="FILE.eml")
    _json(classify)
    serve = add("serve", "the dashboard on loopback: board, contacts, queue, plan, numbers")
    serve.add_argument("--listen", metavar="ADDR:PORT",
                       help="where (default: dashboard.listen, else 127.0.0.1:8025); loopback only")  # fmt: skip
    serve.add_argument(
        "--url", action="store_true", help="print its address with the token and exit"
    )
    add("demo", "the whole life cycle in a minute, on an embedded mail server; nothing configured")
    backup = add("backup", "copy the state store consistently, even while the daemon runs")
    backup.add_argument("path", metavar="PATH", help="the new file to write (never overwritten)")
    return parser


def _add_contact_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    adder = add("add", "register an interview or a referral").add_subparsers(
        dest="kind", metavar="KIND", required=True
    )
    common = _common()
    interview = adder.add_parser(
        "interview", parents=[common], help="an interview (past or future), one per interviewer"
    )
    interview.add_argument("--email", required=True, help="the interviewer's address")
    interview.add_argument("--name")
    interview.add_argument("--company")
    interview.add_argument("--role", help="the position you interviewed for")
    interview.add_argument(
        "--at", required=True, metavar="ISO", help="when it starts, e.g. 2026-03-02T14:00+01:00"
    )
    interview.add_argument("--duration", default="1h", help="how long it lasts (default 1h)")
    interview.add_argument("--reply-by", metavar="DATE", help="the date they promised to answer by")
    interview.add_argument(
        "--note",
        action="append",
        default=[],
        help="what they said matters, for the thank-you letter (repeatable; "
        "start with 'concern:' for a concern the letter should address)",
    )
    referral = adder.add_parser(
        "referral", parents=[common], help="a referral suggested by a contact"
    )
    referral.add_argument("--email", required=True, help="the referral's address")
    referral.add_argument("--name")
    referral.add_argument("--source", required=True, metavar="EMAIL", help="who suggested them")
    referral.add_argument("--source-name", help="the source's name, if they are new to followthru")
    referral.add_argument(
        "--note", action="append", default=[], help="why the source suggested them (repeatable)"
    )
    _json(add("contacts", "one line per contact: state, last outreach, next step"))
    _json(
        _with_contact(
            add("show", "a contact's whole history: messages, transitions and why, drafts")
        )
    )
    outcome = _with_contact(add("outcome", "record what you learned outside email"))
    outcome.add_argument("what", choices=["rejected", "offer", "withdrawn", "met"])


def _add_queue_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    queue = add("queue", "drafts and tasks awaiting approval, with ids")
    queue.add_argument(
        "--all", action="store_true", help="every item, sent and withdrawn ones included"
    )
    _json(queue)
    for name, help_ in (
        ("approve", "approve a draft: it goes out at its due time, inside the send window"),
        ("reject", "discard a draft (the cadence goes on as if that try was skipped)"),
        ("edit", "edit a draft in $EDITOR; it is re-checked and replaced in Drafts"),
        ("done", "mark a task (a phone call) as done"),
    ):
        add(name, help_).add_argument("id", type=int, metavar="ID")
    snooze = add("snooze", "move a draft's due time")
    snooze.add_argument("id", type=int, metavar="ID")
    snooze.add_argument("--until", required=True, metavar="DATE")


def _with_contact(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("contact", metavar="CONTACT", help="a contact id or email address")
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive whole number")
    return value


def parse_now(text: str | None) -> datetime | None:
    """--now as a datetime; one without an offset is localised by Context.now()."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--now {text!r} is not an ISO 8601 time like 2026-03-02T15:30:00+01:00"
        ) from None
    return moment


class Context:
    """What a command gets: parsed arguments, the clock, and the config on demand."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.config_path = (
            Path(args.config).expanduser()
            if getattr(args, "config", None)
            else default_config_path()
        )
        self.pinned = parse_now(getattr(args, "now", None))
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def clock(self) -> Callable[[], datetime]:
        """The real clock, or one that starts at --now and runs at the real pace."""
        if self.pinned is None:
            return lambda: datetime.now(UTC)
        start, began = self.now(), time.monotonic()
        return lambda: start + timedelta(seconds=time.monotonic() - began)

    def now(self) -> datetime:
        """The pinned clock (a time without an offset is the user's local time) or the real one."""
        if self.pinned is None:
            return datetime.now(UTC)
        if self.pinned.tzinfo is None:
            zone = (
                self.config.identity.timezone
                if self.args.command not in ("init", "classify")
                else UTC
            )
            return self.pinned.replace(tzinfo=zone)
        return self.pinned


def _dispatch(ctx: Context) -> int:
    # Each command imports only what it needs (`--help` and `plan` stay fast).
    command, args = ctx.args.command, ctx.args
    if command in ("init", "check", "backup"):
        return _setup_command(ctx)
    if command == "classify":
        from followthru.commands import reading  # noqa: PLC0415

        # A config named on the command line brings its job rules; classify needs no config.
        rules = ctx.config.jobs.rules if getattr(args, "config", None) else None
        return reading.classify_files(args.files, as_json=args.json, now=ctx.now(), rules=rules)
    if command == "run":
        return _run(ctx)
    if command == "demo":
        return _demo()
    if command == "serve":
        from followthru.commands import serve  # noqa: PLC0415

        return serve.serve(ctx.config, args.listen, print_url=args.url, clock=ctx.clock())
    return _store_command(ctx)


def _setup_command(ctx: Context) -> int:
    """init, check and backup: they need no service."""
    from followthru.commands import setup  # noqa: PLC0415

    command, args = ctx.args.command, ctx.args
    if command == "init":
        return setup.init(ctx.config_path)
    if command == "backup":
        return setup.backup(ctx.config, Path(args.path).expanduser())
    return setup.check(ctx.config, as_json=args.json)


def _demo() -> int:
    from followthru.commands import demo  # noqa: PLC0415

    return demo.main()


def _store_command(ctx: Context) -> int:
    """The commands that read or change the store (while the daemon may be running)."""
    from followthru.commands import contacts  # noqa: PLC0415

    command, args, now = ctx.args.command, ctx.args, ctx.now()
    service = contacts.open_service(ctx.config)
    handlers: dict[str, Callable[[], int]] = {
        "add": lambda: (
            contacts.add_interview if args.kind == "interview" else contacts.add_referral
        )(service, args, now),
        "contacts": lambda: contacts.contacts(service, as_json=args.json, now=now),
        "show": lambda: contacts.show(service, args, as_json=args.json, now=now),
        "outcome": lambda: contacts.outcome(service, args, now),
        "plan": lambda: contacts.plan(service, days=args.days, as_json=args.json, now=now),
        "notices": lambda: _notices(service, args),
    }
    try:
        if command in handlers:
            return handlers[command]()
        return _queue_command(service, args, now)
    finally:
        service.store.close()


def _notices(service: Service, args: argparse.Namespace) -> int:
    from followthru.commands import notices  # noqa: PLC0415

    return notices.notices(service, show_all=args.all, as_json=args.json)


def _queue_command(service: Service, args: argparse.Namespace, now: datetime) -> int:
    """queue, edit, approve, reject, done, snooze: they load the outbox and the templates."""
    from followthru.commands import queue  # noqa: PLC0415

    if args.command == "queue":
        return queue.queue(service, show_all=args.all, as_json=args.json)
    if args.command == "edit":
        return queue.edit(service, args.id, now, os.environ)
    return queue.act(service, args, now)


def _run(ctx: Context) -> int:
    import asyncio  # noqa: PLC0415

    from followthru import app  # noqa: PLC0415

    config = ctx.config
    if ctx.args.once:
        report = asyncio.run(app.run_once(config, ctx.now()))
        for one in report.rounds:
            done = one.sync
            print(
                f"{done.account}: {done.scanned} new message(s), {done.relevant} about contacts, {done.events} event(s)"
            )
        drafts, approved, sent = (
            sum(getattr(r, k) for r in report.rounds) for k in ("drafts", "approved", "sent")
        )
        print(f"timers: {report.timers} fired; drafts: {drafts} written to Drafts; "
              f"approved by flag: {approved}; sent: {sent}")  # fmt: skip
        for account, why in report.unread:
            print(f"followthru: account {account} not read ({scrub(why)}): nothing was sent",
                  file=sys.stderr)  # fmt: skip
        if report.failed:
            more = len(report.failed) - 1
            also = f" (and {more} more: see `followthru queue`)" if more else ""
            print(f"followthru: {scrub(report.failed[0])}{also}", file=sys.stderr)
        return EXIT_FAILURE if report.unread or report.failed else EXIT_OK
    return asyncio.run(app.run_forever(config, ctx.clock()))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The daemon reports what it does; a one-shot command only warnings (or everything with -v).
    setup_logging(verbose=getattr(args, "verbose", False), quiet=args.command != "run")
    try:
        return _dispatch(Context(args))
    except ConfigError as exc:
        print(f"followthru: {exc}", file=sys.stderr)
        return EXIT_CONFIG if args.command == "run" else EXIT_USAGE
    except UsageError as exc:
        print(f"followthru: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FollowthruError as exc:
        print(f"followthru: {scrub(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("followthru: interrupted (a send in progress is left uncertain: see `followthru queue`)",
              file=sys.stderr)  # fmt: skip
        return 130
    except BrokenPipeError:  # `followthru queue | head`: the reader left; nothing to report
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
