"""core/invitations.py: an invitation moves or cancels a registered interview only when its
sender has standing (the first organizer, a known contact of that process, the user)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from followthru.core.events import InterviewCancelled, InterviewRegistered
from followthru.core.invitations import (
    InvitationSeen,
    MoveRefused,
    Standing,
    invitation_event,
    of_process,
)
from followthru.core.model import Contact, ContactId, Interview, Role

BOB = "bob@acme.example"
START = datetime(2026, 3, 2, 14, tzinfo=UTC)
REGISTERED = Interview(START, START + timedelta(hours=1))
AT = datetime(2026, 2, 24, 10, tzinfo=UTC)


def seen(start: datetime = START + timedelta(days=1), *, cancelled: bool = False,
         sequence: int = 1) -> InvitationSeen:  # fmt: skip
    return InvitationSeen(BOB, "uid-1", sequence, cancelled, start, start + timedelta(hours=1),
                          "Interview", "recruiting@acme.example")  # fmt: skip


def contact(cid: str, email: str, roles: set[Role], company: str = "", domain: str = "") -> Contact:
    return Contact(ContactId(cid), email, company=company, company_domain=domain,
                   roles=frozenset(roles))  # fmt: skip


BOB_C = contact("1", BOB, {Role.INTERVIEWER}, "Acme", "acme.example")
STRANGER = Standing("mallory@evil.example")


def test_a_first_invitation_registers_whoever_sent_it() -> None:
    event = invitation_event(seen(), "<k>", AT, -1, None, STRANGER)
    assert isinstance(event, InterviewRegistered)


@pytest.mark.parametrize("cancelled", [False, True])
def test_a_stranger_cannot_move_or_cancel_a_registered_interview(cancelled: bool) -> None:
    refused = invitation_event(seen(cancelled=cancelled), "<k>", AT, 0, REGISTERED, STRANGER)
    assert isinstance(refused, MoveRefused)
    assert refused.email == BOB and refused.sender == "mallory@evil.example"
    assert "mallory@evil.example" in refused.text and BOB in refused.text
    assert ("cancel" if cancelled else "move to 2026-03-03T14:00") in refused.text


def test_without_any_standing_known_the_change_is_refused_too() -> None:
    assert isinstance(invitation_event(seen(), "<k>", AT, 0, REGISTERED, None), MoveRefused)


def test_a_stranger_resending_the_same_time_changes_nothing_and_says_nothing() -> None:
    assert invitation_event(seen(START), "<k>", AT, 0, REGISTERED, STRANGER) is None


@pytest.mark.parametrize(
    "standing",
    [
        Standing("recruiting@acme.example", organizer="recruiting@acme.example"),
        Standing("jane@example.org", from_user=True),
        Standing("alice@acme.example", of_process=True),
    ],
    ids=["first-organizer", "the-user", "of-the-process"],
)
@pytest.mark.parametrize("cancelled", [False, True])
def test_a_sender_with_standing_moves_or_cancels_it(standing: Standing, cancelled: bool) -> None:
    event = invitation_event(seen(cancelled=cancelled), "<k>", AT, 0, REGISTERED, standing)
    kind = InterviewCancelled if cancelled else InterviewRegistered
    assert isinstance(event, kind)


def test_the_organizer_is_the_one_first_registered_not_the_one_the_invitation_names() -> None:
    """A forged invitation naming the real organizer in ORGANIZER, sent by someone else."""
    forged = Standing("mallory@evil.example", organizer="recruiting@acme.example")
    assert isinstance(invitation_event(seen(), "<k>", AT, 0, REGISTERED, forged), MoveRefused)
    nobody = Standing("", organizer="")  # no organizer first, no sender: no standing
    assert not nobody.may_change


def test_an_older_revision_is_ignored_before_any_standing_is_asked() -> None:
    assert invitation_event(seen(sequence=0), "<k>", AT, 1, REGISTERED, STRANGER) is None


def test_of_process_is_the_attendee_or_an_interviewer_or_referral_at_that_company() -> None:
    alice = contact("2", "alice@acme.example", {Role.INTERVIEWER}, domain="acme.example")
    referral = contact("3", "carol@gmail.com", {Role.REFERRAL}, company="ACME ")
    source_only = contact("4", "dan@acme.example", {Role.SOURCE}, domain="acme.example")
    elsewhere = contact("5", "eve@other.example", {Role.INTERVIEWER}, "Other", "other.example")
    assert of_process(BOB_C, BOB_C)
    assert of_process(alice, BOB_C) and of_process(referral, BOB_C)
    assert not of_process(source_only, BOB_C)
    assert not of_process(elsewhere, BOB_C)
    assert not of_process(None, BOB_C)
    free_mail = contact("6", "bob@gmail.com", {Role.INTERVIEWER})  # no company known
    assert not of_process(contact("7", "x@gmail.com", {Role.INTERVIEWER}), free_mail)
