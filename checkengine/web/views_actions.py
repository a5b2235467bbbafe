"""Corrective actions in the workspace: the owner's list, the manager's overview, an action's page
and its updates - through the same lifecycle code the command uses (``apply_update``), each update
and its audit-log entry in one transaction. Who sees and does what: :mod:`checkengine.web.action_access`.
Another's action, by its id in the URL, is "not found" (404), as another's inspection is."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from checkengine.actions.evidence import EvidenceFile
from checkengine.actions.lifecycle import STATES, VERBS, Action, TransitionRefused
from checkengine.actions.tracker import apply_update, list_actions, load_action
from checkengine.archive.people import outcome_detail, person_links
from checkengine.archive.store import Store
from checkengine.archive.tracking import file_info
from checkengine.errors import UserError
from checkengine.i18n import pick
from checkengine.web.action_access import Who
from checkengine.web.labels import Labels
from checkengine.web.photos import MAX_BYTES as MAX_PHOTO_BYTES
from checkengine.web.photos import MAX_PER_ITEM, PhotoRefused, accept
from checkengine.web.views import _address, _in_store, _language, _to_login, _ws, current_user, render

DIGEST = re.compile(r"^[0-9a-f]{64}$")
PERSON = re.compile(r"^[\w.@-]{1,64}$")
MAX_NOTE = 2000
EXTENSION = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def who_is(store: Store, user: Any) -> Who:
    return Who.of(user, person_links(store, [user.id]).get(user.id))


async def _who(request: Request) -> Who | None:
    user = await current_user(request)
    if user is None:
        return None
    return await _in_store(request, lambda s: who_is(s, user))


def _book_rule(request: Request, action: Action) -> tuple[Mapping[str, Any], Mapping[str, Any], str] | None:
    """The served rulebook's (merged book, the action's rule, source language); None when not served."""
    served = _ws(request).library.books.get(action.book)
    if served is None:
        return None
    merged = served.book.merged
    rule: Mapping[str, Any] = next(
        (r for s in merged.get("sections", []) for r in s.get("rules", []) if r.get("id") == action.rule), {})
    return merged, rule, served.book.source_language


def _rule(request: Request, action: Action, lang: str) -> dict[str, Any]:
    """The action's rule as the page shows it: its title and clauses in *lang* (from the served rulebook)."""
    found = _book_rule(request, action)
    if found is None:
        return {"title": action.rule, "clauses": []}
    merged, rule, source = found
    catalogue = merged.get("sources", {})
    clauses = []
    src = rule.get("source")
    for cid in (src if isinstance(src, list) else [src] if src else []):
        cid = cid.get("clause") if isinstance(cid, Mapping) else cid
        known = catalogue.get(cid, {}) if isinstance(cid, str) else {}
        clauses.append({"id": str(cid), "number": str(known.get("clause", "")), "text": str(known.get("text", ""))})
    return {"title": pick(rule.get("title"), lang, source) or action.rule, "clauses": clauses}


def _said(request: Request, action: Action, outcome: Mapping[str, Any], lang: str) -> str:
    """The failed outcome in the page's words, as the result page and the signed form say it."""
    from checkengine.web.submit import in_words

    found = _book_rule(request, action)
    if found is None:
        return str(outcome.get("explanation") or "")
    _merged, rule, source = found
    return in_words(outcome, rule, {}, lang, source)


def _rows(request: Request, actions: list[Action], lang: str) -> list[dict[str, Any]]:
    """Overdue first, then by due day (none last), then by id."""
    rows = [{"action": a, "overdue": a.overdue(), "title": _rule(request, a, lang)["title"]} for a in actions]
    return sorted(rows, key=lambda r: (not r["overdue"], r["action"].status == "closed", r["action"].due or "9999",
                                       r["action"].id))


async def my_actions(request: Request) -> Response:
    """The actions whose owner is this user (by person id, user name, or role at their sites)."""
    who = await _who(request)
    if who is None:
        return _to_login()
    lang = _language(request, user=who.user)
    mine = await _in_store(request, lambda s: [a for a in list_actions(s) if who.owns(a)])
    return render(request, "actions.html.j2", lang=lang, user=who.user, who=who, rows=_rows(request, mine, lang),
                  overview=False, filters={}, sites=await _in_store(request, lambda s: s.sites()))


