"""Corrective actions in the browser, end to end (issue 14's "done when"): an auditor's failed item
becomes an action; the team leader who owns it sees it in their list, the site manager assigns it
(with a due day already past: it is marked overdue), the leader fixes it with a photo taken in the
browser, the manager verifies it, and the report over that store shows it closed. Screenshots of
the owner's list, the action page and the manager's overview, on a tablet and on a phone, are
kept in build/test-artefacts/serve/."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from actions_flow import ITEM, LEADER, action_of, add_leader, fail_an_item
from photo_files import jpeg_with_location, png
from serving import PHONE, Server, sign_in

from checkengine.archive.store import open_archive
from checkengine.report.build import Scope, from_archive
from checkengine.report.period import parse_period


def _today() -> date:
    return datetime.now(ZoneInfo("Asia/Taipei")).date()


def _post(page: Any, verb: str) -> Any:
    return page.locator(f"form.update[data-verb={verb}]")


def _send(page: Any, verb: str) -> None:
    """Press the update's button and wait for the page it leads to (a form with photos is sent by
    the page's script, which then goes to the action's page)."""
    with page.expect_navigation():
        _post(page, verb).locator("button").click()
    page.wait_for_load_state("load")


def test_a_failed_item_is_fixed_with_a_photo_and_verified(server: Server, browser: Any, tablet: Any, phone: Any,
                                                         shots: Path) -> None:
    add_leader(server)
    inspection = fail_an_item(tablet, server, photo=jpeg_with_location())
    action = action_of(server, inspection)
    # Opened by the submission's run, as `archive add` opens them: cs-floor's follow_up (owner
    # team_leader, due corrective_action_days = 14 days after the record's day).
    assert (action.status, action.owner, action.owner_role, action.book) == ("open", None, "team_leader", "cs-floor")
    assert action.due == (_today() + timedelta(days=14)).isoformat()
    assert action.events[0]["actor"].startswith("run:") and action.records == [f"WS-{inspection}"]

    # The team leader (by role at cc-taipei) finds it in their list.
    leader = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True, locale="en")
    leader.set_default_timeout(15000)
    page = sign_in(leader, server, LEADER)
    page.goto(f"{server.url}/actions?lang=en")
    tile = page.locator(f"a.action-tile[data-action='{action.id}']")
    assert tile.count() == 1 and "Open" in tile.inner_text() and "team leader" in tile.inner_text()
    assert "OVERDUE" not in tile.inner_text()

    # The site manager assigns it to the leader's person id, with a due day already past.
    manager = sign_in(tablet, server, "manager.wang")
    manager.goto(f"{server.url}/actions/{action.id}?lang=en")
    # the failed outcome, with the auditor's note and photo, and the clause it breaks
    failed = manager.locator("#failed")
    assert "customer papers on the desk" in failed.inner_text()
    assert failed.locator("img.thumb").count() == 1
    assert manager.locator("dd.clause").count() >= 1
    yesterday = (_today() - timedelta(days=1)).isoformat()
    form = _post(manager, "assign")
    form.locator("input[name=to]").fill("T1-LEAD")
    form.locator("input[name=due]").fill(yesterday)
    _send(manager, "assign")
    assert manager.locator("#status").get_attribute("data-status") == "assigned"
    assert manager.locator("#overdue").inner_text() == "⚠ OVERDUE"
    assert manager.locator("#owner").inner_text().startswith("T1-LEAD")

    # The leader's list marks it overdue, in words; on a tablet and a phone.
    page.goto(f"{server.url}/actions?lang=en")
    assert "OVERDUE" in page.locator(f"a.action-tile[data-action='{action.id}']").inner_text()
    page.screenshot(path=str(shots / "tablet-owner-list.png"), full_page=True)
    on_phone = sign_in(phone, server, LEADER)
    on_phone.goto(f"{server.url}/actions?lang=en")
    assert on_phone.evaluate("document.documentElement.scrollWidth") <= 390
    on_phone.screenshot(path=str(shots / "phone-owner-list.png"), full_page=True)

    # The leader starts it, then marks it done with a note and a photo from the tablet's camera.
    page.goto(f"{server.url}/actions/{action.id}?lang=en")
    assert sorted(page.locator("form.update").evaluate_all("fs => fs.map(f => f.dataset.verb)")) == [
        "done", "note", "start"]  # no verify, reject, reopen or assign for the owner
    _send(page, "start")
    assert page.locator("#status").get_attribute("data-status") == "in_progress"
    done = _post(page, "done")
    done.locator("textarea[name=note]").fill("papers filed in the locked drawer")
    done.locator("input[type=file]").set_input_files(
        [{"name": "../../cleared.png", "mimeType": "image/png", "buffer": png(64, 48)}])
    _send(page, "done")
    assert page.locator("#status").get_attribute("data-status") == "done"
    evidence = page.locator("li.event[data-event=done] img.thumb")
    assert evidence.count() == 1
    src = str(evidence.get_attribute("src"))
    served = leader.request.get(server.url + src)
    assert served.status == 200 and served.headers["content-type"] == "image/png"
    page.screenshot(path=str(shots / "tablet-action-done.png"), full_page=True)
    on_phone.goto(f"{server.url}/actions/{action.id}?lang=en")
    assert on_phone.evaluate("document.documentElement.scrollWidth") <= 390
    on_phone.screenshot(path=str(shots / "phone-action-page.png"), full_page=True)

    # The manager's overview: the done one, filtered by status and owner.
    manager.goto(f"{server.url}/actions/all?lang=en&status=done&owner=T1-LEAD")
    shown = manager.locator("a.action-tile").evaluate_all("ts => ts.map(t => +t.dataset.action)")
    assert shown == [action.id]
    manager.goto(f"{server.url}/actions/all?lang=en")
    manager.screenshot(path=str(shots / "tablet-manager-overview.png"), full_page=True)
    boss_phone = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
    small = sign_in(boss_phone, server, "manager.wang")
    small.goto(f"{server.url}/actions/all?lang=en")
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    small.screenshot(path=str(shots / "phone-manager-overview.png"), full_page=True)
    boss_phone.close()
    # ... and verifies it: closed.
    manager.goto(f"{server.url}/actions/{action.id}?lang=en")
    _send(manager, "verify")
    assert manager.locator("#status").get_attribute("data-status") == "closed"
    assert manager.locator("#overdue").count() == 0
    manager.screenshot(path=str(shots / "tablet-action-closed.png"), full_page=True)
    leader.close()

    # The store: the history as the command writes it, the photo kept as evidence, the audit log.
    final = action_of(server, inspection)
    assert [(e["event"], e["actor"]) for e in final.events] == [
        ("opened", final.events[0]["actor"]), ("assigned", "manager.wang"), ("started", "T1-LEAD"),
        ("done", "T1-LEAD"), ("verified", "manager.wang")]
    [digest] = final.events[3]["files"]
    assert src.endswith(digest.removeprefix("sha256:")) and final.events[3]["note"] == "papers filed in the locked drawer"
    with open_archive(server.store, write=False) as store:
        log = [(e["action"], e["username"], json.loads(e["detail"] or "{}").get("verb"))
               for e in reversed(store.audit_entries()) if e["target"] == f"action {action.id}"]
    assert log == [("action updated", "manager.wang", "assign"), ("action updated", LEADER, "start"),
                   ("action updated", LEADER, "done"), ("action updated", "manager.wang", "verify")]
    # The report over that store: the action is closed.
    day = date.fromisoformat(final.events[0]["day"])
    data = from_archive(server.store, Scope("cc-taipei", None, parse_period(day.strftime("%Y-%m")), "en"))
    [row] = [t for t in data.tracked if t.id == action.id]
    assert (row.status, row.overdue, row.rule) == ("closed", False, ITEM)
