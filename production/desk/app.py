"""The shipping desk page: server-rendered HTML on Starlette, one route per thing a packer does.

Every page but the login needs a session; every POST needs the session's CSRF token and, when
the browser sends one, an Origin of this very host. Every request must name one of the desk's
own hosts (`production.desk.hosts`). Cookies are Secure when `[desk] https` says the page is
reached over https, or when a trusted proxy says the request came so (never a header alone).
Jinja2 escapes everything it prints, so an id, a SKU or Amazon's error message can never become
markup. Store and Amazon calls block, so they run in the thread pool.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from production.amazon.errors import RequestValidationError, SpApiError
from production.config.desk import LOCAL_HOSTS
from production.core.errors import AmazonError, ProductionError
from production.desk.board import RECENT_DAYS, desk_board, find_order, order_view
from production.desk.cards import OrderCards
from production.desk.companions import ProofSource, proof_path, tracking_words
from production.desk.etags import Rendered, RenderedPages
from production.desk.hosts import HostCheck
from production.desk.labels import LABEL_ACTIONS, LABEL_WORDS, LabelDesk
from production.desk.proofs import Proofs
from production.desk.sessions import SESSION_HOURS, Session, Sessions, same_token
from production.floor.holds import APPROVABLE_CAUSES, Holds, what_to_fix
from production.floor.placeholders import ALL_SURFACES
from production.shipping.carriers import CARRIERS, detect
from production.shipping.confirm import Shipping
from production.store import JobRecord, JobStore, ShipmentState

__all__ = ["DESK_PERSON", "SESSION_COOKIE", "Desk", "create_desk_app"]

SESSION_COOKIE = "desk_session"
# A rendered page and when time alone changes it; None when there is nothing to show.
_Made = tuple[str, datetime | None] | None
DESK_PERSON = "desk"  # who approved, rejected or retried a job, in the audit trail
LOGIN_COOKIE = "desk_login"  # ties the login form to the browser that loaded it
CARRIER_CHOICES = tuple(carrier.name for carrier in CARRIERS)
SHIPMENT_WORDS = {
    ShipmentState.PENDING.value: "not confirmed yet",
    ShipmentState.CONFIRMED.value: "confirmed",
    ShipmentState.FAILED.value: "refused",
    ShipmentState.MANUAL.value: "recorded here only",
}
_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self'; script-src 'self'; style-src 'self'; "
     b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    # Not "no-referrer": Chromium then sends `Origin: null` with form posts, which we refuse.
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    # Proofs and pages show buyer designs: nothing may stay in the desk computer's cache.
    (b"cache-control", b"no-store"),
]  # fmt: skip


@dataclass
class Desk:
    """What the page works with; the daemon builds one from its settings."""

    store: JobStore
    shipping: Shipping
    sessions: Sessions
    proofs: Proofs
    shop: str
    wake: Callable[[], None]  # tells the daemon a held job was released
    holds: Holds  # Retry, Approve, Reject on held jobs (asks the daemon to re-read its config)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    # Amazon's fulfillment orders, for fresh proof-of-delivery links; None without Amazon.
    fulfillment: ProofSource | None = None
    # The product's name in products.toml for an item's (ASIN, SKU); None if none matches.
    product_name: Callable[[str | None, str | None], str | None] = lambda asin, sku: None
    hosts: tuple[str, ...] = LOCAL_HOSTS  # the names requests may give in their Host header
    https: bool = False  # reached over https (behind a TLS proxy): every cookie is Secure
    # Labels bought through Amazon (`[shipping] labels = "amazon"`); None: bought elsewhere.
    labels: LabelDesk | None = None


def create_desk_app(desk: Desk) -> ASGIApp:
    templates = Environment(
        loader=PackageLoader("production.desk", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
    )
    pages = _Pages(desk, templates)
    routes = [
        Route("/login", pages.login_form, methods=["GET"]),
        Route("/login", pages.log_in, methods=["POST"]),
        Route("/logout", pages.log_out, methods=["POST"]),
        Route("/", pages.board, methods=["GET"]),
        Route("/fragments/board", pages.board_fragment, methods=["GET"]),
        Route("/scan", pages.scan, methods=["GET"]),
        Route("/orders/{order_id}", pages.order, methods=["GET"]),
        Route("/fragments/orders/{order_id}", pages.order_fragment, methods=["GET"]),
        Route("/orders/{order_id}/ship", pages.ship, methods=["POST"]),
        Route("/orders/{order_id}/labels/{action}", pages.label_action, methods=["POST"]),
        Route("/carrier", pages.carrier, methods=["GET"]),
        Route("/jobs/{job_id}/retry", pages.retry, methods=["POST"]),
        Route("/jobs/{job_id}/approve", pages.approve, methods=["POST"]),
        Route("/jobs/{job_id}/reject", pages.reject, methods=["POST"]),
        Route("/proofs/{job_id}.png", pages.proof, methods=["GET"]),
        Route("/comparisons/{job_id}.png", pages.comparison, methods=["GET"]),
        Route(
            "/companions/{sfo_id}/packages/{number:int}/proof",
            pages.delivery_proof,
            methods=["GET"],
        ),
        # Package data, found through the package as the templates are (installed or not).
        Mount("/static", StaticFiles(packages=[("production.desk", "static")]), name="static"),
    ]
    return HostCheck(_SecurityHeaders(Starlette(routes=routes)), desk.hosts)


class _SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


class _Pages:
    def __init__(self, desk: Desk, templates: Environment) -> None:
        self.desk = desk
        self.templates = templates
        self.rendered = RenderedPages()
        self.cards = OrderCards(templates.get_template("order_card.html"))

    # -- logging in and out ---------------------------------------------------------------------

    async def login_form(self, request: Request, message: str = "", status: int = 200) -> Response:
        token = secrets.token_urlsafe(32)
        html = self._render("login.html", shop=self.desk.shop, csrf=token, message=message)
        response = HTMLResponse(html, status_code=status)
        _cookie(response, LOGIN_COOKIE, token, max_age=3600, secure=self._secure(request))
        return response

    async def log_in(self, request: Request) -> Response:
        form = await request.form()
        client = request.client.host if request.client else "?"
        if not _same_origin(request) or not same_token(
            request.cookies.get(LOGIN_COOKIE, ""), form.get("csrf")
        ):
            return await self.login_form(request, "The form expired; please log in again.", 403)
        wait = self.desk.sessions.locked_out(client)
        if wait > 0:
            return await self.login_form(
                request, f"Too many wrong passwords; try again in {wait:.0f} s.", 429
            )
        password = form.get("password")
        session = self.desk.sessions.log_in(client, password if isinstance(password, str) else "")
        if session is None:
            return await self.login_form(request, "Wrong password.", 401)
        response = RedirectResponse("/", status_code=303)
        _cookie(response, SESSION_COOKIE, session.id, max_age=int(SESSION_HOURS * 3600),
                secure=self._secure(request))  # fmt: skip
        response.delete_cookie(LOGIN_COOKIE, path="/")
        return response

    async def log_out(self, request: Request) -> Response:
        session, refused = await self._post_session(request)
        if refused is not None:
            return refused
        assert session is not None
        self.desk.sessions.log_out(session.id)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # -- pages ---------------------------------------------------------------------------------

    async def board(self, request: Request) -> Response:
        session = self._session(request)
        if session is None:
            return _to_login()
        if session.flash:  # a message to show once: this view is rendered for itself
            context = await run_in_threadpool(self._board_context, session)
            return self._page("board.html", session, title="Orders", focus_scan=True, **context)
        page = await self._kept_or_rendered(request, session, self._board_page)
        assert page is not None  # the board is always there
        return HTMLResponse(page.html)

    async def board_fragment(self, request: Request) -> Response:
        session = self._session(request)
        if session is None:
            return Response("log in again", status_code=401)
        page = await self._kept_or_rendered(request, session, self._board_lists)
        assert page is not None
        return _tagged(request, page)

    async def scan(self, request: Request) -> Response:
        session = self._session(request)
        if session is None:
            return _to_login()
        code = request.query_params.get("code", "")
        order_id = await run_in_threadpool(find_order, self.desk.store, code)
        if order_id is None:
            shown = code.strip()[:80]
            session.flash.append(("error", f"Nothing found for “{shown}”."))
            return RedirectResponse("/", status_code=303)
        if self.desk.labels is not None and _from_this_page(request):
            # `buy = "scan"`: the scan buys the label (a top-level GET: the session cookie is
            # SameSite=Strict, and a navigation from another site is refused besides).
            bought = await run_in_threadpool(self.desk.labels.scanned, order_id)
            if bought is not None:
                session.flash.append(bought)
                self.desk.wake()
        return RedirectResponse(f"/orders/{quote(order_id, safe='')}", status_code=303)

    async def order(self, request: Request) -> Response:
        session = self._session(request)
        if session is None:
            return _to_login()
        context = await run_in_threadpool(self._order_context, request, session)
        if context is None:
            shown = request.path_params["order_id"][:80]
            session.flash.append(("error", f"No order “{shown}” in the job store."))
            return RedirectResponse("/", status_code=303)
        return self._page("order.html", session, title=f"Order {context['order'].order_id}",
                          **context)  # fmt: skip

    async def order_fragment(self, request: Request) -> Response:
        session = self._session(request)
        if session is None:
            return Response("log in again", status_code=401)
        page = await self._kept_or_rendered(
            request, session, lambda session: self._order_status(request, session)
        )
        if page is None:
            return Response("no such order", status_code=404)
        return _tagged(request, page)

    async def carrier(self, request: Request) -> Response:
        """The carrier a tracking number's format names, for the ship form as it is typed."""
        if self._session(request) is None:
            return Response("log in again", status_code=401)
        found = detect(request.query_params.get("tracking", "")[:64])
        if found is None:
            return JSONResponse({"carrier": None})
        return JSONResponse({"carrier": found.carrier, "distinctive": found.distinctive})

    async def proof(self, request: Request) -> Response:
        return await self._job_picture(request, self.desk.proofs.png)

    async def comparison(self, request: Request) -> Response:
        return await self._job_picture(request, self.desk.proofs.comparison)

    async def delivery_proof(self, request: Request) -> Response:
        """Amazon's delivery photo of a companion package: a fresh link (they last an hour)."""
        session = self._session(request)
        if session is None:
            return _to_login()
        sfo_id, number = request.path_params["sfo_id"], request.path_params["number"]
        record = await run_in_threadpool(self.desk.store.companion_order, sfo_id)
        if record is None or self.desk.fulfillment is None:
            session.flash.append(("error", f"No companion order “{sfo_id[:80]}” here."))
            return RedirectResponse("/", status_code=303)
        back = f"/orders/{quote(record.order_id, safe='')}"
        try:
            order = await run_in_threadpool(
                self.desk.fulfillment.get_fulfillment_order, sfo_id, order_id=record.order_id
            )
        except AmazonError as exc:
            session.flash.append(("error", f"Order {record.order_id}: Amazon did not answer"
                                           f" ({exc.message}); try again."))  # fmt: skip
            return RedirectResponse(back, status_code=303)
        links = [
            document.url
            for package in order.packages
            if package.package_number == number
            for document in package.delivery_documents
        ]
        if not links:
            what = f"Amazon has no proof of delivery for package {number} yet."
            session.flash.append(("warning", f"Order {record.order_id}: {what}"))
            return RedirectResponse(back, status_code=303)
        return RedirectResponse(links[0], status_code=303)

    async def _job_picture(
        self, request: Request, picture: Callable[[JobRecord], bytes | None]
    ) -> Response:
        """A PNG of the job in the path (its proof, its comparison), for a logged-in person."""
        if self._session(request) is None:
            return Response("log in again", status_code=401)
        job = await run_in_threadpool(self.desk.store.job, request.path_params["job_id"])
        data = None if job is None else await run_in_threadpool(picture, job)
        if data is None:
            return Response("no such picture", status_code=404)
        return Response(data, media_type="image/png")

    # -- actions -------------------------------------------------------------------------------

    async def ship(self, request: Request) -> Response:
        session, refused = await self._post_session(request)
        if refused is not None:
            return refused
        assert session is not None
        order_id = request.path_params["order_id"]
        form = await request.form()
        back = f"/orders/{quote(order_id, safe='')}"
        try:
            ship_date = self._ship_date(str(form.get("ship_date", "")))
        except ValueError as exc:
            session.flash.append(("error", str(exc)))
            return RedirectResponse(back, status_code=303)
        try:
            package = await run_in_threadpool(
                self.desk.shipping.ship,
                order_id,
                carrier=str(form.get("carrier", "")),
                tracking=str(form.get("tracking", "")),
                ship_date=ship_date,
            )
        except AmazonError as exc:
            session.flash.append(("error", _amazon_failure(order_id, exc)))
            return RedirectResponse(back, status_code=303)
        except ProductionError as exc:
            session.flash.append(("error", f"Order {order_id}: {exc.message}"))
            return RedirectResponse(back, status_code=303)
        self.desk.wake()  # the daemon purges what retention allows without waiting for a rescan
        if package.state is ShipmentState.CONFIRMED:
            what = f"Amazon confirmed the shipment ({package.carrier} {package.tracking})."
            session.flash.append(("ok", f"Order {order_id}: {what}"))
        else:
            what = "Amazon is not connected: confirm it in Seller Central too."
            recorded = f"shipment recorded here ({package.carrier} {package.tracking})"
            session.flash.append(("warning", f"Order {order_id}: {recorded}. {what}"))
        return RedirectResponse("/", status_code=303)

    async def label_action(self, request: Request) -> Response:
        """Buy, void, reprint or split an order's labels; Amazon is called in the thread pool."""
        session, refused = await self._post_session(request)
        if refused is not None:
            return refused
        assert session is not None
        order_id, action = request.path_params["order_id"], request.path_params["action"]
        labels = self.desk.labels
        if labels is None or action not in LABEL_ACTIONS:
            return Response("no such label action", status_code=404, media_type="text/plain")
        form = await request.form()
        flash = await run_in_threadpool(labels.act, action, order_id, form)
        session.flash.append(flash)
        self.desk.wake()  # a label bought ships jobs: retention may purge without a rescan
        return RedirectResponse(f"/orders/{quote(order_id, safe='')}", status_code=303)

    async def retry(self, request: Request) -> Response:
        return await self._held_job(request, self._retry)

    async def approve(self, request: Request) -> Response:
        return await self._held_job(request, self._approve)

    async def reject(self, request: Request) -> Response:
        return await self._held_job(request, self._reject)

    async def _held_job(
        self, request: Request, act: Callable[[str, FormData], tuple[str, str]]
    ) -> Response:
        """A person's action on a held job: done in the thread pool, its outcome flashed."""
        session, refused = await self._post_session(request)
        if refused is not None:
            return refused
        assert session is not None
        job_id = request.path_params["job_id"]
        form = await request.form()
        back = _local_path(str(form.get("back", "/")))
        try:
            flash = await run_in_threadpool(act, job_id, form)
        except ProductionError as exc:
            flash = ("error", f"Job {job_id} {exc.message}.")
        session.flash.append(flash)
        return RedirectResponse(back, status_code=303)

    def _retry(self, job_id: str, form: FormData) -> tuple[str, str]:
        self.desk.holds.retry(job_id, by=DESK_PERSON)
        return "ok", f"Job {job_id} will be rendered again."

    def _approve(self, job_id: str, form: FormData) -> tuple[str, str]:
        job = self.desk.holds.approve(job_id, by=DESK_PERSON, reason=str(form.get("reason", "")))
        goes = f"to printer {job.printer}" if job.printer else "on"
        return "ok", f"Job {job_id} approved: it goes {goes}."

    def _reject(self, job_id: str, form: FormData) -> tuple[str, str]:
        rejection = self.desk.holds.reject(
            job_id, by=DESK_PERSON, reason=str(form.get("reason", ""))
        )
        return "warning", f"Job {job_id} rejected. Now {rejection.order_advice}."

    # -- helpers -------------------------------------------------------------------------------

    def _secure(self, request: Request) -> bool:
        # The scheme is https only from TLS or from a proxy in `[desk] trusted_proxies`.
        return self.desk.https or request.url.scheme == "https"

    def _session(self, request: Request) -> Session | None:
        return self.desk.sessions.get(request.cookies.get(SESSION_COOKIE))

    async def _post_session(self, request: Request) -> tuple[Session | None, Response | None]:
        """The session of a form post, or the answer that refuses the post."""
        session = self._session(request)
        if session is None:
            return None, _to_login()
        form = await request.form()
        if not _same_origin(request) or not same_token(session.csrf, form.get("csrf")):
            return None, Response(
                "This form is not from this desk page (CSRF check failed); reload and try again.",
                status_code=403,
                media_type="text/plain",
            )
        return session, None

    def _board_context(self, session: Session) -> dict[str, Any]:
        board = desk_board(self.desk.store, now=self.desk.now)
        common = self._common(session)
        return {"board": board, "card": self.cards.renderer(common), **common}

    def _order_context(self, request: Request, session: Session) -> dict[str, Any] | None:
        view = order_view(self.desk.store, request.path_params["order_id"])
        if view is None:
            return None
        # Never the last package's carrier: the number scanned into the form names its own.
        return {
            "order": view,
            "back": f"/orders/{quote(view.order_id, safe='')}",
            "carriers": CARRIER_CHOICES,
            "today": self.desk.now().date().isoformat(),
            **self._common(session),
        }

    def _common(self, session: Session) -> dict[str, Any]:
        seen = self.desk.proofs.seen()  # one listing of the masters for the whole page
        return {
            "csrf": session.csrf,
            "proof_of": seen.has_proof,
            "options_of": seen.options,
            "comparison_of": seen.has_comparison,
            "shipment_words": SHIPMENT_WORDS,
            "recent_days": RECENT_DAYS,
            "proof_path": proof_path,
            "tracking_words": tracking_words,
            "approvable": APPROVABLE_CAUSES,
            "what_to_fix": what_to_fix,
            "whole_item": ALL_SURFACES,
            "product_name": self.desk.product_name,
            "label_desk": self.desk.labels,
            "label_words": LABEL_WORDS,
        }

    def _page(
        self,
        name: str,
        session: Session,
        *,
        status: int = 200,
        **context: Any,
    ) -> Response:
        flash, session.flash = session.flash, []
        context.setdefault("focus_scan", False)
        html = self._render(name, shop=self.desk.shop, flash=flash, **context)
        return HTMLResponse(html, status_code=status)

    async def _kept_or_rendered(
        self, request: Request, session: Session, render: Callable[[Session], _Made]
    ) -> Rendered | None:
        """The page for this path and session as last rendered, while the store's change count
        and the time say it is still right; rendered (in the thread pool) otherwise. None
        when `render` finds nothing to show."""
        count = await run_in_threadpool(self.desk.store.change_count)  # before what it counts
        key = (request.url.path, session.csrf)
        kept = self.rendered.get(key, count=count, now=self.desk.now())
        if kept is not None:
            return kept
        made = await run_in_threadpool(render, session)
        if made is None:
            return None
        html, until = made
        return self.rendered.keep(key, Rendered(html, count, until))

    def _board_page(self, session: Session) -> _Made:
        context = self._board_context(session)
        html = self._render("board.html", shop=self.desk.shop, flash=[], title="Orders",
                            focus_scan=True, **context)  # fmt: skip
        return html, context["board"].valid_until

    def _board_lists(self, session: Session) -> _Made:
        context = self._board_context(session)
        return self._render("board_lists.html", **context), context["board"].valid_until

    def _order_status(self, request: Request, session: Session) -> _Made:
        context = self._order_context(request, session)
        return None if context is None else (self._render("order_status.html", **context), None)

    def _render(self, name: str, **context: Any) -> str:
        return self.templates.get_template(name).render(**context)

    def _ship_date(self, text: str) -> datetime:
        """The date from the form as a time: now for today, noon UTC for an earlier day."""
        now = self.desk.now()
        try:
            day = date.fromisoformat(text.strip()) if text.strip() else now.date()
        except ValueError:
            raise ValueError(f"“{text[:20]}” is not a date (YYYY-MM-DD).") from None
        if day > now.date():
            raise ValueError("The ship date is in the future.")
        return now if day == now.date() else datetime.combine(day, time(12), tzinfo=UTC)