async def overview(request: Request) -> Response:
    """Every action of the manager's sites (an administrator's: every site), filtered by status,
    owner (person or role), site and overdue."""
    who = await _who(request)
    if who is None:
        return _to_login()
    lang = _language(request, user=who.user)
    if not who.oversees:
        return render(request, "message.html.j2", 404, lang=lang, user=who.user, message=Labels(lang).action_not_found)
    query = request.query_params
    status = str(query.get("status") or "")
    status = status if status in STATES else ""
    owner = (query.get("owner") or "").strip()[:64]
    site = str(query.get("site") or "")
    late = query.get("overdue") == "1"
    filters = {"status": status, "owner": owner, "site": site, "overdue": late}
    found = await _in_store(request, lambda s: list_actions(s, site=site or None, owner=owner or None,
                                                            status=status or None, overdue=late))
    shown = [a for a in found if who.manages(a)]
    return render(request, "actions.html.j2", lang=lang, user=who.user, who=who, rows=_rows(request, shown, lang),
                  overview=True, filters=filters, states=STATES,
                  sites=await _in_store(request, lambda s: s.sites()))


async def _visible(request: Request, who: Who) -> Action | None:
    wanted = int(request.path_params["id"])

    def load(store: Store) -> Action | None:
        try:
            return load_action(store, wanted)
        except UserError:
            return None

    action = await _in_store(request, load)
    return action if action is not None and who.may_see(action) else None


def _photos_of(outcome: Mapping[str, Any]) -> list[str]:
    """The hashes of the workspace photos an outcome names as its evidence (``photo:HASH``)."""
    evidence = outcome.get("evidence")
    items = evidence if isinstance(evidence, list) else []
    return [str(e)[6:] for e in items if str(e).startswith("photo:") and DIGEST.match(str(e)[6:])]


def _local(at: str, zone: str | None) -> str:
    """An event's time on the site's clock, to the minute (as stored when it does not parse)."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    if zone and moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(zone))
    return moment.strftime("%Y-%m-%d %H:%M")


def _people(store: Store, site: str | None) -> list[tuple[str, str]]:
    """(person id, name) of the users of *site* who have a person id: whom a manager assigns to."""
    users = [u for u in store.users() if u.active and site in u.sites]
    links = person_links(store, [u.id for u in users])
    return sorted((str(links[u.id].person), u.name) for u in users if u.id in links and links[u.id].person)


async def _page(request: Request, who: Who, action: Action, *, status: int = 200, error: str | None = None,
                form: Mapping[str, str] | None = None) -> Response:
    lang = _language(request, user=who.user)
    failures = [e for e in action.events if e["event"] in ("opened", "reopened", "failed_again")]

    def details(store: Store) -> tuple[list[dict[str, Any]], list[tuple[str, str]], dict[str, Any]]:
        outcomes = []
        for event in failures:
            outcome = (event.get("details") or {}).get("outcome")
            found = dict(outcome_detail(store, int(outcome)) or {}) if isinstance(outcome, int) else {}
            if found:
                found["photos"] = _photos_of(found)
                found["explanation"] = _said(request, action, found, lang)
            outcomes.append({"event": event, "outcome": found or None})
        return outcomes, _people(store, action.site) if who.manages(action) else [], store.sites()

    outcomes, people, sites = await _in_store(request, details)
    return render(request, "action.html.j2", status, lang=lang, user=who.user, who=who, action=action,
                  overdue=action.overdue(), rule=_rule(request, action, lang), outcomes=outcomes,
                  verbs=who.verbs(action), people=people, error=error, form=form or {},
                  site=sites.get(action.site or "") or {},
                  times={e.get("seq"): _local(str(e.get("at", "")), action.zone) for e in action.events})


async def action_page(request: Request) -> Response:
    who = await _who(request)
    if who is None:
        return _to_login()
    action = await _visible(request, who)
    if action is None:
        lang = _language(request, user=who.user)
        return render(request, "message.html.j2", 404, lang=lang, user=who.user, message=Labels(lang).action_not_found)
    return await _page(request, who, action)


async def update(request: Request) -> Response:
    """One update of an action (verb, note, photos, person, due day), as the command's ``actions update``."""
    who = await _who(request)
    if who is None:
        return _to_login()
    lang = _language(request, user=who.user)
    L = Labels(lang)
    action = await _visible(request, who)
    if action is None:
        return render(request, "message.html.j2", 404, lang=lang, user=who.user, message=L.action_not_found)
    form = await request.form(max_files=MAX_PER_ITEM + 1, max_fields=20, max_part_size=64 * 1024)
    fields = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
    verb = fields.get("verb", "")
    if verb not in VERBS or not who.may(verb, action):
        return render(request, "message.html.j2", 403, lang=lang, user=who.user, message=L.action_not_yours)
    address = _address(request)
    note = fields.get("note", "")[:MAX_NOTE] or None
    to = fields.get("to") or None
    problem: str | None = None
    due: date | None = None
    if verb == "assign" and to is not None and not PERSON.match(to):
        problem = L("ar_bad_person", value=to[:64])
    if verb == "assign" and fields.get("due"):
        try:
            due = date.fromisoformat(fields["due"])
        except ValueError:
            problem = L("p_bad_due", value=fields["due"][:20])
    files: list[EvidenceFile] = []
    uploads = [v for v in form.getlist("photos") if not isinstance(v, str) and v.size]
    if len(uploads) > MAX_PER_ITEM:
        problem = L("p_photo_too_many", limit=MAX_PER_ITEM)
    for upload in uploads[:MAX_PER_ITEM]:
        raw = await upload.read(MAX_PHOTO_BYTES + 1)
        try:
            photo = accept(raw)
        except PhotoRefused as refused:
            problem = problem or L(f"p_{refused.key}", name=(upload.filename or "photo")[:80], **refused.values)
            continue
        files.append(EvidenceFile("sha256:" + photo.digest, photo.media_type,
                                  f"photo-{photo.digest[:12]}.{EXTENSION[photo.media_type]}", photo.data))
    if files and verb not in ("done", "note"):
        problem = problem or L("ar_photos_with", done=L.do_done, note=L.do_note)

    def work(store: Store) -> Action | str:
        if problem is not None:
            with store.writing():
                store.log("action update refused", user=who.user, address=address, target=f"action {action.id}",
                          detail={"verb": verb, "problem": problem})
            return problem
        try:
            with store.writing():
                changed = apply_update(store, action.id, verb, actor=who.actor, note=note, files=files, to=to, due=due)
                store.log("action updated", user=who.user, address=address, target=f"action {action.id}",
                          detail={"verb": verb, "actor": who.actor, "status": changed.status,
                                  "files": [f.digest for f in files], **({"to": to} if to else {})})
            return changed
        except UserError as refused:
            with store.writing():
                store.log("action update refused", user=who.user, address=address, target=f"action {action.id}",
                          detail={"verb": verb, "problem": refused.bare_message})
            return _in_words(L, refused)

    def run() -> Action | str:
        with _ws(request).store() as store:
            return work(store)

    outcome = await run_in_threadpool(run)
    if isinstance(outcome, str):
        fresh = await _visible(request, who) or action
        return await _page(request, who, fresh, status=422, error=outcome, form={**fields, "verb": verb})
    return RedirectResponse(f"/actions/{action.id}", status_code=303)


