"""`followthru demo`: the whole life cycle in a minute, on an embedded mail server.

Nothing is configured and nothing leaves the machine: a pymap IMAP server and an SMTP sink run
on 127.0.0.1, the store and the config live in a temporary folder, and the clock is simulated.
Every step goes through the daemon's own code paths (`run_once`, the service, the outbox);
only the user's own actions (sending from a mail client, replying as the interviewer) are
played by the demo, over IMAP, the way a mail client would.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from followthru import app
from followthru.adapters.store import Store
from followthru.config import Config, load_config
from followthru.core.items import ItemStatus
from followthru.service.contacts import NewInterview, Service
from followthru.service.outbox import Outbox

BERLIN = ZoneInfo("Europe/Berlin")
ME = "jane@example.org"
DANA = "dana.whitfield@acme.example"
SAM, PRIYA = "sam.rivera@globex.example", "priya@initech.example"
FILLED = "(the user wrote this line)"


def t(day: int, hour: int, minute: int = 0) -> datetime:
    """A time of March 2026 in Berlin, the demo's simulated clock."""
    return datetime(2026, 3, day, hour, minute, tzinfo=BERLIN)


def main() -> int:
    try:
        import aiosmtpd  # noqa: F401, PLC0415
        import pymap  # noqa: F401, PLC0415
    except ImportError:
        print(
            "followthru demo needs the demo extra: pip install 'followthru[demo]'", file=sys.stderr
        )
        return 1
    with (
        tempfile.TemporaryDirectory(prefix="followthru-demo-") as folder,
        _pymap(Path(folder)) as imap,
    ):
        return asyncio.run(Demo(Path(folder), imap).play())


