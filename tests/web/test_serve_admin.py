"""The administrator's pages, against the real server: a user added (argon2 hash), their role and
sites changed, their password reset (their open sessions end), disabled (their open session stops
working, signing in is refused), each change in the audit log. Attackers: anyone but an administrator gets 403 on every
page and every POST; a POST without its CSRF token is refused; an administrator cannot give a site
that is not theirs, reach a user outside their sites, or change their own role."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from serving import Server, sign_in

from checkengine.archive.store import open_archive
from checkengine.web.auth import check_password, hash_password

NEW_PASSWORD = "correct horse battery staple"
SCOPED = "admin.banqiao"  # an administrator of br-banqiao only
SCOPED_PASSWORD = "banqiao administrator password"


def _csrf(context: Any) -> str:
    [token] = [c["value"] for c in context.cookies() if c["name"] == "csrftoken"]
    return str(token)


def _user(server: Server, username: str) -> Any:
    with open_archive(server.store, write=False) as store:
        return store.user_named(username)


def _actions(server: Server) -> list[tuple[str, str | None, str | None]]:
    with open_archive(server.store, write=False) as store:
        return [(e["action"], e["username"], e["target"]) for e in store.audit_entries(1000)]


def _sign_in_as(context: Any, server: Server, username: str, password: str) -> Any:
    page = context.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    return page


def test_add_change_reset_and_disable_a_user(server: Server, tablet: Any, browser: Any, shots: Path) -> None:
    page = sign_in(tablet, server, "admin")
    page.locator("#admin-users").click()
    page.wait_for_url(server.url + "/admin/users")
    page.fill("#add-user input[name=username]", "auditor.new")
    page.fill("#add-user input[name=name]", "新稽核")
    page.select_option("#add-user select[name=role]", "auditor")
    page.check("#add-user input[name=site][value=cc-taipei]")
    page.fill("#add-user input[name=password]", "short")
    page.click("#add-user button.primary")
    assert page.locator("#admin-error").inner_text() == "The password must have 12 to 1024 characters: nothing was changed."
    assert _user(server, "auditor.new") is None
    assert page.locator("#add-user input[name=username]").input_value() == "auditor.new"  # kept for the retry
    page.check("#add-user input[name=site][value=cc-taipei]")
    page.fill("#add-user input[name=password]", NEW_PASSWORD)
    page.screenshot(path=str(shots / "1-add-user.png"), full_page=True)
    page.click("#add-user button.primary")
    page.wait_for_url(f"{server.url}/admin/users/*")
    added = _user(server, "auditor.new")
    assert (added.role, added.sites, added.active) == ("auditor", ("cc-taipei",), True)
    assert added.password.startswith("$argon2id$") and check_password(added, NEW_PASSWORD)
    page.screenshot(path=str(shots / "2-user.png"), full_page=True)

    # The new auditor signs in, in their own browser.
    theirs = browser.new_context()
    try:
        their_page = _sign_in_as(theirs, server, "auditor.new", NEW_PASSWORD)
        their_page.wait_for_url(server.url + "/inspections")
        # Role and sites changed.
        page.select_option("#change-role select[name=role]", "site_manager")
        page.uncheck("#change-role input[name=site][value=cc-taipei]")
        page.check("#change-role input[name=site][value=br-banqiao]")
        page.click("#change-role button.primary")
        page.wait_for_selector("#done")
        changed = _user(server, "auditor.new")
        assert (changed.role, changed.sites) == ("site_manager", ("br-banqiao",))
        # A new password: the old one no longer opens.
        page.fill("#reset-password input[name=password]", NEW_PASSWORD + " 2")
        page.click("#reset-password button")
        page.wait_for_selector("#done")
        reset = _user(server, "auditor.new")
        assert not check_password(reset, NEW_PASSWORD) and check_password(reset, NEW_PASSWORD + " 2")
        # The session opened with the old password ends at its next request; the new one opens.
        response = their_page.goto(server.url + "/inspections")
        assert their_page.url == server.url + "/login" and response.status == 200
        their_page = _sign_in_as(theirs, server, "auditor.new", NEW_PASSWORD + " 2")
        their_page.wait_for_url(server.url + "/inspections")
        # Disabled: the open session stops working at once, and signing in is refused.
        page.click("#change-state button")
        page.wait_for_selector("#done")
        assert page.locator("#state").inner_text().endswith("disabled")
        assert not _user(server, "auditor.new").active
        response = their_page.goto(server.url + "/inspections")
        assert their_page.url == server.url + "/login" and response.status == 200
        again = _sign_in_as(theirs, server, "auditor.new", NEW_PASSWORD + " 2")
        assert again.locator("p.error").inner_text() == "The user name or the password is wrong."
        page.screenshot(path=str(shots / "3-disabled.png"), full_page=True)
    finally:
        theirs.close()
    actions = [a for a in _actions(server) if a[2] == "auditor.new"]
    assert [a[0] for a in reversed(actions)] == ["user not added", "user added", "user role and sites changed",
                                                  "password reset", "user disabled"]
    assert {a[1] for a in actions} == {"admin"}
    page.click("#change-state button")  # enabled again
    page.wait_for_selector("#done")
    assert _user(server, "auditor.new").active


def test_an_administrators_own_reset_keeps_their_session_and_ends_the_others(server: Server, browser: Any) -> None:
    here, elsewhere = browser.new_context(), browser.new_context()
    admin = _user(server, "admin")
    try:
        page = _sign_in_as(here, server, "admin", server.logins["admin"])
        page.wait_for_url(server.url + "/inspections")
        other = _sign_in_as(elsewhere, server, "admin", server.logins["admin"])
        other.wait_for_url(server.url + "/inspections")
        page.goto(f"{server.url}/admin/users/{admin.id}")
        page.fill("#reset-password input[name=password]", NEW_PASSWORD)
        page.click("#reset-password button")
        page.wait_for_selector("#done")
        assert page.goto(server.url + "/admin/users").status == 200 and page.url == server.url + "/admin/users"
        other.goto(server.url + "/inspections")
        assert other.url == server.url + "/login"
        # The session cookie carries a seal of the password, never the hash itself.
        [cookie] = [c["value"] for c in here.cookies() if c["name"] == "checkengine_session"]
        import base64
        body = base64.b64decode(cookie.split(".")[0]).decode()
        assert "argon2" not in body and _user(server, "admin").password.split("$")[-1] not in body
    finally:
        here.close()
        elsewhere.close()
        with open_archive(server.store, write=True) as store, store.writing():
            store.set_password(admin.id, admin.password)


@pytest.mark.parametrize("who", ["auditor.lin", "manager.wang", "author.liu"])
def test_anyone_but_an_administrator_is_refused_everywhere(server: Server, tablet: Any, who: str) -> None:
    page = sign_in(tablet, server, who)
    target = _user(server, "auditor.chen")
    for path in ("/admin/users", f"/admin/users/{target.id}"):
        response = page.goto(server.url + path)
        assert response.status == 403, path
        assert page.locator("p.error").inner_text() == "Only an administrator may do this."
    token = _csrf(tablet)
    posts = {"/admin/users": {"username": "intruder", "name": "X", "role": "administrator", "site": "cc-taipei",
                              "password": NEW_PASSWORD},
             f"/admin/users/{target.id}/role": {"role": "administrator", "site": "cc-taipei"},
             f"/admin/users/{target.id}/password": {"password": NEW_PASSWORD},
             f"/admin/users/{target.id}/state": {"active": "0"}}
    for path, form in posts.items():
        response = tablet.request.post(server.url + path, form={"csrftoken": token, **form}, max_redirects=0)
        assert response.status == 403, path
    after = _user(server, "auditor.chen")
    assert after == target and _user(server, "intruder") is None
    refused = [a for a in _actions(server) if a[0] == "administration refused: not an administrator" and a[1] == who]
    assert len(refused) == 4


def test_administration_needs_the_csrf_token(server: Server, tablet: Any) -> None:
    sign_in(tablet, server, "admin")
    target = _user(server, "auditor.chen")
    for token in (None, "", "forged." + "x" * 20):
        for path, form in ((f"/admin/users/{target.id}/state", {"active": "0"}),
                           ("/admin/users", {"username": "csrf.victim", "name": "X", "role": "administrator",
                                             "password": NEW_PASSWORD})):
            sent = form if token is None else {**form, "csrftoken": token}
            response = tablet.request.post(server.url + path, form=sent, max_redirects=0)
            assert response.status == 403, (path, token)
            assert "security token is missing or wrong" in response.text()
    assert _user(server, "auditor.chen").active and _user(server, "csrf.victim") is None


@pytest.fixture
def scoped(server: Server) -> str:
    """An administrator of br-banqiao only (added to the store as `serve add-user` would)."""
    with open_archive(server.store, write=True) as store, store.writing():
        if store.user_named(SCOPED) is None:
            store.add_user(username=SCOPED, name="Banqiao admin", role="administrator",
                           password_hash=hash_password(SCOPED_PASSWORD), sites=["br-banqiao"])
    return SCOPED


def test_an_administrator_cannot_escalate(server: Server, tablet: Any, scoped: str) -> None:
    page = _sign_in_as(tablet, server, scoped, SCOPED_PASSWORD)
    page.wait_for_url(server.url + "/inspections")
    token = _csrf(tablet)
    page.goto(server.url + "/admin/users")
    listed = page.locator("#users tr[data-user]").evaluate_all("rows => rows.map(r => r.dataset.user)")
    assert "manager.huang" in listed and "auditor.lin" not in listed and "admin" not in listed
    assert page.locator("#add-user input[name=site]").evaluate_all("els => els.map(e => e.value)") == ["br-banqiao"]

    def post(path: str, form: dict[str, Any]) -> Any:
        return tablet.request.post(server.url + path, form={"csrftoken": token, **form}, max_redirects=0)

    # A site that is not in the list (a forged form): refused, nothing added.
    response = post("/admin/users", {"username": "sneaky", "name": "S", "role": "site_manager", "site": "cc-taipei",
                                     "password": NEW_PASSWORD})
    assert response.status == 400
    assert ("Site “cc-taipei” is not one of yours (br-banqiao): nothing was changed; choose among your sites."
            in response.text())
    assert _user(server, "sneaky") is None
    huang = _user(server, "manager.huang")
    for form in ({"role": "administrator", "site": ["br-banqiao", "cc-taipei"]},
                 {"role": "root", "site": "br-banqiao"}):
        response = post(f"/admin/users/{huang.id}/role", form)
        assert response.status == 400, form
    assert _user(server, "manager.huang") == huang
    # A user outside their sites: not found, by any URL or POST.
    lin = _user(server, "auditor.lin")
    assert page.goto(f"{server.url}/admin/users/{lin.id}").status == 404
    for what, form in (("password", {"password": NEW_PASSWORD}), ("state", {"active": "0"}),
                       ("role", {"role": "auditor", "site": "br-banqiao"})):
        assert post(f"/admin/users/{lin.id}/{what}", form).status == 404, what
    assert _user(server, "auditor.lin") == lin
    # Their own role, or disabling themselves: refused (another administrator does it).
    me = _user(server, scoped)
    response = post(f"/admin/users/{me.id}/role", {"role": "administrator", "site": "br-banqiao"})
    assert response.status == 400 and "You cannot change your own role or disable yourself" in response.text()
    assert post(f"/admin/users/{me.id}/state", {"active": "0"}).status == 400
    assert _user(server, scoped) == me
    # A field the form does not have changes nothing (the role form does not disable).
    response = post(f"/admin/users/{huang.id}/role", {"role": "site_manager", "site": "br-banqiao", "active": "0",
                                                       "password": "x" * 20, "username": "renamed"})
    assert response.status == 303
    assert _user(server, "manager.huang") == huang
    refused = [a[0] for a in _actions(server) if a[1] == scoped]
    assert refused.count("user change refused (role)") == 3 and "user change refused (state)" in refused
    assert "user not added" in refused