def _in_words(L: Labels, refused: UserError) -> str:
    """A refusal of the actions' lifecycle in the page's language, without the command's options
    (the audit log keeps the command's message)."""
    if not isinstance(refused, TransitionRefused):
        return refused.bare_message
    values = dict(refused.values)
    if "verb" in values:
        values["verb"] = L.get(f"do_{values['verb']}", values["verb"])
    if "status" in values:
        values["status"] = L.get(f"act_{values['status']}", values["status"])
    return L(f"ar_{refused.key}", **values)


async def evidence(request: Request) -> Response:
    """A photo of an action - evidence of its history, or a photo the failed item was taken with -
    to a user who may see the action (else: not found; a photo of another action is not served
    through this one)."""
    who = await _who(request)
    if who is None:
        return _to_login()
    action = await _visible(request, who)
    wanted = str(request.path_params["digest"])
    if action is None or not DIGEST.match(wanted):
        return Response("not found", status_code=404, media_type="text/plain")
    failures = [e for e in action.events if e["event"] in ("opened", "reopened", "failed_again")]

    def find(store: Store) -> tuple[str, bytes] | None:
        if any("sha256:" + wanted in (e.get("files") or []) for e in action.events):
            kept = file_info(store, "sha256:" + wanted, content=True)
            return (kept["media_type"], kept["content"]) if kept else None
        for event in failures:
            outcome = (event.get("details") or {}).get("outcome")
            detail = outcome_detail(store, int(outcome)) if isinstance(outcome, int) else None
            if detail and wanted in _photos_of(detail):
                taken = store.photo(wanted)
                return (taken[0], taken[1]) if taken else None
        return None

    found = await _in_store(request, find)
    if found is None:
        return Response("not found", status_code=404, media_type="text/plain")
    return Response(found[1], media_type=found[0], headers={"content-disposition": "inline"})
