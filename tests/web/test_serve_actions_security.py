"""Attackers' tests of the corrective actions in the workspace, against the real server: another's
action by its id (not found, by page, update and photo), an update without its CSRF token, an
owner forging a manager's verification, the one who did it verifying it, HTML and script in a note,
and hostile files sent as evidence - refused, naming the file, with nothing written but the log."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from actions_flow import LEADER, action_of, add_leader, fail_an_item
from photo_files import SVG, fifty_megapixels, jpeg_with_location
from serving import Server, sign_in

from checkengine.archive.store import open_archive
from checkengine.web.labels import Labels

HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


@pytest.fixture(scope="module")
def opened(server: Server, browser: Any) -> int:
    """An action opened by auditor.lin's failed item at cc-taipei (its id)."""
    add_leader(server)
    context = browser.new_context()
    try:
        return action_of(server, fail_an_item(context, server, photo=jpeg_with_location())).id
    finally:
        context.close()


def _csrf(context: Any) -> str:
    [token] = [c["value"] for c in context.cookies() if c["name"] == "csrftoken"]
    return str(token)


def _events(server: Server, action: int) -> list[str]:
    from checkengine.actions.tracker import load_action

    with open_archive(server.store, write=False) as store:
        return [e["event"] for e in load_action(store, action).events]


def _refused(page: str) -> str:
    """The refusal a page says (its ``#refused`` paragraph), as text."""
    found = re.search(r'<p class="error" role="alert" id="refused">(.*?)</p>', page, re.S)
    assert found, "no refusal on the page"
    return html.unescape(found.group(1)).strip()


def _refusals(server: Server, action: int) -> list[dict[str, Any]]:
    with open_archive(server.store, write=False) as store:
        return [json.loads(e["detail"]) for e in store.audit_entries()
                if e["target"] == f"action {action}" and e["action"] == "action update refused"]


@pytest.mark.parametrize("intruder", ["auditor.chen", "manager.huang", "auditor.lin", "author.liu"])
def test_another_users_action_is_not_found(server: Server, tablet: Any, opened: int, intruder: str) -> None:
    """Another site's auditor and manager, the auditor who found it (the owner is the team leader)
    and a policy author: the action is not found - page, update and photos - nor listed."""
    page = sign_in(tablet, server, intruder)
    for path in ("/actions", "/actions/all"):
        page.goto(server.url + path)
        assert f"/actions/{opened}" not in page.content()
    response = page.goto(f"{server.url}/actions/{opened}")
    assert response.status == 404 and "No such corrective action for you." in page.locator("p.error").inner_text()
    before = _events(server, opened)
    for verb in ("start", "done", "assign", "verify", "note"):
        sent = tablet.request.post(f"{server.url}/actions/{opened}/update", max_redirects=0,
                                   form={"csrftoken": _csrf(tablet), "verb": verb, "note": "x", "to": "E001"})
        assert sent.status == 404, verb
    assert _events(server, opened) == before
    with open_archive(server.store, write=False) as store:
        photo = next(iter(store.photos_of(next(i.id for i in store.inspections_visible_to(store.user_named("admin"))
                                                    if store.submissions_of(i.id)
                                                    and i.site == "cc-taipei")).values()))[0]
    assert tablet.request.get(f"{server.url}/actions/{opened}/evidence/{photo}").status == 404


