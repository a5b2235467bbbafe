"""The administrator's pages: users listed, added, their role and sites changed, a password reset,
a user disabled or enabled again. Every change is written to the append-only audit log in the same
transaction; a refused change is logged too.

An administrator manages the users whose sites are all among their own (a user of no site - a
policy author - by any administrator), and gives only their own sites: a site outside that list,
sent in a forged form, is refused and changes nothing. An administrator cannot change their own
role nor disable themselves (another administrator does: nobody locks the workspace by mistake).
Anyone else gets 403 on every page and every POST here; the CSRF token is checked before any of
them runs (``app.py``).

A disabled user cannot sign in (``auth.check_password``), and a session they have stops working
at its next request (``views.current_user`` reads the user afresh each time). A password reset
ends the user's open sessions the same way: a session is sealed with its password
(``auth.session_seal``); an administrator resetting their own keeps the session they did it from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from checkengine.archive.store import Store
from checkengine.archive.workspace import User
from checkengine.archive.workspace_schema import ROLES
from checkengine.errors import UserError
from checkengine.i18n import UI_LANGUAGES
from checkengine.web.auth import MIN_PASSWORD, hash_password, session_seal
from checkengine.web.labels import Labels
from checkengine.web.views import (
    MAX_PASSWORD, _address, _in_store, _language, _to_login, _ws, current_user, render,
)

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
MAX_NAME = 200
CHANGES = ("role", "password", "state")


class Refused(Exception):
    """A change the administrator may not make, or a form that is not right (a label key and values)."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Admin:
    user: User
    lang: str

    @property
    def labels(self) -> Labels:
        return Labels(self.lang)


def manages(admin: User, other: User) -> bool:
    """Whether *admin* manages *other*: every site of theirs is one of the administrator's."""
    return set(other.sites) <= set(admin.sites)


async def _admin(request: Request) -> Admin | Response:
    """The signed-in administrator, or the answer to give: sign in first, or 403 (logged for a POST)."""
    user = await current_user(request)
    if user is None:
        return _to_login()
    lang = _language(request, user=user)
    if user.role != "administrator":
        if request.method == "POST":
            await _in_store(request, lambda s: _log(s, "administration refused: not an administrator", user,
                                                    _address(request), target=request.url.path))
        return render(request, "message.html.j2", 403, lang=lang, user=user, message=Labels(lang).admin_only)
    return Admin(user, lang)


def _log(store: Store, action: str, user: User, address: str | None, *, target: str | None = None,
         detail: dict[str, Any] | None = None) -> None:
    with store.writing():
        store.log(action, user=user, address=address, target=target, detail=detail)


def _sites(form: FormData, admin: User) -> list[str]:
    sites = [str(s) for s in form.getlist("site")]
    outside = [s for s in sites if s not in admin.sites]
    if outside:
        raise Refused("admin_site_outside", site=outside[0][:80], sites=", ".join(admin.sites) or "-")
    return list(dict.fromkeys(sites))


def _role(form: FormData) -> str:
    role = str(form.get("role") or "")
    if role not in ROLES:
        raise Refused("admin_bad_role", role=role[:40], roles=", ".join(ROLES))
    return role


def _password(form: FormData) -> str:
    password = str(form.get("password") or "")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise Refused("admin_bad_password", min=MIN_PASSWORD, max=MAX_PASSWORD)
    return password


async def users(request: Request) -> Response:
    """The users this administrator manages, and the form that adds one."""
    admin = await _admin(request)
    if not isinstance(admin, Admin):
        return admin
    error: str | None = None
    values: dict[str, str] = {}
    chosen: list[str] = []
    if request.method == "POST":
        form = await request.form(max_files=0, max_fields=200)
        values = {k: str(form.get(k) or "") for k in ("username", "name", "role", "language")}
        chosen = [str(s) for s in form.getlist("site")]
        try:
            uid = await _in_store(request, lambda s: _add(s, admin.user, form, _address(request)))
        except Refused as refused:
            error = admin.labels(refused.key, **refused.values)
            await _in_store(request, lambda s: _log(s, "user not added", admin.user, _address(request),
                                                    target=values["username"][:100], detail={"why": refused.key}))
        else:
            return RedirectResponse(f"/admin/users/{uid}", status_code=303)
    found = await _in_store(request, lambda s: s.users())
    return render(request, "admin_users.html.j2", 400 if error else 200, lang=admin.lang, user=admin.user,
                  users=[u for u in found if manages(admin.user, u)], roles=ROLES, languages=UI_LANGUAGES,
                  error=error, values=values, chosen=chosen)


