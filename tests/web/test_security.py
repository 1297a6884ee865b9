"""The dashboard's guard, each promise tested at the HTTP level (Starlette's TestClient against
a real store built by the commands): loopback only, Host checked, a token asked for, CSRF on
every action, a strict CSP, mail-derived text escaped, no secrets shown."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from followthru.adapters.store import Store
from followthru.adapters.web.guard import CSP
from followthru.adapters.web.server import bind
from followthru.adapters.web.token import token_path
from followthru.cli import main
from followthru.config import Listen, load_config
from followthru.core.items import ItemStatus
from followthru.errors import UsageError
from tests.web.conftest import BASE, followthru

PAGES = ["/", "/contacts/1", "/queue", "/plan", "/numbers", "/queue/1/edit"]


def status_of(config: Path, item_id: int) -> ItemStatus:
    """The item as the store has it, read on a connection of our own (as the CLI would)."""
    with Store.open(load_config(config).store_path) as store:
        item = store.outbox.item(item_id)
        assert item is not None
        return item.status


def csrf_of(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/queue").text)
    assert found
    return found.group(1)


# --- loopback only --------------------------------------------------------------------------


@pytest.mark.parametrize("listen", ["0.0.0.0:8025", "192.0.2.7:8025", "[::]:8025"])
def test_serve_refuses_a_non_loopback_address_naming_it(
    config: Path, listen: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--listen", listen, "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert listen.rpartition(":")[0].strip("[]") in err and "loopback" in err


def test_bind_itself_refuses_anything_but_loopback() -> None:
    with pytest.raises(UsageError, match=r"0\.0\.0\.0 is not a loopback address"):
        bind(Listen("0.0.0.0", 0))  # noqa: S104  (refused: the point of the test)
    sock = bind(Listen("127.0.0.1", 0))
    try:
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()


# --- Host header (DNS rebinding) -------------------------------------------------------------


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8025", "127.0.0.1.evil.example", ""]
)
def test_a_wrong_host_is_refused(client: TestClient, host: str) -> None:
    response = client.get("/", headers={"Host": host})
    assert response.status_code == 421
    assert "Bob" not in response.text


@pytest.mark.parametrize("host", ["127.0.0.1:8025", "localhost:8025", "[::1]:8025", "127.0.0.1"])
def test_loopback_hosts_are_answered(client: TestClient, host: str) -> None:
    assert client.get("/", headers={"Host": host}).status_code == 200


# --- the token --------------------------------------------------------------------------------


def test_the_token_file_is_made_on_first_use_private_and_kept(config: Path, token: str,
                                                              capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    path = token_path(load_config(config).store_path)
    assert path.parent == load_config(config).store_path.parent  # next to the store
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert main(["serve", "--url", "--config", str(config)]) == 0
    assert capsys.readouterr().out.strip() == f"http://127.0.0.1:8025/?token={token}"
    assert path.read_text().strip() == token  # not replaced by the second use


@pytest.mark.parametrize("path", [*PAGES, "/static/style.css"])
def test_without_the_token_nothing_is_shown(config: Path, token: str, path: str) -> None:
    from tests.web.conftest import OnLoopThread

    with TestClient(OnLoopThread(config, token), base_url=BASE) as bare:
        for headers in ({}, {"X-Followthru-Token": "x" * 43}, {"Authorization": "Bearer nope"}):
            response = bare.get(path, headers=headers)
            assert response.status_code == 401
            assert "Bob" not in response.text and token not in response.text


def test_the_token_in_the_url_becomes_a_strict_cookie_once(config: Path, token: str) -> None:
    from tests.web.conftest import OnLoopThread

    with TestClient(OnLoopThread(config, token), base_url=BASE, follow_redirects=False) as browser:
        first = browser.get(f"/queue?token={token}&all=1")
        assert first.status_code == 303
        assert first.headers["location"] == "/queue?all=1"  # the token leaves the address bar
        cookie = next(
            c for c in first.headers.get_list("set-cookie") if c.startswith("followthru_token=")
        )
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie.replace("strict", "Strict")
        assert browser.get("/queue?all=1").status_code == 200  # from now on, the cookie
        assert "Bob" in browser.get("/contacts/1").text


def test_the_token_as_a_header_works(client: TestClient, token: str) -> None:
    response = client.get(
        "/", headers={"X-Followthru-Token": "", "Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


# --- CSRF ------------------------------------------------------------------------------------


def test_an_action_without_the_csrf_token_is_refused(config: Path, client: TestClient) -> None:
    for form in ({}, {"csrf": "0" * 64}, {"csrf": ""}):
        response = client.post("/queue/1/approve", data=form, follow_redirects=False)
        assert response.status_code == 403
    assert status_of(config, 1) is ItemStatus.PENDING


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "http://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"},
     {"Sec-Fetch-Site": "same-site"}],
)  # fmt: skip
def test_a_cross_site_post_is_refused_even_with_a_valid_form(
    config: Path, client: TestClient, headers: dict[str, str]
) -> None:
    csrf = csrf_of(client)
    response = client.post(
        "/queue/1/approve", data={"csrf": csrf}, headers=headers, follow_redirects=False
    )
    assert response.status_code == 403
    assert status_of(config, 1) is ItemStatus.PENDING


def test_a_same_site_form_with_its_csrf_token_acts(config: Path, client: TestClient) -> None:
    csrf = csrf_of(client)
    response = client.post(
        "/queue/1/approve",
        data={"csrf": csrf, "next": "/contacts/1"},
        headers={"Origin": BASE, "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/contacts/1?")
    assert status_of(config, 1) is ItemStatus.APPROVED


def test_another_session_s_csrf_token_is_refused(
    config: Path, client: TestClient, token: str
) -> None:
    from tests.web.conftest import OnLoopThread

    theirs = csrf_of(client)
    with TestClient(
        OnLoopThread(config, token), base_url=BASE, headers={"X-Followthru-Token": token}
    ) as other:
        assert csrf_of(other) != theirs
        response = other.post("/queue/1/approve", data={"csrf": theirs}, follow_redirects=False)
    assert response.status_code == 403
    assert status_of(config, 1) is ItemStatus.PENDING


def test_the_commands_checks_apply(config: Path, client: TestClient) -> None:
    """The same refusals as the command line: approving twice, a past snooze."""
    csrf = csrf_of(client)
    assert (
        client.post("/queue/1/approve", data={"csrf": csrf}, follow_redirects=False).status_code
        == 303
    )
    again = client.post("/queue/1/approve", data={"csrf": csrf})
    assert (
        again.status_code == 409 and "item 1: it is approved" in again.text
    )  # the CLI's own words
    past = client.post("/queue/2/snooze", data={"csrf": csrf, "until": "2020-01-01"})
    assert past.status_code == 409 and "is not in the future" in past.text


# --- headers, escaping, secrets -------------------------------------------------------------


def test_every_response_carries_the_strict_csp(
    config: Path, client: TestClient, token: str
) -> None:
    responses = [client.get(p) for p in PAGES]
    responses.append(client.get("/", headers={"Host": "evil.example"}))
    responses.append(client.get("/", headers={"X-Followthru-Token": ""}))
    responses.append(client.post("/queue/1/approve", data={}))
    for response in responses:
        csp = response.headers["content-security-policy"]
        assert csp == CSP
        for part in ("default-src 'none'", "style-src 'self'", "img-src 'self' data:",
                     "form-action 'self'", "frame-ancestors 'none'"):  # fmt: skip
            assert part in csp
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script" not in "".join(r.text for r in responses)  # the pages need no script


def test_mail_derived_text_is_rendered_inert(config: Path, token: str) -> None:
    from tests.web.conftest import OnLoopThread

    followthru(config, "add", "interview", "--email", "eve@evil.example", "--name", "<script>alert(1)</script>",
               "--company", '<img src=x onerror="alert(2)">', "--at", "2026-03-02T10:00:00+00:00")  # fmt: skip
    with TestClient(
        OnLoopThread(config, token), base_url=BASE, headers={"X-Followthru-Token": token}
    ) as client:
        csrf = csrf_of(client)
        edited = client.post(
            "/queue/3/edit",
            data={"csrf": csrf, "subject": "<script>alert(3)</script>", "body": "</pre><b>hi</b>"},
            follow_redirects=False,
        )
        assert edited.status_code == 303
        pages = [
            client.get(p).text for p in ("/", "/contacts/3", "/queue", "/numbers", "/queue/3/edit")
        ]
    for html in pages:
        assert "<script>" not in html and "<img src=x" not in html and "<b>hi</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in pages[1]


def test_no_page_shows_a_secret(client: TestClient, token: str) -> None:
    for path in PAGES:
        html = client.get(path).text
        assert token not in html
        assert "pass show" not in html  # the configured password commands
