"""Attackers' tests of the workspace, against the real server in a real browser: another site's
inspection by its id, a POST without its CSRF token, HTML and script in a note, guessing passwords."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from serving import Server, example_answers, fill_checklist, open_inspection, sign_in, start_server

from checkengine.archive.store import open_archive

FLOOR = "Customer-service floor standards"
HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


def _inspections(server: Server, site: str) -> list[int]:
    with open_archive(server.store, write=False) as store:
        admin = store.user_named("admin")
        assert admin is not None
        return [i.id for i in store.inspections_visible_to(admin) if i.site == site]


def _csrf(context: Any) -> str:
    [token] = [c["value"] for c in context.cookies() if c["name"] == "csrftoken"]
    return str(token)


@pytest.mark.parametrize("intruder", ["auditor.chen", "manager.huang"])
def test_another_sites_inspection_is_not_found(server: Server, tablet: Any, intruder: str) -> None:
    """auditor.chen works at the branches, manager.huang manages br-banqiao: a cc-taipei inspection
    is not found for them (not even its existence is told), by URL or by a forged POST."""
    taipei = _inspections(server, "cc-taipei")[0]
    page = sign_in(tablet, server, intruder)
    assert f"/inspections/{taipei}" not in page.content()
    for path in (f"/inspections/{taipei}", f"/inspections/{taipei}/result", f"/inspections/{taipei}?lang=en"):
        response = page.goto(server.url + path)
        assert response.status == 404, path
        assert "No such inspection for you." in page.locator("p.error").inner_text()
    form = {"csrftoken": _csrf(tablet), "submission_id": "f" * 32, "lang": "en",
            **example_answers("FI-2026-11-03-001")}
    response = tablet.request.post(f"{server.url}/inspections/{taipei}", form=form, max_redirects=0)
    assert response.status == 404
    with open_archive(server.store, write=False) as store:
        assert store.submissions_of(taipei) == []


def test_a_site_manager_sees_but_does_not_submit(server: Server, tablet: Any) -> None:
    taipei = _inspections(server, "cc-taipei")[-1]
    page = sign_in(tablet, server, "manager.wang")
    assert page.goto(f"{server.url}/inspections/{taipei}").status == 200
    assert page.locator("#checklist button.primary").count() == 0  # no submit button for a manager
    form = {"csrftoken": _csrf(tablet), "submission_id": "a" * 32, "lang": "en",
            **example_answers("FI-2026-11-03-001")}
    response = tablet.request.post(f"{server.url}/inspections/{taipei}", form=form, max_redirects=0)
    assert response.status == 403
    assert "Only the auditor it is assigned to submits an inspection." in response.text()


def test_a_post_without_its_csrf_token_is_refused(server: Server, tablet: Any) -> None:
    taipei = _inspections(server, "cc-taipei")[0]
    sign_in(tablet, server, "auditor.lin")
    form = {"submission_id": "b" * 32, "lang": "en", **example_answers("FI-2026-11-03-001")}
    for token in (None, "", "forged." + "x" * 20):
        sent = form if token is None else {**form, "csrftoken": token}
        response = tablet.request.post(f"{server.url}/inspections/{taipei}", form=sent, max_redirects=0)
        assert response.status == 403, token
        assert "security token is missing or wrong" in response.text()
    # Signing out needs the token too (a forged link cannot sign a user out) ...
    assert tablet.request.post(f"{server.url}/logout", form={}, max_redirects=0).status == 403
    with open_archive(server.store, write=False) as store:
        assert store.submissions_of(taipei) == []
        assert store.submission_by_device_id("b" * 32) is None


def test_signing_in_needs_the_token_even_without_cookies(server: Server, browser: Any) -> None:
    context = browser.new_context()
    try:
        response = context.request.post(f"{server.url}/login", max_redirects=0,
                                        form={"username": "auditor.lin", "password": server.logins["auditor.lin"]})
        assert response.status == 403
        assert [c["name"] for c in context.cookies() if c["name"] == "checkengine_session"] == []
    finally:
        context.close()


def test_html_and_script_in_a_note_come_back_as_text(server: Server, tablet: Any, shots: Path) -> None:
    page = sign_in(tablet, server, "auditor.lin")
    pwned: list[str] = []
    page.on("dialog", lambda d: (pwned.append(d.message), d.dismiss()))
    inspection = open_inspection(page, server, rulebook_title=FLOOR)
    values = example_answers("FI-2026-11-03-001")
    values["answer:WKS-05-items-aligned"] = "fail"
    values["comment:WKS-05-items-aligned"] = HOSTILE
    values["answer:SEC-03-safety-check"] = "fail"  # no note: refused, and the hostile note is shown again
    fill_checklist(page, values)
    page.locator("#checklist button.primary").click()
    page.wait_for_selector("p#problems")
    assert page.locator("fieldset.problem").get_attribute("id") == "item-SEC-03-safety-check"
    assert page.locator("textarea[name='comment:WKS-05-items-aligned']").input_value() == HOSTILE
    assert page.evaluate("window.__pwned") is None
    page.locator("textarea[name='comment:SEC-03-safety-check']").fill("未做十月安全檢查")
    page.locator("#checklist").evaluate("f => f.submit()")
    page.wait_for_url(f"{server.url}/inspections/{inspection}/result")
    note = page.locator("li.outcome[data-rule=WKS-05-items-aligned] p.comment")
    assert note.inner_text().endswith(HOSTILE)
    assert page.locator("li.outcome img").count() == 0 and page.locator("main script").count() == 0
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page.content()
    assert page.evaluate("window.__pwned") is None and pwned == []
    note.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "escaped-note.png"))


def test_a_wrong_password_is_refused_and_logged(server: Server, tablet: Any) -> None:
    page = tablet.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=username]", "auditor.lin")
    page.fill("input[name=password]", server.logins["auditor.lin"] + "x")
    with page.expect_response(f"{server.url}/login") as answer:
        page.click("main button[type=submit]")
    assert answer.value.status == 401
    assert page.locator("p.error").inner_text() == "The user name or the password is wrong."
    assert [c for c in tablet.cookies() if c["name"] == "checkengine_session" and len(c["value"]) > 40] == []
    assert page.goto(server.url + "/inspections").url == server.url + "/login"
    # An unknown user gets the same answer.
    page.fill("input[name=username]", "nobody")
    page.fill("input[name=password]", "whatever-it-is")
    page.click("main button[type=submit]")
    assert page.locator("p.error").inner_text() == "The user name or the password is wrong."
    with open_archive(server.store, write=False) as store:
        entries = store.audit_entries()
    failed = [(e["username"], e["address"]) for e in entries if e["action"] == "login failed"]
    assert ("auditor.lin", "127.0.0.1") in failed and ("nobody", "127.0.0.1") in failed


def test_the_session_cookie_is_httponly_and_samesite(server: Server, tablet: Any) -> None:
    sign_in(tablet, server, "auditor.lin")
    [session] = [c for c in tablet.cookies() if c["name"] == "checkengine_session"]
    assert session["httpOnly"] is True and session["sameSite"] == "Lax" and session["secure"] is False
    page = tablet.new_page()
    page.goto(server.url + "/inspections")
    assert "checkengine_session" not in page.evaluate("document.cookie")  # out of scripts' reach


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[Server]:
    """A server with the default sign-in limit (5 a minute per address and per user name)."""
    running = start_server(str(tmp_path / "store.sqlite"))
    try:
        yield running
    finally:
        running.stop()


def test_signing_in_is_rate_limited(limited: Server, tablet: Any, shots: Path) -> None:
    page = tablet.new_page()
    page.goto(limited.url + "/login")
    statuses = []
    for attempt in range(6):
        page.fill("input[name=username]", "auditor.lin")
        right = attempt == 5  # the sixth attempt has the right password, and is refused all the same
        page.fill("input[name=password]", limited.logins["auditor.lin"] if right else f"guess-{attempt}")
        with page.expect_response(f"{limited.url}/login") as answer:
            page.click("main button[type=submit]")
        statuses.append(answer.value.status)
    assert statuses == [401] * 5 + [429]
    assert page.locator("p.error").inner_text() == "Too many attempts: wait a minute and try again."
    page.screenshot(path=str(shots / "rate-limited.png"))
    with open_archive(limited.store, write=False) as store:
        actions = [e["action"] for e in store.audit_entries()]
    assert actions[0] == "login refused: too many attempts" and actions[1:6] == ["login failed"] * 5
