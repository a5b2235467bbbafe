"""Schedules in the workspace: an auditor's home lists their assignments (what the served
rulebooks' schedules want at their sites this month: missed, overdue, due - the same plan as
``checkengine schedule``); a site manager excuses and reschedules an occurrence with a reason from
the schedule page, kept in the store's history and the audit log; others cannot."""

from __future__ import annotations

import html
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from serving import ROOT, Server, sign_in

from checkengine.archive.store import open_archive
from checkengine.archive.tracking import schedule_events
from checkengine.web.views_schedule import TO_DO, plan_for, served_schedules


def _plan(server: Server, username: str) -> list[Any]:
    with open_archive(server.store, write=False) as store:
        user = store.user_named(username)
        assert user is not None
        slots, _, _ = plan_for(store, served_schedules(str((ROOT / "rulebooks").resolve())), user)
    return slots


def _csrf(context: Any) -> str:
    [token] = [c["value"] for c in context.cookies() if c["name"] == "csrftoken"]
    return str(token)


def test_the_auditors_home_shows_their_assignments(server: Server, tablet: Any, phone: Any, shots: Path) -> None:
    expected = [(s.schedule.id, s.status, s.due.isoformat()) for s in _plan(server, "auditor.lin") if s.status in TO_DO]
    assert expected, "the call centre's schedules want something this month"
    assert {s for _, s, _ in expected} <= set(TO_DO)
    page = sign_in(tablet, server, "auditor.lin")
    page.goto(f"{server.url}/inspections?lang=en")
    shown = page.locator("#assignments li.slot").evaluate_all(
        "ls => ls.map(l => [l.dataset.schedule, l.dataset.status, l.dataset.due])")
    assert [tuple(x) for x in shown] == expected
    # a branch auditor sees the branches' (none of the call centre's)
    other = [s.site for s in _plan(server, "auditor.chen")]
    assert "cc-taipei" not in other
    page.locator("#assignments").screenshot(path=str(shots / "tablet-assignments.png"))
    small = sign_in(phone, server, "auditor.lin")
    small.goto(f"{server.url}/inspections?lang=en")
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    small.screenshot(path=str(shots / "phone-home.png"), full_page=True)


def test_a_manager_excuses_and_reschedules(server: Server, tablet: Any, shots: Path) -> None:
    slots = [s for s in _plan(server, "manager.wang") if s.site == "cc-taipei" and not s.schedule.per
             and s.status != "done" and not s.decision]
    assert len(slots) >= 2
    first, second = slots[0], slots[1]
    page = sign_in(tablet, server, "manager.wang")
    page.goto(f"{server.url}/schedule?lang=en")

    def slot(s: Any) -> Any:
        return page.locator(f"li.slot[data-schedule='{s.schedule.id}'][data-due='{s.original.isoformat()}']"
                            f"[data-site='{s.site}']")

    row = slot(first)
    row.locator("summary").click()
    row.locator("textarea[name=reason]").fill("the floor was closed for the switch-over drill")
    with page.expect_navigation():
        row.locator("button[value=excused]").click()
    assert slot(first).get_attribute("data-status") == "excused"
    assert "the floor was closed for the switch-over drill" in slot(first).inner_text()
    new_day = second.original + timedelta(days=3)
    row = slot(second)
    row.locator("summary").click()
    row.locator("textarea[name=reason]").fill("moved: the team leader is on leave")
    row.locator("input[name=to]").fill(new_day.isoformat())
    with page.expect_navigation():
        row.locator("button[value=rescheduled]").click()
    moved = slot(second)
    assert moved.get_attribute("data-status") != "missed" or new_day < date.today()
    assert f"moved from {second.original.isoformat()}" in moved.inner_text()
    page.screenshot(path=str(shots / "tablet-schedule.png"), full_page=True)
    with open_archive(server.store, write=False) as store:
        events = [(e["schedule"], e["occurrence"], e["event"], e["new_due"], e["actor"])
                  for e in schedule_events(store, "cc-taipei")]
        log = [(e["action"], e["username"], json.loads(e["detail"])["reason"]) for e in store.audit_entries()
               if e["action"].startswith("schedule ") and e["action"] != "schedule decision refused"]
    assert (first.schedule.id, first.original.isoformat(), "excused", None, "manager.wang") in events
    assert (second.schedule.id, second.original.isoformat(), "rescheduled", new_day.isoformat(), "manager.wang") in events
    assert ("schedule rescheduled", "manager.wang", "moved: the team leader is on leave") in log
    assert ("schedule excused", "manager.wang", "the floor was closed for the switch-over drill") in log


def test_who_may_not_decide_and_what_is_refused(server: Server, tablet: Any) -> None:
    target = next(s for s in _plan(server, "manager.wang") if s.site == "cc-taipei" and not s.schedule.per)
    form = {"book": target.schedule.book, "schedule": target.schedule.id, "site": "cc-taipei", "subject": "",
            "due": target.original.isoformat(), "event": "excused", "reason": "no reason at all"}
    with open_archive(server.store, write=False) as store:
        before = len(schedule_events(store, "cc-taipei"))
    for intruder in ("auditor.lin", "manager.huang", "author.liu"):
        sign_in(tablet, server, intruder)
        response = tablet.request.post(f"{server.url}/schedule/decide", form={**form, "csrftoken": _csrf(tablet)},
                                       max_redirects=0)
        assert response.status == 403, intruder
        tablet.clear_cookies()
    sign_in(tablet, server, "manager.wang")
    assert tablet.request.post(f"{server.url}/schedule/decide", form=form, max_redirects=0).status == 403  # no token
    token = _csrf(tablet)
    for changes, message in (
            ({"reason": "  "}, "--reason: say why (it is kept in the history)"),
            ({"due": (target.original + timedelta(days=1)).isoformat()}, "not a due day of"),
            ({"event": "rescheduled"}, "a reschedule needs the new due day"),
            ({"schedule": "no-such-schedule"}, "no schedule 'no-such-schedule'")):
        response = tablet.request.post(f"{server.url}/schedule/decide", max_redirects=0,
                                       form={**form, **changes, "csrftoken": token})
        assert response.status == 422, changes
        assert message in html.unescape(response.text()), changes
    with open_archive(server.store, write=False) as store:
        assert len(schedule_events(store, "cc-taipei")) == before