def test_an_update_without_its_csrf_token_is_refused(server: Server, tablet: Any, opened: int) -> None:
    sign_in(tablet, server, "manager.wang")
    before = _events(server, opened)
    for token in (None, "", "forged." + "x" * 20):
        form = {"verb": "note", "note": "sneaky"} if token is None else {"verb": "note", "note": "sneaky",
                                                                          "csrftoken": token}
        response = tablet.request.post(f"{server.url}/actions/{opened}/update", form=form, max_redirects=0)
        assert response.status == 403, token
        assert "security token is missing or wrong" in response.text()
    # A multipart update (photos) without the token in its header is refused too.
    response = tablet.request.post(f"{server.url}/actions/{opened}/update", max_redirects=0, multipart={
        "csrftoken": _csrf(tablet), "verb": "note", "note": "sneaky",
        "photos": {"name": "a.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_location()}})
    assert response.status == 403
    assert _events(server, opened) == before


def test_the_owner_cannot_verify_and_the_doer_cannot_verify(server: Server, tablet: Any, browser: Any,
                                                           opened: int) -> None:
    leader = browser.new_context()
    try:
        sign_in(leader, server, LEADER)
        # The owner forges a manager's verb: refused (403), nothing written.
        for verb in ("assign", "verify", "reopen", "reject", "fly"):
            response = leader.request.post(f"{server.url}/actions/{opened}/update", max_redirects=0,
                                           form={"csrftoken": _csrf(leader), "verb": verb, "to": LEADER, "note": "n"})
            assert response.status == 403, verb
            assert "This is not yours to do on this action." in response.text()
        assert "verified" not in _events(server, opened)
    finally:
        leader.close()
    # The manager marks it done, then tries to verify it: the lifecycle refuses (a second person
    # verifies), says why, and writes nothing but the log.
    page = sign_in(tablet, server, "manager.wang")
    token = _csrf(tablet)
    done = tablet.request.post(f"{server.url}/actions/{opened}/update", max_redirects=0,
                               form={"csrftoken": token, "verb": "done", "note": HOSTILE})
    assert done.status == 303
    response = tablet.request.post(f"{server.url}/actions/{opened}/update?lang=en", max_redirects=0,
                                   form={"csrftoken": token, "verb": "verify"})
    assert response.status == 422
    assert _refused(response.text()) == ("Not changed: You marked it done, so you cannot verify it: a second person "
                                         "verifies it (or the next inspection that passes the rule does).")
    assert _events(server, opened)[-1] == "done"
    assert _refusals(server, opened)[0]["verb"] == "verify"
    # The audit log keeps the lifecycle's own message (the command's words, naming the person).
    assert _refusals(server, opened)[0]["problem"].startswith(f"action {opened}: manager.wang marked it done, so "
                                                              "manager.wang cannot verify it")
    # Each language of the workspace says the lifecycle's refusals in its own words, never with the
    # command's options ("--note TEXT"): verifying one's own work, and a verb the state does not allow.
    for lang in ("en", "zh-Hant", "zh-Hans", "ko", "es"):
        words = Labels(lang)
        for verb, expected in (("verify", words("ar_verify_own_work")),
                               ("start", words("ar_wrong_state", status=words.act_done, verb=words.do_start))):
            response = tablet.request.post(f"{server.url}/actions/{opened}/update?lang={lang}", max_redirects=0,
                                           form={"csrftoken": token, "verb": verb})
            assert response.status == 422, (lang, verb)
            said = _refused(response.text())
            assert said == f"{words.action_refused} {expected}", (lang, said)
            assert "--" not in said and "TEXT" not in said
    assert _events(server, opened)[-1] == "done"
    # The note is shown as text: no script ran, no element was made of it.
    page.goto(f"{server.url}/actions/{opened}")
    assert page.locator("li.event[data-event=done] p.note").inner_text() == HOSTILE
    assert page.evaluate("window.__pwned") is None
    assert page.locator("li.event img[src=x]").count() == 0


def test_hostile_evidence_files_are_refused(server: Server, tablet: Any, browser: Any, opened: int) -> None:
    leader = browser.new_context()
    try:
        page = sign_in(leader, server, LEADER)
        page.goto(f"{server.url}/actions/{opened}?lang=en")
        if page.locator("form.update[data-verb=note]").count() == 0:
            pytest.fail("the owner has no note form")
        before = _events(server, opened)
        for name, kind, data, message in (
                ("drawing.svg", "image/svg+xml", SVG,
                 "“drawing.svg” is not a JPEG, PNG or WebP photo; take the photo again, or choose one of those."),
                ("notes.jpg", "image/jpeg", b"not a photo at all",
                 "“notes.jpg” is not a JPEG, PNG or WebP photo; take the photo again, or choose one of those."),
                ("huge.png", "image/png", fifty_megapixels(),
                 "“huge.png” has 8000 x 6250 pixels, more than 40000000; take it at a lower resolution.")):
            form = page.locator("form.update[data-verb=note]")
            form.locator("textarea").fill("see the photo")
            form.locator("input[type=file]").set_input_files([{"name": name, "mimeType": kind, "buffer": data}])
            form.locator("button").click()
            page.wait_for_selector(f"#refused >> text={name}")
            assert page.locator("#refused").inner_text() == f"Not changed: {message}", name
            assert _events(server, opened) == before
        assert [r["verb"] for r in _refusals(server, opened)][:3] == ["note", "note", "note"]
    finally:
        leader.close()
