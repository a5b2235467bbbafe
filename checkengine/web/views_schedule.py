"""Schedules in the workspace: an auditor's assignments on their home page (what the schedules of
the served rulebooks want at their sites this month: due, overdue, missed - ``plan_site``, the code
``checkengine schedule`` lists with), and the schedule page where a site manager excuses or
reschedules an occurrence with a reason (``schedules.decide``, the code of ``checkengine schedule
excuse|reschedule``), kept in the store's append-only history with an audit-log entry."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Sequence
from zoneinfo import ZoneInfo

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from checkengine.archive.store import Store
from checkengine.archive.workspace import User
from checkengine.errors import UserError
from checkengine.report.period import Period, parse_period
from checkengine.schedules.decide import decide
from checkengine.schedules.model import Schedule
from checkengine.schedules.plan import Slot, plan_site, schedules_in
from checkengine.web.auth import sites_of
from checkengine.web.labels import Labels
from checkengine.web.views import _address, _in_store, _language, _to_login, _ws, current_user, render
from checkengine.web.views_actions import who_is

#: what an auditor's home lists (done, excused and upcoming ones are counted, not listed)
TO_DO = ("missed", "overdue", "due")
MAX_REASON = 500


@lru_cache(maxsize=4)
def served_schedules(folder: str) -> tuple[tuple[Schedule, Mapping[str, Any]], ...]:
    """The schedules of every rulebook in the served folder (read once per folder)."""
    return tuple(schedules_in([str(p) for p in sorted(Path(folder).glob("*.yaml"))]))


def _today(site: Mapping[str, Any]) -> date:
    zone = site.get("timezone")
    return datetime.now(ZoneInfo(zone) if isinstance(zone, str) and zone else ZoneInfo("UTC")).date()


def plan_for(store: Store, schedules: Sequence[tuple[Schedule, Mapping[str, Any]]], user: User,
             period_text: str | None = None) -> tuple[list[Slot], dict[str, Any], str]:
    """Every occurrence of *period_text* (default: this month on each site's clock) at the user's
    sites, with the sites and the period's label."""
    sites = store.sites()
    slots: list[Slot] = []
    label = period_text or ""
    for site in sites_of(user, sites):
        block = sites[site]
        today = _today(block)
        period: Period = parse_period(period_text or today.strftime("%Y-%m"))
        label = period.label
        slots.extend(plan_site(store, schedules, site, period, today, block=block))
    order = {s: i for i, s in enumerate(("missed", "overdue", "due", "upcoming", "excused", "done"))}
    slots.sort(key=lambda s: (order.get(s.status, 9), s.due, s.site, s.schedule.id, s.subject))
    return slots, sites, label


def _schedules(request: Request) -> Sequence[tuple[Schedule, Mapping[str, Any]]]:
    return served_schedules(str(_ws(request).settings.rulebooks.resolve()))


async def assignments(request: Request, user: User) -> dict[str, Any]:
    """What the home page shows of the schedules: the user's sites' occurrences to do this month,
    and how many there are of each status."""
    if user.role not in ("auditor", "site_manager", "administrator"):
        return {"assignments": [], "assignment_counts": {}}
    schedules = _schedules(request)
    slots, _, _ = await _in_store(request, lambda s: plan_for(s, schedules, user))
    counts = {status: sum(1 for s in slots if s.status == status) for status in
              ("missed", "overdue", "due", "upcoming", "excused", "done")}
    return {"assignments": [s for s in slots if s.status in TO_DO], "assignment_counts": counts}


async def schedule_page(request: Request, *, status: int = 200, error: str | None = None,
                        form: Mapping[str, str] | None = None) -> Response:
    user = await current_user(request)
    if user is None:
        return _to_login()
    lang = _language(request, user=user)
    if user.role not in ("auditor", "site_manager", "administrator"):
        return render(request, "message.html.j2", 404, lang=lang, user=user, message=Labels(lang).not_found)
    wanted = request.query_params.get("period") or (form or {}).get("period") or None
    schedules = _schedules(request)
    try:
        slots, sites, label = await _in_store(request, lambda s: plan_for(s, schedules, user, wanted))
    except UserError as bad:
        slots, sites, label = await _in_store(request, lambda s: plan_for(s, schedules, user))
        error, status = error or bad.bare_message, 422
    decides = user.role in ("site_manager", "administrator")
    # the occurrences an inspection can be assigned for: a served checklist's rulebook and kind
    checklists = {f"{book}:{kind}" for book, served in _ws(request).library.books.items() for kind in served.kinds}
    return render(request, "schedule.html.j2", status, lang=lang, user=user, slots=slots, sites=sites, period=label,
                  decides=decides, error=error, form=form or {}, checklists=checklists)


async def decide_view(request: Request) -> Response:
    """A site manager's excuse or reschedule of one occurrence, with the reason."""
    user = await current_user(request)
    if user is None:
        return _to_login()
    lang = _language(request, user=user)
    form = await request.form(max_files=0, max_fields=20)
    fields = {k: str(v).strip() for k, v in form.items()}
    site = fields.get("site", "")
    if not (user.role == "administrator" or (user.role == "site_manager" and site in user.sites)):
        return render(request, "message.html.j2", 403, lang=lang, user=user, message=Labels(lang).action_not_yours)
    event = fields.get("event", "")
    address = _address(request)
    schedules = _schedules(request)

    def work(store: Store) -> str | None:
        who = who_is(store, user)
        try:
            if event not in ("excused", "rescheduled"):
                raise UserError(f"{event[:20]!r}: choose excuse or reschedule")
            try:
                due = date.fromisoformat(fields.get("due", ""))
                new_due = date.fromisoformat(fields["to"]) if event == "rescheduled" and fields.get("to") else None
            except ValueError:
                raise UserError("a date is written YYYY-MM-DD (e.g. 2026-12-07)") from None
            block = store.sites().get(site)
            if block is None:
                raise UserError(f"site {site[:40]!r} is not known")
            with store.writing():
                schedule = decide(store, schedules, fields.get("schedule", ""), book=fields.get("book") or None,
                                  site=site, due=due, event=event, actor=who.actor,  # type: ignore[arg-type]
                                  reason=fields.get("reason", "")[:MAX_REASON], subject=fields.get("subject") or None,
                                  new_due=new_due, block=block)
                store.log("schedule " + event, user=user, address=address, target=f"{schedule.book}:{schedule.id}",
                          detail={"site": site, "subject": fields.get("subject") or None, "due": due.isoformat(),
                                  "to": new_due.isoformat() if new_due else None, "reason": fields.get("reason", "")})
            return None
        except UserError as refused:
            with store.writing():
                store.log("schedule decision refused", user=user, address=address, target=fields.get("schedule"),
                          detail={"site": site, "problem": refused.bare_message})
            return refused.bare_message

    def run() -> str | None:
        with _ws(request).store() as store:
            return work(store)

    problem = await run_in_threadpool(run)
    if problem is not None:
        return await schedule_page(request, status=422, error=problem, form=fields)
    period = fields.get("period", "")
    return RedirectResponse("/schedule" + (f"?period={period}" if period.replace("-", "").isalnum() else ""),
                            status_code=303)