class Demo:
    def __init__(self, folder: Path, imap: tuple[int, str]) -> None:
        self.folder = folder
        self.imap_port, self.password = imap
        self.delivered: list[Any] = []
        self.started = time.monotonic()

    async def play(self) -> int:
        server = await self._smtp_sink()
        try:
            config = self._config(server.sockets[0].getsockname()[1])
            _create_folders(self.imap_port, self.password)
            await self._interview(config)
            await self._referral(config)
        finally:
            server.close()
        self._say(
            "", f"The story took {time.monotonic() - self.started:.0f} s. Try it on your own mail:"
        )
        for line in ("followthru init", "followthru check", "followthru add interview --email ... --at ...",
                     "followthru plan", "followthru run"):  # fmt: skip
            print(f"    {line}")
        return 0

    # --- the interviewer flow --------------------------------------------------------------

    async def _interview(self, config: Config) -> None:
        self._say(
            "Monday 2 March, 10:00",
            "Jane registers her 14:00 interview with Dana Whitfield at Acme.",
        )
        with self._service(config) as service:
            service.register_interview(NewInterview(
                DANA, t(2, 14), timedelta(hours=1), name="Dana Whitfield", company="Acme Robotics",
                role="Senior Backend Engineer", reply_by=None,
                notes="a calm, well-run on-call rotation\nmoving billing to events this year",
            ), t(2, 10))  # fmt: skip
        await self._run(config, t(2, 10, 5))
        self._state(
            config,
            DANA,
            "The thank-you letter is drafted ahead, and a checklist for the interview:",
        )
        self._show_draft(config, "thank_you")
        self._say("Monday 2 March, 15:30", "The interview is over. Jane went through the checklist")
        self._say(
            "",
            "(who moves next, and by when), edits the thank-you in her mail client and sends it.",
        )
        await self._run(config, t(2, 15, 30))
        self._done(config, "closing_checklist", t(2, 15, 31))
        self._send_from_client(config, "thank_you")
        await self._run(config, t(2, 15, 40))
        self._state(config, DANA, "followthru saw the letter in Sent and waits for Dana:")
        self._say(
            "Monday 9 March",
            "A week without an answer: the second try is a phone call, a task for Jane.",
        )
        await self._run(config, t(9, 16))
        self._state(config, DANA, "")
        self._done(config, "phone_message", t(9, 16, 10))
        self._say(
            "Monday 16 March",
            "Still nothing: a short check-in is drafted; Jane approves it from the shell.",
        )
        await self._run(config, t(16, 16, 15))
        self._approve(config, "check_in", t(16, 16, 20))
        await self._run(config, t(16, 16, 25))
        self._show_delivered()
        self._say("Tuesday 17 March, 11:00", "Dana answers. Everything pending for her stops.")
        self._reply(
            DANA,
            "Re: Checking in: Senior Backend Engineer",
            "Thanks Jane, let's talk Thursday!",
            t(17, 11),
        )
        await self._run(config, t(17, 11, 5))
        self._state(config, DANA, "")

    # --- the referral flow -------------------------------------------------------------------

    async def _referral(self, config: Config) -> None:
        self._say(
            "Wednesday 18 March",
            "Dana's colleague Sam Rivera suggests Jane talk to Priya Natarajan.",
        )
        with self._service(config) as service:
            service.register_referral(PRIYA, SAM, t(18, 9), name="Priya Natarajan",
                                      notes=("she built Initech's platform team",), source_name="Sam Rivera")  # fmt: skip
        await self._run(config, t(18, 9, 5))
        self._show_draft(config, "referral_intro")
        self._say("", "Jane finishes the introduction in her mail client and sends it, Sam in Cc.")
        self._send_from_client(config, "referral_intro")
        await self._run(config, t(18, 10))
        self._state(config, PRIYA, "")
        self._say(
            "Thursday 19 March", "Priya answers; followthru drafts a note to keep Sam in the loop."
        )
        self._reply(
            PRIYA, "Re: Sam Rivera suggested I get in touch", "Happy to talk, Jane!", t(19, 10)
        )
        await self._run(config, t(19, 10, 5))
        self._approve(config, "source_connected", t(19, 10, 10))
        await self._run(config, t(19, 10, 15))
        self._show_delivered()
        self._state(config, PRIYA, "")

    # --- the user's side, as a mail client would do it ----------------------------------------

    def _send_from_client(self, config: Config, step: str) -> None:
        with self._service(config) as service:
            [item] = [
                i
                for i in service.store.outbox.items(statuses={ItemStatus.PENDING})
                if i.step == step
            ]
            raw = service.store.outbox.rendered(item.id) or b""
        edited = re.sub(rb"\[\[ADD:.*?\]\]", FILLED.encode(), raw, flags=re.DOTALL)
        with _imap(self.imap_port, self.password) as client:
            client.append("Sent", edited, flags=[b"\\Seen"])
            client.select_folder("Drafts")
            client.delete_messages(client.search(["HEADER", "Message-ID", item.message_id or ""]))
            client.expunge()

    def _done(self, config: Config, step: str, now: datetime) -> None:
        with self._service(config) as service:
            [item] = [
                i
                for i in service.store.outbox.items(statuses={ItemStatus.PENDING})
                if i.step == step
            ]
            Outbox(service).done(item.id, now)
        self._say("", f"`followthru done {item.id}`: the {step.replace('_', ' ')} is ticked off.")

    def _approve(self, config: Config, step: str, now: datetime) -> None:
        with self._service(config) as service:
            [item] = [
                i
                for i in service.store.outbox.items(statuses={ItemStatus.PENDING})
                if i.step == step
            ]
            Outbox(service).approve(item.id, now)
        self._say(
            "",
            f"`followthru approve {item.id}`: the {step.replace('_', '-')} goes out at its time.",
        )

    def _reply(self, sender: str, subject: str, text: str, at: datetime) -> None:
        raw = (f"From: {sender}\r\nTo: Jane Doe <{ME}>\r\nSubject: {subject}\r\nDate: "
               f"{at.strftime('%a, %d %b %Y %H:%M:%S %z')}\r\nMessage-ID: <{secrets.token_hex(6)}@demo.example>"
               f"\r\n\r\n{text}\r\n").encode()  # fmt: skip
        with _imap(self.imap_port, self.password) as client:
            client.append("INBOX", raw)

    # --- the machinery -------------------------------------------------------------------------

    async def _run(self, config: Config, now: datetime) -> None:
        await app.run_once(config, now)

    @contextmanager
    def _service(self, config: Config) -> Iterator[Service]:
        with Store.open(config.store_path) as store:
            yield Service(store, config)

    def _state(self, config: Config, email: str, intro: str) -> None:
        with self._service(config) as service:
            row = service.store.contacts.find(email)
            assert row is not None  # noqa: S101
            contact = service.replay(row.id)
            items = service.store.outbox.items(contact_id=row.id)
        if intro:
            print(f"  {intro}")
        print(f"  state of {contact.name or email}: {contact.state}")
        for item in items:
            print(f"    #{item.id} {item.step:<18} {item.status}")

    def _show_draft(self, config: Config, step: str) -> None:
        with self._service(config) as service:
            [item] = [i for i in service.store.outbox.items() if i.step == step]
            raw = service.store.outbox.rendered(item.id) or b""
        print(f"\n  --- the draft now in Jane's Drafts folder ({step}) ---")
        self._print_message(raw)

    def _show_delivered(self) -> None:
        message = self.delivered.pop()
        print(f"\n  --- delivered over SMTP to {', '.join(message.rcpt_tos)} ---")
        self._print_message(message.content)

    def _print_message(self, raw: bytes) -> None:
        msg = message_from_bytes(raw, policy=policy.default)
        for header in ("From", "To", "Cc", "Subject", "In-Reply-To"):
            if msg[header]:
                print(f"  {header}: {msg[header]}")
        body = msg.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        print("\n" + "\n".join(f"  | {line}" for line in text.rstrip().splitlines()) + "\n")

    def _say(self, when: str, text: str) -> None:
        print(f"\n== {when}\n{text}" if when else text)

    def _config(self, smtp_port: int) -> Config:
        (self.folder / "credentials").mkdir()
        (self.folder / "credentials" / "imap").write_text(self.password)
        os.environ["CREDENTIALS_DIRECTORY"] = str(self.folder / "credentials")
        (self.folder / "config.yaml").write_text(f"""\
identity: {{name: Jane Doe, email: {ME}, timezone: Europe/Berlin}}
accounts:
  - name: demo
    imap: {{host: 127.0.0.1, port: {self.imap_port}, tls: none, username: jane, credential: imap}}
    smtp: {{host: 127.0.0.1, port: {smtp_port}, tls: none}}
store: {{path: {self.folder / "state.db"}}}
notify: {{digest_at: null}}
""")
        return load_config(self.folder / "config.yaml")

    async def _smtp_sink(self) -> asyncio.Server:
        from aiosmtpd.smtp import SMTP  # noqa: PLC0415

        demo = self

        class Sink:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                demo.delivered.append(envelope)
                return "250 OK"

        loop = asyncio.get_running_loop()
        return await loop.create_server(
            lambda: SMTP(Sink(), hostname="demo.invalid"), "127.0.0.1", 0
        )


@contextmanager
def _pymap(folder: Path) -> Iterator[tuple[int, str]]:
    """A private pymap on a free loopback port, stopped by its own pid."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    password = secrets.token_hex(8)
    launcher = "import sys; from pymap.main import main; sys.argv[0] = 'pymap'; sys.exit(main())"
    command = [sys.executable, "-c", launcher, "--no-tls", "--host", "127.0.0.1", "--port", str(port),
               "dict", "--demo-user", "jane", "--demo-password", password]  # fmt: skip
    with (folder / "pymap.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    try:
        _wait_for(port, process)
        yield port, password
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the embedded IMAP server (pymap) did not start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(16):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the embedded IMAP server (pymap) did not answer")


@contextmanager
def _imap(port: int, password: str) -> Iterator[Any]:
    import imapclient  # noqa: PLC0415

    client = imapclient.IMAPClient("127.0.0.1", port, ssl=False, timeout=10)
    client.login("jane", password)
    try:
        yield client
    finally:
        client.logout()


def _create_folders(port: int, password: str) -> None:
    with _imap(port, password) as client:
        for name in ("Drafts", "Sent"):
            client.create_folder(name)
