"""The workspace's pages. Store work runs in a worker thread (the store's drivers are synchronous);
every state change and its audit-log entry are written in one transaction."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Callable, TypeVar
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from checkengine.archive.store import Store
from checkengine.archive.workspace import Inspection, Submission, User
from checkengine.errors import UserError
from checkengine.i18n import UI_LANGUAGES
from checkengine.web import submit as submitting
from checkengine.web.app import Workspace
from checkengine.web.auth import (
    check_password, hash_password, may_see, may_submit, needs_rehash, seal_matches, session_seal,
)
from checkengine.web.checklist import Filled, screens_for
from checkengine.web.labels import Labels
from checkengine.web.photos import MAX_BYTES as MAX_PHOTO_BYTES

T = TypeVar("T")
DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
PHOTO_HASH = re.compile(r"^[0-9a-f]{64}$")
MAX_FILES = 60
MAX_USERNAME = 100
MAX_PASSWORD = 1024


def _ws(request: Request) -> Workspace:
    workspace: Workspace = request.app.state.workspace
    return workspace


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


async def _in_store(request: Request, work: Callable[[Store], T]) -> T:
    def run() -> T:
        with _ws(request).store() as store:
            return work(store)

    return await run_in_threadpool(run)


def _language(request: Request, offered: list[str] | None = None, user: User | None = None) -> str:
    """The page's language: ?lang=, else the session's choice, else the user's, else the first offered."""
    offered = [lang for lang in (offered or list(UI_LANGUAGES)) if lang in UI_LANGUAGES] or ["en"]
    for wanted in (request.query_params.get("lang"), request.session.get("lang"), user.language if user else None):
        if wanted in offered:
            if request.query_params.get("lang") == wanted:
                request.session["lang"] = wanted
            return str(wanted)
    return offered[0]


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = context.setdefault("lang", "en")
    context.setdefault("L", Labels(lang))
    context.setdefault("user", None)
    token = request.scope.get("csrftoken")
    context["csrftoken"] = token() if callable(token) else ""
    html = _ws(request).templates.get_template(template).render(request=request, **context)
    return HTMLResponse(html, status_code=status)


async def current_user(request: Request) -> User | None:
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        return None
    user = await _in_store(request, lambda s: s.user_by_id(uid))
    if user is None or not user.active or not seal_matches(_ws(request).settings.secret_key, user,
                                                            request.session.get("seal")):
        request.session.clear()
        return None
    return user


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


async def home(request: Request) -> Response:
    user = await current_user(request)
    return RedirectResponse("/inspections" if user else "/login", status_code=303)


async def login(request: Request) -> Response:
    lang = _language(request)
    if request.method == "GET":
        return render(request, "login.html.j2", lang=lang, error=None, username="")
    form = await request.form(max_files=0, max_fields=10)
    username = str(form.get("username") or "")[:MAX_USERNAME].strip()
    password = str(form.get("password") or "")[:MAX_PASSWORD]
    address = _address(request) or "unknown"
    L = Labels(lang)
    if not _ws(request).limiter.allow(address, username):
        await _in_store(request, lambda s: _log(s, "login refused: too many attempts", None, address, username))
        return render(request, "login.html.j2", 429, lang=lang, error=L.too_many, username=username)

    def attempt(store: Store) -> User | None:
        user = store.user_named(username)
        ok = check_password(user, password)
        with store.writing():
            if ok and user is not None and needs_rehash(user):
                store.set_password(user.id, hash_password(password))
                user = store.user_by_id(user.id)  # the session is sealed with the new hash
            store.log("login" if ok else "login failed", user=user if ok else None, username=username,
                      address=address)
        return user if ok else None

    user = await run_in_threadpool(lambda: _with_store(request, attempt))
    if user is None:
        return render(request, "login.html.j2", 401, lang=lang, error=L.wrong_login, username=username)
    request.session.clear()
    request.session.update({"uid": user.id, "at": datetime.now().isoformat(timespec="seconds"),
                            "seal": session_seal(_ws(request).settings.secret_key, user)})
    return RedirectResponse("/inspections", status_code=303)


def _with_store(request: Request, work: Callable[[Store], T]) -> T:
    with _ws(request).store() as store:
        return work(store)


def _log(store: Store, action: str, user: User | None, address: str | None, username: str | None = None,
         target: str | None = None) -> None:
    with store.writing():
        store.log(action, user=user, address=address, username=username, target=target)


async def logout(request: Request) -> Response:
    user = await current_user(request)
    if user is not None:
        await _in_store(request, lambda s: _log(s, "logout", user, _address(request)))
    request.session.clear()
    return _to_login()


