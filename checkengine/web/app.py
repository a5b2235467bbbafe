"""The workspace as an ASGI application: Starlette routes, jinja2 pages (autoescaped), a signed
session cookie (Starlette's, itsdangerous), CSRF tokens on every form (asgi-csrf, a signed
double-submit cookie), security headers, and the store opened per request.

Layers, outermost first: security headers -> CSRF check -> session -> routes. A POST whose token
is missing or wrong never reaches a route.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator, MutableMapping

import jinja2
from asgi_csrf import asgi_csrf
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from checkengine.archive.store import Store, open_archive
from checkengine.i18n import pick
from checkengine.web.auth import LoginLimiter
from checkengine.web.evaluation import Library

HERE = Path(__file__).resolve().parent
SESSION_HOURS = 12
#: seconds a request waits for SQLite's write lock: under 50 auditors submitting at once, some waited
#: more than the command line's 5 s (benchmarks/bench_serve.py); PostgreSQL locks rows, not the file
STORE_BUSY_TIMEOUT = 60.0
#: what a page may load: only this server's own scripts, styles and images
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class Settings:
    store: str
    rulebooks: Path
    secret_key: str
    https: bool = False
    logins_per_minute: int = 5
    #: the certificates the public verify page trusts (for any role)
    trust: tuple[Path, ...] = ()
    #: the RFC 3161 timestamp server every signature made here asks (None: signatures untimestamped)
    tsa: str | None = None


class Workspace:
    """What the routes share: the settings, the rulebooks, the templates and the login limiter."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.library = Library.load(settings.rulebooks)
        self.limiter = LoginLimiter(settings.logins_per_minute)
        self.verify_limiter = LoginLimiter(10)  # verifications a minute per address
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.templates.filters["pick"] = pick

    @contextlib.contextmanager
    def store(self) -> Iterator[Store]:
        with open_archive(self.settings.store, write=True, busy_timeout=STORE_BUSY_TIMEOUT) as store:
            yield store

    def prepare(self) -> None:
        """Make the store (or bring it up to date) before the first request."""
        with self.store():
            pass


PUBLIC = "/verify"  # the one page that anyone may post to
MAX_BODY = 64 * 1024 * 1024  # a submission with its photos: 60 files of at most 10 MB would not fit, 6 will


def body_limit(app: ASGIApp, limit: int = MAX_BODY) -> ASGIApp:
    """Refuse a request body larger than *limit* (413), by its Content-Length or as it streams."""

    async def too_large(send: Send) -> None:
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
        await send({"type": "http.response.body", "body": b"the request is too large"})

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await too_large(send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    return {"type": "http.disconnect"}  # the app stops reading; the client is cut off
            return message

        await app(scope, counted, send)

    return wrapped


def multipart_needs_header(app: ASGIApp) -> ASGIApp:
    """A multipart POST (a checklist with photos, sent by the page's script) must carry its CSRF
    token in the X-CSRFToken header, equal to the token cookie; asgi-csrf then checks it (the header
    is the first thing it checks). Its own reading of multipart bodies does not work with the
    python-multipart of today (a TypeError), so a multipart request never gets that far: one that
    would is refused here, and so is one that fails inside it."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            headers = dict(scope.get("headers") or [])
            if headers.get(b"content-type", b"").startswith(b"multipart/") and scope["path"] != PUBLIC:
                cookies = SimpleCookie(headers.get(b"cookie", b"").decode("latin-1"))
                token = cookies["csrftoken"].value if "csrftoken" in cookies else ""
                sent = headers.get(b"x-csrftoken", b"").decode("latin-1")
                if not token or not secrets.compare_digest(sent, token):
                    await csrf_failed(scope, send)
                    return
                started = False

                async def watched(message: Message) -> None:
                    nonlocal started
                    started = started or message["type"] == "http.response.start"
                    await send(message)

                try:
                    await app(scope, receive, watched)
                except TypeError as exc:
                    if started or "FileClass" not in str(exc):
                        raise
                    await csrf_failed(scope, send)
                return
        await app(scope, receive, send)

    return wrapped


def security_headers(app: ASGIApp, *, https: bool) -> ASGIApp:
    headers = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
               (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY"),
               (b"cache-control", b"no-store")]
    if https:
        headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + headers
            await send(message)

        await app(scope, receive, send_with_headers if scope["type"] == "http" else send)

    return wrapped


async def csrf_failed(scope: Scope, send: Send, message_id: Any = None) -> None:
    from checkengine.web.labels import Labels

    body = ("<!doctype html><meta charset=utf-8><title>403</title><p>"
            + Labels("en").forbidden + "</p>").encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/html; charset=utf-8")]})
    await send({"type": "http.response.body", "body": body})


class Application:
    """The ASGI application, with the workspace behind it (the command seeds the demo through it)."""

    def __init__(self, app: ASGIApp, workspace: Workspace) -> None:
        self.app = app
        self.workspace = workspace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def create_app(settings: Settings) -> Application:
    from checkengine.web import views, views_forms
    from checkengine.web import views_review
    from checkengine.web import views_actions
    from checkengine.web import views_schedule
    from checkengine.web import views_assign
    from checkengine.web import views_admin

    workspace = Workspace(settings)
    workspace.prepare()
    routes = [
        Route("/", views.home),
        Route("/login", views.login, methods=["GET", "POST"]),
        Route("/logout", views.logout, methods=["POST"]),
        Route("/inspections", views.inspections),
        Route("/inspections/{id:int}", views.checklist, methods=["GET", "POST"]),
        Route("/inspections/{id:int}/result", views.result),
        Route("/audit", views.audit_log),
        Route("/photos/{digest:str}", views.photo),
        Route("/sw.js", views.service_worker),
        Route("/profile", views_forms.profile, methods=["GET", "POST"]),
        Route("/inspections/{id:int}/sign", views_forms.sign, methods=["POST"]),
        Route("/inspections/{id:int}/review", views_review.review, methods=["POST"]),
        Route("/forms/{form:int}", views_forms.signed_form),
        Route("/verify", views_forms.verify, methods=["GET", "POST"]),
        Route("/actions", views_actions.my_actions),
        Route("/actions/all", views_actions.overview),
        Route("/actions/{id:int}", views_actions.action_page),
        Route("/actions/{id:int}/update", views_actions.update, methods=["POST"]),
        Route("/actions/{id:int}/evidence/{digest:str}", views_actions.evidence),
        Route("/schedule", views_schedule.schedule_page),
        Route("/schedule/decide", views_schedule.decide_view, methods=["POST"]),
        Route("/assign", views_assign.assign_page, methods=["GET", "POST"]),
        Route("/admin/users", views_admin.users, methods=["GET", "POST"]),
        Route("/admin/users/{id:int}", views_admin.user),
        Route("/admin/users/{id:int}/{what:str}", views_admin.change, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[
        Middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie="checkengine_session",
                   max_age=SESSION_HOURS * 3600, same_site="lax", https_only=settings.https),
    ])
    app.state.workspace = workspace
    # The public verify page changes nothing and reads no session: it needs no token (a plain form
    # with a file, which anyone may send).
    protected = asgi_csrf(app, signing_secret=settings.secret_key, always_protect={"/login", "/logout"},
                          cookie_secure=settings.https, cookie_samesite="Lax", send_csrf_failed=csrf_failed,
                          skip_if_scope=lambda scope: scope["path"] == PUBLIC)
    return Application(security_headers(body_limit(multipart_needs_header(protected)), https=settings.https),
                       workspace)
