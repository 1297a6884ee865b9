"""core/drafts.py: which message in Drafts is which item, and when a version must not go out."""

from __future__ import annotations

from followthru.core.drafts import (
    InDrafts,
    OurDraft,
    Written,
    colleagues,
    placeholders,
    refusal,
    versions,
)

BOB, CAROL, ME = "bob@acme.example", "carol@acme.example", "jane@example.org"


def ours(item_id: int, uid: int, *, mid: str, to: str = BOB, subject: str = "Thank you",
         follows: str | None = None) -> OurDraft:  # fmt: skip
    return OurDraft(item_id, frozenset({mid}), follows, frozenset({to}), frozenset(), subject, uid)


def found(uid: int, *, mid: str, to: str = BOB, subject: str = "Thank you",
          thread: tuple[str, ...] = (), flagged: bool = False) -> InDrafts:  # fmt: skip
    return InDrafts(uid, mid, frozenset(thread), frozenset({to}), frozenset(), subject, flagged)


def test_the_same_message_id_is_the_same_draft_whatever_else_changed() -> None:
    items = [ours(1, 10, mid="<a@x>")]
    got = versions(items, [found(12, mid="<a@x>", to=CAROL, subject="Changed")])
    assert got[1].uids == (12,) and got[1].reason == "the same Message-ID"


def test_a_new_message_id_in_the_items_thread_is_its_version() -> None:
    items = [ours(1, 10, mid="<a@x>", follows="<their@acme>")]
    got = versions(items, [found(11, mid="<new@gmail>", thread=("<their@acme>",))])
    assert got[1].uids == (11,)


def test_autosaved_versions_are_one_draft_and_the_newest_counts() -> None:
    items = [ours(1, 10, mid="<a@x>")]
    saved = [found(13, mid="<v3@gmail>", flagged=True), found(11, mid="<v1@gmail>"),
             found(12, mid="<v2@gmail>")]  # fmt: skip
    got = versions(items, saved)
    assert got[1].uids == (11, 12, 13) and got[1].newest.flagged


def test_a_changed_recipient_is_found_by_the_subject() -> None:
    items = [ours(1, 10, mid="<a@x>", subject="Thank you, Bob")]
    got = versions(items, [found(11, mid="<n@gmail>", to=CAROL, subject="Re: Thank you, Bob")])
    assert got[1].uids == (11,)


def test_another_items_draft_is_never_taken_and_strangers_are_not_ours() -> None:
    items = [ours(1, 10, mid="<a@x>"), ours(2, 11, mid="<b@x>")]  # same To and subject
    drafts = [found(10, mid="<a@x>"), found(11, mid="<b@x>"), found(12, mid="<c@x>"),
              found(9, mid="<older@gmail>"), found(14, mid="<z@x>", to="x@y.example", subject="Hi")]  # fmt: skip
    got = versions(items, drafts)
    assert got[1].uids == (10,) and got[2].uids == (11,)  # <c@x>: two items fit, neither takes it


def test_an_item_with_no_version_is_gone_from_drafts() -> None:
    assert versions([ours(1, 10, mid="<a@x>")], [found(3, mid="<older@x>")]) == {}


def test_what_must_not_go_out_is_said() -> None:
    fine = Written("Dear Bob, thanks.", (ME,), (BOB,), (), bcc=False)
    own = frozenset({ME})
    assert refusal(fine, own) is None
    assert "placeholder" in (
        refusal(Written("Hi [[ADD: a value]]", (ME,), (BOB,), (), False), own) or ""
    )
    assert "no recipient" in (refusal(Written("Hi", (ME,), (), (), False), own) or "")
    assert "From" in (refusal(Written("Hi", ("eve@x.example",), (BOB,), (), False), own) or "")
    assert "Bcc" in (refusal(Written("Hi", (ME,), (BOB,), (), True), own) or "")
    assert "valid" in (refusal(Written("Hi", (ME,), ("bob@",), (), False), own) or "")
    assert placeholders("a [[ADD: x ]] b [[ADD: unclosed") == ("x", "unclosed")


def test_a_colleague_put_in_the_contacts_place_is_recognised() -> None:
    free = frozenset({"gmail.com"})
    assert colleagues((CAROL, "x@other.example"), BOB, "acme.example", free) == (CAROL,)
    assert colleagues((CAROL,), BOB, "", free) == (CAROL,)  # the address's own domain
    assert colleagues((BOB,), BOB, "acme.example", free) == ()
    assert colleagues(("ann@gmail.com",), "bob@gmail.com", "", free) == ()  # free mail: no company
