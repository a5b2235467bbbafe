"""Assigning an inspection in the workspace (``/assign``), against the real server in chromium: a
site manager assigns a checklist at their site to one of its auditors, who then finds it on their
list; the schedule page links to the form with the occurrence filled in. Attackers: an auditor
gets 403 for the page and the POST; a POST without its CSRF token is refused; a site manager
cannot assign at another site nor to an auditor of another site (the forged form changes
nothing, the refusal is in the audit log and in the page's language); a hostile name comes back
as text."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from serving import Server, sign_in

from checkengine.archive.store import open_archive


def _csrf(context: Any) -> str:
    [token] = [c["value"] for c in context.cookies() if c["name"] == "csrftoken"]
    return str(token)


def _inspections(server: Server) -> list[Any]:
    with open_archive(server.store, write=False) as store:
        admin = store.user_named("admin")
        assert admin is not None
        return store.inspections_visible_to(admin)


def _log(server: Server, action: str) -> list[dict[str, Any]]:
    with open_archive(server.store, write=False) as store:
        return [e for e in store.audit_entries(1000) if e["action"] == action]


def test_a_site_manager_assigns_and_the_auditor_finds_it(server: Server, tablet: Any, browser: Any,
                                                          shots: Path) -> None:
    before = {i.id for i in _inspections(server)}
    page = sign_in(tablet, server, "manager.wang")
    page.goto(server.url + "/inspections?lang=zh-Hant")
    page.click("#assign-link")
    page.wait_for_url(server.url + "/assign")
    assert page.locator("h1").inner_text() == "指派稽核任務"
    assert page.locator(".who").inner_text().endswith("· 單位主管")  # the role in words, not its code
    # Only their site, and only that site's auditors, are offered.
    assert page.locator("#assign select[name=site] option").evaluate_all("o => o.map(x => x.value)") == ["cc-taipei"]
    offered = page.locator("#assign select[name=auditor] option").evaluate_all("o => o.map(x => x.value)")
    assert "auditor.lin" in offered and "auditor.chen" not in offered
    page.select_option("#assign select[name=checklist]", "cs-floor:floor_inspection")
    page.select_option("#assign select[name=auditor]", "auditor.lin")
    page.fill("#assign input[name=due]", "2026-12-09")
    page.fill("#assign input[name=employee]", "E002")
    page.fill("#assign input[name=name]", "<script>alert(1)</script>李小華")
    page.fill("#assign input[name=team]", "T1")
    page.screenshot(path=str(shots / "1-assign.png"), full_page=True)
    page.click("#assign button.primary")
    page.wait_for_selector("#done")
    [new] = [i for i in _inspections(server) if i.id not in before]
    assert (new.site, new.rulebook, new.kind, new.due, new.assignee) == (
        "cc-taipei", "cs-floor", "floor_inspection", "2026-12-09", "auditor.lin")
    assert new.subject == {"employee": "E002", "name": "<script>alert(1)</script>李小華", "team": "T1"}
    assert page.locator("#done").inner_text().startswith(f"稽核任務 {new.id} 已指派給 auditor.lin。")
    page.screenshot(path=str(shots / "2-assigned.png"), full_page=True)
    [logged] = [e for e in _log(server, "inspection assigned") if e["target"] == f"inspection {new.id}"]
    assert logged["username"] == "manager.wang"

    theirs = browser.new_context()
    try:
        auditor = sign_in(theirs, server, "auditor.lin")
        tile = auditor.locator(f"a.tile[href='/inspections/{new.id}']")
        assert tile.count() == 1
        assert "<script>alert(1)</script>李小華" in tile.inner_text()  # shown as text, never run
        assert tile.locator("script").count() == 0
    finally:
        theirs.close()


def test_the_schedule_page_links_to_the_form_filled_in(server: Server, tablet: Any) -> None:
    page = sign_in(tablet, server, "manager.wang")
    page.goto(server.url + "/schedule?lang=en")
    slots = page.locator("li.slot:has(a.assign-slot)")
    assert slots.count() > 0, "the call centre's schedules want floor visits this month"
    # Only an occurrence met by a visit's checklist offers it (a team meeting is not inspected).
    assert page.locator("li.slot[data-schedule=weekly-team-meeting] a.assign-slot").count() == 0
    slot = slots.first
    link = slot.locator("a.assign-slot")
    asked = dict(parse_qsl(urlsplit(link.get_attribute("href")).query))
    assert asked["site"] == slot.get_attribute("data-site")
    link.click()
    page.wait_for_url(server.url + "/assign?*")
    assert page.locator("#assign select[name=site]").input_value() == asked["site"]
    assert page.locator("#assign input[name=due]").input_value() == asked["due"]
    assert page.locator("#assign select[name=checklist]").input_value() == asked["checklist"]
    assert asked["checklist"].endswith(":floor_inspection")


def test_only_site_managers_and_administrators_assign(server: Server, tablet: Any) -> None:
    before = len(_inspections(server))
    page = sign_in(tablet, server, "auditor.lin")
    response = page.goto(server.url + "/assign?lang=en")
    assert response.status == 403
    assert page.locator("p.error").inner_text() == "Only a site manager or an administrator may assign inspections."
    form = {"csrftoken": _csrf(tablet), "checklist": "cs-floor:floor_inspection", "site": "cc-taipei",
            "auditor": "auditor.lin", "due": "2026-12-09"}
    response = tablet.request.post(server.url + "/assign", form=form, max_redirects=0)
    assert response.status == 403
    assert page.locator("#assign-link").count() == 0
    assert len(_inspections(server)) == before


def test_assigning_needs_the_csrf_token(server: Server, tablet: Any) -> None:
    before = len(_inspections(server))
    sign_in(tablet, server, "manager.wang")
    form = {"checklist": "cs-floor:floor_inspection", "site": "cc-taipei", "auditor": "auditor.lin",
            "due": "2026-12-09"}
    for token in (None, "forged." + "x" * 20):
        sent = form if token is None else {**form, "csrftoken": token}
        response = tablet.request.post(server.url + "/assign", form=sent, max_redirects=0)
        assert response.status == 403
    assert len(_inspections(server)) == before


def test_a_forged_assignment_is_refused_in_the_pages_language(server: Server, tablet: Any) -> None:
    before = len(_inspections(server))
    page = sign_in(tablet, server, "manager.wang")
    page.goto(server.url + "/assign?lang=ko")
    token = _csrf(tablet)
    good = {"csrftoken": token, "checklist": "cs-floor:floor_inspection", "site": "cc-taipei",
            "auditor": "auditor.lin", "due": "2026-12-09"}
    cases = [
        ({"site": "br-banqiao", "auditor": "auditor.chen"}, "as_not_yours",
         "'br-banqiao' 사업장의 관리자가 아닙니다. 담당 사업장을 선택하세요."),
        ({"auditor": "auditor.chen"}, "as_not_auditor", "auditor.chen은(는) 'cc-taipei' 사업장의 감사자가 아닙니다."),
        ({"auditor": "manager.wang"}, "as_not_auditor", "manager.wang은(는) 'cc-taipei' 사업장의 감사자가 아닙니다."),
        ({"due": "9.12.2026"}, "as_bad_date", "'9.12.2026'은(는) 날짜가 아닙니다."),
        ({"checklist": "secret-book:floor_inspection"}, "as_no_rulebook", "'secret-book' 점검표가 없습니다."),
        ({"checklist": "cs-floor:branch_inspection"}, "as_no_kind", "이 규정집의 점검표는 floor_inspection입니다."),
        ({"name": "x" * 201}, "as_too_long", "점검 대상자의 각 항목은 최대 200자입니다."),
    ]
    for change, key, words in cases:
        response = tablet.request.post(server.url + "/assign", form={**good, **change}, max_redirects=0)
        assert response.status == 422, change
        shown = html.unescape(response.text())
        assert words in shown, (change, shown[-3000:])
    assert len(_inspections(server)) == before
    refused = [e for e in _log(server, "inspection not assigned") if e["username"] == "manager.wang"]
    assert [json.loads(e["detail"])["why"] for e in reversed(refused)][-len(cases):] == [key for _, key, _ in cases]