def _add(store: Store, admin: User, form: FormData, address: str | None) -> int:
    username = str(form.get("username") or "").strip()
    name = str(form.get("name") or "").strip()
    if not USERNAME.match(username):
        raise Refused("admin_bad_username")
    if not 0 < len(name) <= MAX_NAME:
        raise Refused("admin_bad_name", max=MAX_NAME)
    role, sites, password = _role(form), _sites(form, admin), _password(form)
    language = str(form.get("language") or "") or None
    if language is not None and language not in UI_LANGUAGES:
        raise Refused("admin_bad_language", languages=", ".join(UI_LANGUAGES))
    if store.user_named(username) is not None:
        raise Refused("admin_user_exists", username=username)
    with store.writing():
        try:
            uid = store.add_user(username=username, name=name, role=role, password_hash=hash_password(password),
                                 sites=sites, language=language)
        except UserError as exc:  # e.g. a site the administrator has but the store no longer knows
            raise Refused("admin_store_refused", message=str(exc)) from None
        store.log("user added", user=admin, address=address, target=username,
                  detail={"role": role, "sites": sites, "language": language})
    return uid


async def _target(request: Request) -> tuple[Admin, User] | Response:
    """The administrator and the user of the URL they manage; else the response to give (another's
    user, or one outside their sites, is "not found")."""
    admin = await _admin(request)
    if not isinstance(admin, Admin):
        return admin
    wanted = int(request.path_params["id"])
    other = await _in_store(request, lambda s: s.user_by_id(wanted))
    if other is None or not manages(admin.user, other):
        return render(request, "message.html.j2", 404, lang=admin.lang, user=admin.user,
                      message=admin.labels.admin_no_user)
    return admin, other


async def user(request: Request) -> Response:
    """One user: their role and sites, a new password, disabled or not."""
    found = await _target(request)
    if isinstance(found, Response):
        return found
    admin, other = found
    return _user_page(request, admin, other, None)


def _user_page(request: Request, admin: Admin, other: User, error: str | None) -> Response:
    return render(request, "admin_user.html.j2", 400 if error else 200, lang=admin.lang, user=admin.user,
                  other=other, roles=ROLES, error=error, done=request.query_params.get("done"))


async def change(request: Request) -> Response:
    """POST /admin/users/{id}/{what}: ``role`` (role and sites), ``password`` (a new one), ``state``
    (``active`` 1 or 0)."""
    found = await _target(request)
    if isinstance(found, Response):
        return found
    admin, other = found
    what = str(request.path_params["what"])
    if what not in CHANGES:
        return render(request, "message.html.j2", 404, lang=admin.lang, user=admin.user,
                      message=admin.labels.admin_no_user)
    form = await request.form(max_files=0, max_fields=200)
    address = _address(request)
    try:
        if other.id == admin.user.id and what in ("role", "state"):
            raise Refused("admin_not_yourself")
        await _in_store(request, lambda s: _change(s, admin.user, other, what, form, address))
    except Refused as refused:
        await _in_store(request, lambda s: _log(s, f"user change refused ({what})", admin.user, address,
                                                target=other.username, detail={"why": refused.key}))
        return _user_page(request, admin, other, admin.labels(refused.key, **refused.values))
    if what == "password" and other.id == admin.user.id:  # their own: this session goes on, the others end
        changed = await _in_store(request, lambda s: s.user_by_id(other.id))
        if changed is not None:
            request.session["seal"] = session_seal(_ws(request).settings.secret_key, changed)
    return RedirectResponse(f"/admin/users/{other.id}?done={what}", status_code=303)


def _change(store: Store, admin: User, other: User, what: str, form: FormData, address: str | None) -> None:
    if what == "role":
        role, sites = _role(form), _sites(form, admin)
        with store.writing():
            try:
                store.set_role_and_sites(other.id, role, sites)
            except UserError as exc:
                raise Refused("admin_store_refused", message=str(exc)) from None
            store.log("user role and sites changed", user=admin, address=address, target=other.username,
                      detail={"before": {"role": other.role, "sites": list(other.sites)},
                              "after": {"role": role, "sites": sites}})
    elif what == "password":
        hashed = hash_password(_password(form))
        with store.writing():
            store.set_password(other.id, hashed)
            store.log("password reset", user=admin, address=address, target=other.username)
    elif what == "state":
        active = str(form.get("active") or "")
        if active not in ("0", "1"):
            raise Refused("admin_bad_state")
        with store.writing():
            store.set_active(other.id, active == "1")
            store.log("user enabled" if active == "1" else "user disabled", user=admin, address=address,
                      target=other.username)
    else:
        raise Refused("admin_bad_state")


__all__ = ["change", "manages", "user", "users"]
