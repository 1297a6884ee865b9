"""The dashboard's pages and actions: Starlette routes over service/dashboard.py.

Invariants:
- Pages are plain HTML (no script): reading works without JavaScript; every action is a POST
  form carrying the session's CSRF token, checked here before anything is done.
- Templates are autoescaped (and StrictUndefined): everything from mail is rendered inert.
- Handlers are coroutines, so they run on the event loop's thread, the one that owns the
  store's SQLite connection (the daemon's, or `serve`'s own).
- A refused action (the Outbox's UserError) answers 409 with the commands' one-line reason.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from followthru.adapters.web import charts
from followthru.adapters.web.guard import Guard
from followthru.core.model import ContactState
from followthru.errors import UserError
from followthru.service.dashboard import Dashboard

DONE = {"approve": "approved", "reject": "rejected", "snooze": "snoozed", "done": "done",
        "edit": "edited: its draft is replaced on the daemon's next pass"}  # fmt: skip


class Pages:
    """The routes' handlers, bound to one Dashboard and one clock."""

    def __init__(self, dashboard: Dashboard, clock: Callable[[], datetime]) -> None:
        self.dashboard = dashboard
        self.clock = clock
        self.env = Environment(
            loader=PackageLoader("followthru.adapters.web", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        tz = dashboard.service.config.identity.timezone
        self.env.filters["when"] = lambda t: (
            t.astimezone(tz).strftime("%a %d %b %H:%M") if t else "-"
        )
        self.env.filters["day"] = lambda t: t.astimezone(tz).strftime("%a %d %b") if t else "-"
        self.env.globals["bars"] = charts.bars

    def page(self, request: Request, name: str, status: int = 200, **data: Any) -> HTMLResponse:
        template = self.env.get_template(f"{name}.html.j2")
        said = request.query_params.get("said", "")
        html = template.render(csrf=request.state.csrf, path=request.url.path, said=said, **data)
        return HTMLResponse(html, status_code=status)

    async def board(self, request: Request) -> Response:
        asked = request.query_params.get("state")
        try:
            state = ContactState(asked) if asked else None
        except ValueError:
            return self.page(request, "refused", 404, reason=f"no state {asked!r}")
        return self.page(request, "board", columns=self.dashboard.board(state), whole=state)

    async def contact(self, request: Request) -> Response:
        try:
            found = self.dashboard.contact(request.path_params["key"])
        except UserError as exc:
            return self.page(request, "refused", 404, reason=str(exc))
        return self.page(request, "contact", page=found)

    async def queue(self, request: Request) -> Response:
        show_all = request.query_params.get("all") == "1"
        return self.page(
            request, "queue", items=self.dashboard.queue(show_all=show_all), show_all=show_all
        )

    async def plan(self, request: Request) -> Response:
        return self.page(request, "plan", entries=self.dashboard.plan(self.clock()))

    async def numbers(self, request: Request) -> Response:
        return self.page(request, "numbers", n=self.dashboard.numbers(self.clock()))

    async def edit_form(self, request: Request) -> Response:
        item = self.dashboard.store.outbox.item(request.path_params["item"])
        if item is None:
            return self.page(
                request, "refused", 404, reason=f"no queue item {request.path_params['item']}"
            )
        return self.page(request, "edit", draft=self.dashboard.draft(item))

    async def act(self, request: Request) -> Response:
        form = await request.form()
        if not hmac.compare_digest(str(form.get("csrf", "")), request.state.csrf):
            return self.page(
                request, "refused", 403, reason="the form is stale or not ours (CSRF check)"
            )
        item_id, action = int(request.path_params["item"]), request.path_params["action"]
        try:
            if action == "edit":
                self.dashboard.edit(
                    item_id, str(form.get("subject", "")), str(form.get("body", "")), self.clock()
                )
            else:
                self.dashboard.act(item_id, action, self.clock(), until=str(form.get("until", "")))
        except UserError as exc:
            return self.page(request, "refused", 409, reason=str(exc))
        return RedirectResponse(
            f"{_back(str(form.get('next', '')))}?said={quote(f'#{item_id} {DONE.get(action, action)}')}",
            303,
        )


def create_app(dashboard: Dashboard, clock: Callable[[], datetime], token: str) -> ASGIApp:
    """The dashboard as an ASGI app, its guard in front of every route."""
    pages = Pages(dashboard, clock)
    routes = [
        Route("/", pages.board),
        Route("/contacts/{key}", pages.contact),
        Route("/queue", pages.queue),
        Route("/queue/{item:int}/edit", pages.edit_form),
        Route("/queue/{item:int}/{action:str}", pages.act, methods=["POST"]),
        Route("/plan", pages.plan),
        Route("/numbers", pages.numbers),
        Mount(
            "/static", StaticFiles(packages=[("followthru.adapters.web", "static")]), name="static"
        ),
    ]
    return Guard(Starlette(routes=routes), token)


def _back(target: str) -> str:
    """Where to go after an action: a page of ours, never another site."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target.partition("?")[0]
    return "/queue"
