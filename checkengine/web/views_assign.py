"""The page where a site manager (at their sites) or an administrator assigns an inspection: a
checklist of a served rulebook, a site, an auditor of that site, the day, and who is inspected.
``web/assigning.py`` decides, as it does for ``checkengine serve assign``; a refusal is said in
the page's language, written to the audit log, and the form comes back as it was sent. The
schedule page links here with the rulebook, site and day of an occurrence filled in.
"""

from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from checkengine.archive.store import Store
from checkengine.archive.workspace import Inspection, User
from checkengine.i18n import pick
from checkengine.web.assigning import SUBJECT_FIELDS, Assignment, AssignRefused, assign, auditors_of, may_assign
from checkengine.web.auth import may_see, sites_of
from checkengine.web.labels import Labels
from checkengine.web.views import _address, _in_store, _language, _to_login, _ws, current_user, render

#: the form's fields (a POST with others is refused before anything is read)
FIELDS = ("csrftoken", "checklist", "site", "auditor", "due", *SUBJECT_FIELDS)
MAX_FIELD = 400


def _choices(request: Request, lang: str) -> list[tuple[str, str]]:
    """(value, label) of every checklist served: ``rulebook:kind``, the rulebook's title."""
    out = []
    for book_id, served in sorted(_ws(request).library.books.items()):
        name = pick(served.book.title, lang, served.book.source_language) or book_id
        for kind in served.kinds:
            out.append((f"{book_id}:{kind}", name if len(served.kinds) == 1 else f"{name} · {kind}"))
    return out


def _page(request: Request, user: User, lang: str, *, status: int = 200, error: str | None = None,
          values: Mapping[str, str] | None = None, sites: Mapping[str, Any], auditors: list[User],
          done: Inspection | None = None) -> Response:
    values = dict(values or {})
    for key in ("checklist", "site", "due"):  # the schedule page's link fills these in
        values.setdefault(key, request.query_params.get(key, "")[:MAX_FIELD])
    mine = sites_of(user, sites)
    return render(request, "assign.html.j2", status, lang=lang, user=user, error=error, values=values,
                  checklists=_choices(request, lang), sites=sites, site_ids=mine, auditors=auditors,
                  done=done)


async def _context(request: Request, user: User) -> tuple[dict[str, Any], list[User]]:
    def read(store: Store) -> tuple[dict[str, Any], list[User]]:
        sites = store.sites()
        mine = sites_of(user, sites)
        return sites, auditors_of(store, mine)
    return await _in_store(request, read)


async def assign_page(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        return _to_login()
    lang = _language(request, user=user)
    if not may_assign(user):
        return render(request, "message.html.j2", 403, lang=lang, user=user, message=Labels(lang).assign_only)
    sites, auditors = await _context(request, user)
    if request.method == "GET":
        asked = request.query_params.get("done", "")
        shown = None
        if asked.isdigit() and len(asked) < 12:  # the one just assigned, said only if this user may see it
            found = await _in_store(request, lambda s: s.inspection(int(asked)))
            shown = found if found is not None and may_see(user, found) else None
        return _page(request, user, lang, sites=sites, auditors=auditors, done=shown)
    form = await request.form(max_files=0, max_fields=len(FIELDS) + 2)
    values = {k: str(v).strip()[:MAX_FIELD] for k, v in form.items() if k in FIELDS and k != "csrftoken"}
    book, _, kind = values.get("checklist", "").rpartition(":")
    wanted = Assignment(book or values.get("checklist", ""), values.get("site", ""), values.get("auditor", ""),
                        values.get("due", ""), kind or None, {k: values.get(k, "") for k in SUBJECT_FIELDS})
    address = _address(request)
    library = _ws(request).library

    def work() -> int | AssignRefused:
        with _ws(request).store() as store:
            try:
                return assign(store, library, wanted, user, address=address)
            except AssignRefused as refused:
                with store.writing():
                    store.log("inspection not assigned", user=user, address=address, target=wanted.site[:80],
                              detail={"why": refused.key, "auditor": wanted.auditor[:100],
                                      "rulebook": wanted.rulebook[:80], "due": wanted.due[:40]})
                return refused

    done = await run_in_threadpool(work)
    if isinstance(done, AssignRefused):
        L = Labels(lang)
        return _page(request, user, lang, status=422, error=L(done.key, **done.values), values=values, sites=sites,
                     auditors=auditors)
    return RedirectResponse("/assign?" + urlencode({"done": done}), status_code=303)


__all__ = ["assign_page"]