def _tagged(request: Request, page: Rendered) -> Response:
    """The page with its tag, or 304 to a browser that has it already."""
    if request.headers.get("if-none-match") == page.tag:
        return Response(status_code=304, headers={"etag": page.tag})
    return HTMLResponse(page.html, headers={"etag": page.tag})


def _amazon_failure(order_id: str, exc: AmazonError) -> str:
    status = exc.status if isinstance(exc, SpApiError) else None
    if isinstance(exc, RequestValidationError) or (status is not None and 400 <= status < 429):
        # Refused (bad carrier, unknown order, no access): Amazon's words say what to fix.
        return f"Order {order_id}: Amazon refused the confirmation: {exc.message}"
    return (
        f"Order {order_id}: Amazon did not answer ({exc.message}). The package is recorded;"
        " press Confirm shipment again to retry."
    )


def _to_login() -> Response:
    return RedirectResponse("/login", status_code=303)


def _cookie(response: Response, name: str, value: str, *, max_age: int, secure: bool) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, samesite="strict", secure=secure
    )


def _same_origin(request: Request) -> bool:
    """False when the browser says the form came from another site."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not sent by every browser for same-origin posts; the token still counts
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _from_this_page(request: Request) -> bool:
    """False for a navigation another site started (Fetch Metadata; "none": typed, scanned)."""
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


def _local_path(back: str) -> str:
    """Only a path on this page may be returned to (never `//elsewhere` or `https://...`)."""
    if back.startswith("/") and not back.startswith("//") and "\\" not in back:
        return back
    return "/"
