"""The dashboard's judgements (core/overview.py): whose move, the rates, the funnel, silences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from followthru.core.model import Contact, ContactId, ContactState, Pending, Step
from followthru.core.overview import Facts, is_silent, numbers, whose_move

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
DAY = timedelta(days=1)
S = ContactState


def person(n: int, state: ContactState, **kw: object) -> Contact:
    return Contact(id=ContactId(str(n)), email=f"p{n}@x.example", state=state, **kw)  # type: ignore[arg-type]


def test_whose_move() -> None:
    pending = (Pending(Step.THANK_YOU, T0, ContactId("1")),)
    assert whose_move(person(1, S.INTERVIEWED, pending=pending)) == "you"
    assert whose_move(person(1, S.IN_CONVERSATION, user_to_act=True)) == "you"
    assert whose_move(person(1, S.AWAITING_REPLY)) == "them"
    assert whose_move(person(1, S.CLOSED)) == "nobody"


def test_rates_count_only_contacts_written_to_and_replies_after_the_first_letter() -> None:
    facts = [
        Facts(person(1, S.IN_CONVERSATION, company="Acme"), None, T0, T0 + 2 * DAY),
        Facts(person(2, S.AWAITING_REPLY, company="Acme"), None, T0, None),
        Facts(person(3, S.AWAITING_REPLY, company="Acme"), None, T0, T0 - DAY),  # before: no
        Facts(person(4, S.SCHEDULED, company="Acme"), None, None, None),  # never written to
        Facts(person(5, S.CONNECTED, company_domain="beta.example"), "src@x.example", T0, T0 + 4 * DAY),
    ]  # fmt: skip
    n = numbers(facts, 7 * DAY, T0 + 3 * DAY)
    acme = next(r for r in n.by_company if r.group == "Acme")
    assert (acme.reached, acme.replied, acme.percent, acme.median_days) == (3, 1, 33, 2.0)
    assert [r.group for r in n.by_company] == ["Acme", "beta.example"]
    assert [(r.group, r.reached, r.replied) for r in n.by_source] == [("src@x.example", 1, 1)]
    assert {(r.group, r.replied) for r in n.referral_vs_cold} == {("cold", 1), ("referral", 1)}


def test_the_funnel_counts_each_contact_up_to_the_stage_its_state_implies() -> None:
    facts = [Facts(person(n, s), None, None, None) for n, s in
             enumerate([S.SCHEDULED, S.INTERVIEWED, S.MOVED_ON, S.NURTURE, S.MET, S.SOURCE])]  # fmt: skip
    funnel = dict(numbers(facts, 7 * DAY, T0).funnel)
    assert funnel["interviewed"] == 3 and funnel["followed up"] == 2
    assert funnel["in conversation"] == 1 and funnel["met"] == 1 and funnel["referred"] == 1


def test_a_silence_is_a_last_letter_older_than_give_up_after_without_a_reply_since() -> None:
    old = person(1, S.MOVED_ON, last_outreach_at=T0 - 8 * DAY)
    assert is_silent(old, 7 * DAY, T0)
    assert not is_silent(person(2, S.AWAITING_REPLY, last_outreach_at=T0 - 6 * DAY), 7 * DAY, T0)
    answered = person(3, S.AWAITING_REPLY, last_outreach_at=T0 - 9 * DAY, last_reply_at=T0 - DAY)
    assert not is_silent(answered, 7 * DAY, T0)
    assert numbers([Facts(old, None, T0 - 8 * DAY, None)], 7 * DAY, T0).silences == (
        ("(no company)", 1),
    )
