"""The hand-over point of a send (adapters/smtp.py `handing_over`), against the scripted aiosmtpd.

`handing_over` is called exactly once per delivered message, after every RCPT and the DATA
command's 354, before the body: the caller records there that the message may have gone. A
failure before that point never calls it; if it raises, not a byte of the body is written.
"""

from __future__ import annotations

import pytest

from tests.adapters.test_smtp import ADA, BO, Naps, plain, send
from tests.rig.smtpd import SmtpServer


class Marks:
    """Records each call with the server's transcript as it stood then."""

    def __init__(self, smtpd: SmtpServer, fail: bool = False) -> None:
        self.smtpd = smtpd
        self.fail = fail
        self.calls: list[list[str]] = []

    def __call__(self) -> None:
        self.calls.append(
            [command.split(":")[0].split(" ")[0] for command, _ in self.smtpd.transcript]
        )
        if self.fail:
            raise OSError("disk full: the hand-over could not be recorded")


async def test_the_hand_over_is_announced_after_every_rcpt_and_before_the_body(
    smtpd: SmtpServer,
) -> None:
    marks = Marks(smtpd)
    report = await send(plain(smtpd), smtpd.password, Naps(), handing_over=marks)
    assert report.outcome.value == "delivered"
    assert marks.calls == [["MAIL", "RCPT", "RCPT"]]  # no DATA reply yet: the body had not gone
    assert [m.rcpt_tos for m in smtpd.messages] == [(ADA, BO)]


async def test_a_failure_before_the_data_never_announces_a_hand_over(smtpd: SmtpServer) -> None:
    smtpd.script.fail("RCPT", "450 4.2.0 Mailbox busy", times=None)
    marks = Marks(smtpd)
    report = await send(plain(smtpd), smtpd.password, Naps(), handing_over=marks)
    assert report.outcome.value == "not_sent_retryable" and report.attempts == 3
    assert marks.calls == []


async def test_a_hand_over_that_cannot_be_recorded_writes_no_body(smtpd: SmtpServer) -> None:
    marks = Marks(smtpd, fail=True)
    with pytest.raises(OSError, match="disk full"):  # the caller learns it, nothing retried
        await send(plain(smtpd), smtpd.password, Naps(), handing_over=marks)
    assert len(marks.calls) == 1
    assert smtpd.messages == []  # the server never got a message to deliver