async def inspections(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        return _to_login()

    from checkengine.web.review import State, states

    def listing(store: Store) -> tuple[list[Inspection], set[int], dict[str, Any], dict[int, State]]:
        found = store.inspections_visible_to(user)
        ids = [i.id for i in found]
        return found, store.submitted(ids), store.sites(), states(store, ids)

    found, done, sites, where = await _in_store(request, listing)
    books = _ws(request).library.books
    titles = {i.rulebook: books[i.rulebook].book.title if i.rulebook in books else i.rulebook for i in found}
    from checkengine.web.views_schedule import assignments  # the schedules' assignments (docs/schedules.md)

    return render(request, "inspections.html.j2", lang=_language(request, user=user), user=user, inspections=found,
                  done=done, sites=sites, titles=titles, states=where,
                  **await assignments(request, user))


async def _visible(request: Request, user: User) -> Inspection | None:
    wanted = int(request.path_params["id"])
    inspection = await _in_store(request, lambda s: s.inspection(wanted))
    if inspection is None or not may_see(user, inspection):
        return None  # another's inspection is "not found": its existence is not told either
    return inspection


def _not_found(request: Request, user: User, lang: str) -> HTMLResponse:
    return render(request, "message.html.j2", 404, lang=lang, user=user, message=Labels(lang).not_found)


def site_now(site: dict[str, Any] | None) -> datetime:
    """Now, on the site's clock (UTC when the site has no zone)."""
    zone = (site or {}).get("timezone")
    return datetime.now(ZoneInfo(zone) if zone else ZoneInfo("UTC")).replace(microsecond=0)


async def signed_in_inspection(request: Request) -> tuple[User, Inspection] | Response:
    """The signed-in user and the inspection of the URL they may see; else the response to give
    (to the sign-in page, or "not found": another's inspection is not said to exist)."""
    user = await current_user(request)
    if user is None:
        return _to_login()
    inspection = await _visible(request, user)
    if inspection is None:
        return _not_found(request, user, _language(request, user=user))
    return user, inspection


async def checklist(request: Request) -> Response:
    found = await signed_in_inspection(request)
    if isinstance(found, Response):
        return found
    user, inspection = found
    book = _ws(request).library.get(inspection.rulebook)
    lang = _language(request, book.languages, user)
    from checkengine.web.review import entered_from, state

    submitted = await _in_store(request, lambda s: s.submissions_of(inspection.id))
    now = await _in_store(request, lambda s: state(s, inspection.id))
    if submitted and now.status != "sent_back":
        return RedirectResponse(f"/inspections/{inspection.id}/result", status_code=303)
    if request.method == "POST":
        return await _submit(request, user, inspection)
    site = (await _in_store(request, lambda s: s.sites())).get(inspection.site)
    screens = screens_for(book, inspection.kind, site_now(site).date(), lang)
    taken = await _in_store(request, lambda s: s.photos_of(inspection.id))
    # Sent back: the answers given before, to correct (the photos kept are shown again as well).
    entered = entered_from(submitted[-1].record, submitted[-1].not_observed) if submitted else {}
    return render(request, "checklist.html.j2", lang=lang, user=user, inspection=inspection, book=book,
                  screens=screens, filled=Filled({}, {}, [], {}, entered, photos=taken), device_id=uuid.uuid4().hex,
                  may_submit=may_submit(user, inspection), languages=[x for x in book.languages if x in UI_LANGUAGES],
                  sent_back=now.sent_back)


async def _submit(request: Request, user: User, inspection: Inspection) -> Response:
    form = await request.form(max_files=MAX_FILES, max_fields=2000, max_part_size=64 * 1024)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    book = _ws(request).library.get(inspection.rulebook)
    lang = fields.get("lang") if fields.get("lang") in book.languages else _language(request, book.languages, user)
    L = Labels(str(lang))
    if not may_submit(user, inspection):
        return render(request, "message.html.j2", 403, lang=lang, user=user, message=L.not_yours)
    device_id = fields.get("submission_id", "")
    if not DEVICE_ID.match(device_id):
        device_id = uuid.uuid4().hex
    uploads: list[tuple[str, str, bytes]] = []
    kept: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if not key.startswith(("photo:", "kept:")):
            continue
        rule = key.split(":", 1)[1]
        if isinstance(value, str):
            if key.startswith("kept:") and PHOTO_HASH.match(value):
                kept.setdefault(rule, []).append(value)
        elif value.size:  # an empty file field: no photo taken
            uploads.append((rule, value.filename or "photo", await value.read(MAX_PHOTO_BYTES + 1)))
    sites = await _in_store(request, lambda s: s.sites())
    site = sites.get(inspection.site) or {"id": inspection.site}
    when = site_now(site)
    screens = screens_for(book, inspection.kind, when.date(), str(lang))
    address = _address(request)

    def work(store: Store) -> Submission | Filled:
        photos, problems = submitting.take_photos(store, inspection, user, uploads, kept, address,
                                                  keep_location=submitting.located_rules(book))
        return submitting.submit(store, book, inspection, user, screens, fields, device_id=device_id, lang=str(lang),
                                 site=site, when=when, address=address, photos=photos, photo_problems=problems)

    outcome = await run_in_threadpool(lambda: _with_store(request, work))
    if isinstance(outcome, Filled):
        from checkengine.web.review import state

        outcome_sent_back = (await _in_store(request, lambda s: state(s, inspection.id))).sent_back
        return render(request, "checklist.html.j2", 422, lang=lang, user=user, inspection=inspection, book=book,
                      screens=screens, filled=outcome, device_id=device_id, may_submit=True,
                      languages=[x for x in book.languages if x in UI_LANGUAGES], sent_back=outcome_sent_back)
    return RedirectResponse(f"/inspections/{inspection.id}/result", status_code=303)


async def photo(request: Request) -> Response:
    """A photo, to a user who may see an inspection it was taken for (else: not found)."""
    user = await current_user(request)
    if user is None:
        return _to_login()
    digest = str(request.path_params["digest"])
    found = await _in_store(request, lambda s: s.photo(digest)) if PHOTO_HASH.match(digest) else None
    if found is not None:
        media_type, data, inspections = found
        for iid in inspections:
            inspection = await _in_store(request, lambda s: s.inspection(iid))
            if inspection is not None and may_see(user, inspection):
                return Response(data, media_type=media_type, headers={"content-disposition": "inline"})
    return Response("not found", status_code=404, media_type="text/plain")


async def result(request: Request) -> Response:
    found = await signed_in_inspection(request)
    if isinstance(found, Response):
        return found
    user, inspection = found
    return await show_result(request, user, inspection)


async def show_result(request: Request, user: User, inspection: Inspection, *, status: int = 200,
                      review_error: str | None = None, review_comment: str = "") -> Response:
    """The result of the inspection's latest submission, where it stands (signed, reviewed), the
    signing and review forms its viewer may use, and the earlier submissions."""
    from checkengine.web.review import history, may_review, state

    book = _ws(request).library.get(inspection.rulebook)
    submissions = await _in_store(request, lambda s: s.submissions_of(inspection.id))
    if not submissions:
        return RedirectResponse(f"/inspections/{inspection.id}", status_code=303)
    last = submissions[-1]
    lang = _language(request, book.languages, user) if "lang" in request.query_params else last.language
    by = await _in_store(request, lambda s: s.user_by_id(last.submitted_by))
    rows = submitting.outcome_rows(book, last, lang)
    entry = last.result["records"][0]
    now = await _in_store(request, lambda s: state(s, inspection.id))
    can_sign = may_submit(user, inspection) and now.status == "to_sign"
    can_review = may_review(user, inspection) and now.status == "awaiting_review"
    return render(request, "result.html.j2", status, lang=lang, user=user, inspection=inspection, book=book,
                  submission=last, submitter=by.name if by else "?", rows=rows, score=entry.get("score") or {},
                  languages=[x for x in book.languages if x in UI_LANGUAGES], forms=now.forms, can_sign=can_sign,
                  sign_error=request.session.pop("sign_error", None), state=now, can_review=can_review,
                  review_error=review_error, review_comment=review_comment,
                  history=history(now.facts, submissions)[1:],
                  may_resubmit=may_submit(user, inspection) and now.status == "sent_back")


async def service_worker(request: Request) -> Response:
    """The service worker, from the site's root so that its scope is the whole site."""
    from checkengine.web.app import HERE

    return Response((HERE / "static" / "sw.js").read_bytes(), media_type="text/javascript",
                    headers={"service-worker-allowed": "/"})


async def audit_log(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        return _to_login()
    lang = _language(request, user=user)
    if user.role != "administrator":
        return render(request, "message.html.j2", 404, lang=lang, user=user, message=Labels(lang).not_found)
    entries = await _in_store(request, lambda s: s.audit_entries())
    return render(request, "audit.html.j2", lang=lang, user=user, entries=entries)


__all__ = ["UserError", "audit_log", "checklist", "home", "inspections", "login", "logout", "photo", "result",
           "service_worker", "show_result"]
