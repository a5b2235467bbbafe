"""The site manager's review, in a real browser against the real server: the auditor submits and
signs with a drawn signature, the manager sends it back with a comment, the auditor sees the
comment on their list and on the checklist, corrects it and submits again (a new submission, the
first signed form kept), the manager accepts and countersigns with a drawn signature, and the PDF
downloaded from the browser passes ``checkengine verify`` with both signatures valid. Then the
attackers: an auditor or an administrator reviewing, another site's manager by id, no CSRF token,
an empty comment, a drawing that is not a PNG or too large."""

from __future__ import annotations

import base64
import hashlib
import html
import math
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest
from photo_files import jpeg_with_location
from serving import (
    CHECKENGINE, ROOT, Server, example_answers, fill_checklist, new_keys, open_inspection, sign_in, sign_with, upload_key,
)

from checkengine.archive.review import review_facts
from checkengine.archive.store import open_archive

PASSWORD = "review-test-password"
FLOOR = "Customer-service floor standards"
COMMENT = '座位區照片不清楚，請重拍並補充說明。<script>window.__pwned = 1</script>'


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return new_keys(tmp_path_factory.mktemp("keys"), PASSWORD)


def _draw(page: Any, form: str, seed: int) -> None:
    """Draw a signature on the pad of *form* with the mouse (the pad reads pointer events)."""
    box = page.locator(f"{form} canvas").bounding_box()
    assert box and box["width"] > 200, box
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x0 + w * 0.1, y0 + h * 0.5)
    page.mouse.down()
    for i in range(40):
        t = i / 39
        page.mouse.move(x0 + w * (0.1 + 0.75 * t), y0 + h * (0.5 + 0.28 * math.sin(t * (9 + seed))), steps=2)
    page.mouse.up()


def _submit(page: Any, server: Server, inspection: int) -> None:
    page.locator("#checklist button.primary").click()
    page.wait_for_url(f"{server.url}/inspections/{inspection}/result")


def _sign(page: Any, form: str, *, draw: int | None) -> None:
    if draw is not None:
        _draw(page, form, draw)
    sign_with(page, PASSWORD, form)


def _state(page: Any) -> str:
    return str(page.locator("#state").get_attribute("class")).split("st-")[1]


def _drawn_in(pdf: Path, field: str) -> list[tuple[int, int]]:
    """The pictures in the signature appearance of *field* (their sizes)."""
    found = []
    for page in pypdf.PdfReader(str(pdf)).pages:
        for annot in page.get("/Annots") or []:
            widget = annot.get_object()
            if widget.get("/T") == field:
                xobjects = widget["/AP"]["/N"].get_object()["/Resources"].get("/XObject") or {}
                found += [(int(x.get_object()["/Width"]), int(x.get_object()["/Height"])) for x in xobjects.values()
                          if x.get_object().get("/Subtype") == "/Image"]
    return found


@pytest.mark.slow
def test_send_back_resubmit_accept_and_verify(server: Server, tablet: Any, browser: Any, keys: dict[str, Path],
                                              shots: Path, tmp_path: Path) -> None:
    auditor = sign_in(tablet, server, "auditor.lin")
    pwned: list[str] = []
    auditor.on("dialog", lambda d: (pwned.append(d.message), d.dismiss()))
    upload_key(auditor, server, keys["auditor"], PASSWORD)
    auditor.goto(server.url + "/inspections")
    inspection = open_inspection(auditor, server, rulebook_title=FLOOR)
    values = example_answers("FI-2026-11-03-001")
    values["answer:WKS-03-desk-tidy"] = "fail"
    values["comment:WKS-03-desk-tidy"] = "桌上有文件"
    fill_checklist(auditor, values)
    auditor.locator("#item-WKS-03-desk-tidy input[type=file]").set_input_files(
        [{"name": "desk.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_location(400, 300)}])
    _submit(auditor, server, inspection)
    assert _state(auditor) == "to_sign"
    assert auditor.locator("#review").count() == 0  # the auditor does not review
    _sign(auditor, "form.sign", draw=1)
    assert auditor.locator("#signatures p.error").count() == 0, auditor.locator("#signatures p.error").inner_text()
    assert _state(auditor) == "awaiting_review" and auditor.locator("form.sign").count() == 0
    with open_archive(server.store, write=False) as store:
        first_form = store.signed_forms(inspection)["inspector"]

    other = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-TW")
    other.set_default_timeout(15000)
    try:
        manager = sign_in(other, server, "manager.wang")
        upload_key(manager, server, keys["manager"], PASSWORD)
        manager.goto(server.url + "/inspections")
        tile = manager.locator(f"a.tile[href='/inspections/{inspection}/result']")
        assert tile.get_attribute("data-state") == "awaiting_review"
        assert tile.locator("span.status").inner_text() == "Awaiting review"
        manager.goto(f"{server.url}/inspections/{inspection}/result")
        assert manager.locator("#review form.accept canvas").is_visible()  # the pad, started by its script
        manager.screenshot(path=str(shots / "review-screen.png"), full_page=True)
        manager.locator("#review textarea[name=comment]").fill(COMMENT)
        with manager.expect_navigation():
            manager.locator("form.send-back button[type=submit]").click()
        assert _state(manager) == "sent_back" and manager.locator("#review").count() == 0
        assert manager.locator("#sent-back blockquote").inner_text() == COMMENT

        # The auditor sees it on the list and on the checklist, the script as text.
        auditor.goto(server.url + "/inspections")
        tile = auditor.locator(f"a.tile[href='/inspections/{inspection}']")
        assert tile.get_attribute("data-state") == "sent_back"
        assert COMMENT in tile.locator(".sent-back-note").inner_text()
        assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in auditor.content()
        auditor.screenshot(path=str(shots / "auditor-list-sent-back.png"), full_page=True)
        tile.click()
        auditor.wait_for_url(f"{server.url}/inspections/{inspection}")
        assert auditor.locator("#sent-back blockquote").inner_text() == COMMENT
        # the answers given before are there to correct
        assert auditor.locator("input[name='answer:WKS-03-desk-tidy'][value=fail]").is_checked()
        assert auditor.locator("textarea[name='comment:WKS-03-desk-tidy']").input_value() == "桌上有文件"
        auditor.screenshot(path=str(shots / "checklist-sent-back.png"))
        assert auditor.evaluate("window.__pwned") is None and pwned == []
        sections = int(auditor.get_attribute("#checklist", "data-sections"))
        item = auditor.locator("#item-WKS-03-desk-tidy")
        auditor.evaluate("n => document.querySelector('#screen-' + n).classList.add('current')",
                         int(item.evaluate("el => el.closest('section').dataset.screen")))
        item.locator("textarea").fill("桌上有文件（已重拍說明：客戶資料已收妥）")
        auditor.evaluate("n => document.querySelector('#screen-' + n).classList.add('current')", sections)
        _submit(auditor, server, inspection)
        assert _state(auditor) == "to_sign"
        assert "桌上有文件（已重拍說明" in auditor.locator("li.outcome[data-rule=WKS-03-desk-tidy]").inner_text()
        assert COMMENT in auditor.locator("#history").inner_text()  # the earlier submission and why it came back
        _sign(auditor, "form.sign", draw=2)
        assert _state(auditor) == "awaiting_review"

        manager.goto(f"{server.url}/inspections/{inspection}/result")
        _sign(manager, "form.accept", draw=3)
        assert _state(manager) == "accepted" and "王主任" in manager.locator("#signatures").inner_text()
        manager.locator("main").screenshot(path=str(shots / "accepted.png"))
        with manager.expect_download() as download:
            manager.locator("#download").click()
        pdf = tmp_path / "downloaded.pdf"
        download.value.save_as(pdf)
        manager.goto(server.url + "/inspections")
        assert manager.locator(f"a.tile[href='/inspections/{inspection}/result']").get_attribute(
            "data-state") == "accepted"
    finally:
        other.close()
    (shots / "signed-form.pdf").write_bytes(pdf.read_bytes())
    verified = subprocess.run([str(CHECKENGINE), "verify", str(pdf), "--trust-inspector",
                               str(keys["auditor"] / "cert.pem"), "--trust-manager", str(keys["manager"] / "cert.pem")],
                              capture_output=True, text=True, cwd=ROOT)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.splitlines()[0].endswith(": VALID"), verified.stdout
    for field, who in (("inspector", "林品管"), ("manager", "王主任")):  # both signatures valid and trusted
        assert f"signature '{field}' by {who}" in verified.stdout and ": ok (intact: yes, trusted: yes" in \
            next(line for line in verified.stdout.splitlines() if f"signature '{field}'" in line and " by " in line)
    # Both drawings are in their signature's appearance; the page as a reader shows it is kept.
    assert len(_drawn_in(pdf, "inspector")) == 1 and len(_drawn_in(pdf, "manager")) == 1
    pages = len(pypdf.PdfReader(str(pdf)).pages)
    subprocess.run(["pdftoppm", "-f", str(pages), "-l", str(pages), "-r", "90", "-png", "-singlefile", str(pdf),
                    str(shots / "signed-form-signatures")], check=True)
    with open_archive(server.store, write=False) as store:
        facts = review_facts(store, [inspection])[inspection]
        first_pdf = store.signed_form_pdf(first_form["id"])
        actions = [e["action"] for e in store.audit_entries()]
    assert len(facts.submissions) == 2
    first, second = facts.submissions
    assert facts.signed[first]["inspector"]["id"] == first_form["id"]  # the first signed form stays
    assert first_pdf is not None and first_pdf[0] == inspection
    assert hashlib.sha256(first_pdf[1]).hexdigest() == first_form["sha256"]  # as it was signed
    assert set(facts.signed[second]) == {"inspector", "manager"}
    assert [(facts.reviews[s].decision, facts.reviews[s].comment) for s in (first, second)] == [
        ("sent_back", COMMENT), ("accepted", None)]
    assert {"inspection sent back", "inspection accepted", "form signed (manager)"} <= set(actions)
    assert actions.count("form signed (inspector)") >= 2


# -- attackers -------------------------------------------------------------------------------------
def _csrf(context: Any) -> str:
    [token] = [c["value"] for c in context.cookies() if c["name"] == "csrftoken"]
    return str(token)


def _png_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


@pytest.fixture(scope="module")
def awaiting(server: Server, browser: Any, keys: dict[str, Path]) -> int:
    """A cc-taipei inspection submitted and signed by auditor.lin (no drawing): awaiting review.
    Its manager, manager.wang, has a key on file."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15000)
    try:
        page = sign_in(context, server, "auditor.lin")
        upload_key(page, server, keys["auditor"], PASSWORD)
        page.goto(server.url + "/inspections")
        inspection = open_inspection(page, server, rulebook_title=FLOOR)
        fill_checklist(page, example_answers("FI-2026-11-03-001"))
        _submit(page, server, inspection)
        _sign(page, "form.sign", draw=None)
        assert _state(page) == "awaiting_review"
        manager = sign_in(browser.new_context(), server, "manager.wang")
        upload_key(manager, server, keys["manager"], PASSWORD)
        manager.context.close()
    finally:
        context.close()
    return inspection


def _nothing_reviewed(server: Server, inspection: int) -> None:
    with open_archive(server.store, write=False) as store:
        facts = review_facts(store, [inspection])[inspection]
        assert facts.reviews == {} and set(facts.signed[facts.submissions[-1]]) == {"inspector"}


@pytest.mark.parametrize("who, status, words", [
    ("auditor.lin", 403, "Only a site manager of this inspection's site reviews it."),
    ("admin", 403, "Only a site manager of this inspection's site reviews it."),
    ("manager.huang", 404, "No such inspection for you."),  # another site's manager, by id in the URL
])
def test_only_a_manager_of_the_site_reviews(server: Server, tablet: Any, awaiting: int, who: str, status: int,
                                            words: str) -> None:
    sign_in(tablet, server, who)
    for decision in ("send_back", "accept"):
        response = tablet.request.post(f"{server.url}/inspections/{awaiting}/review", max_redirects=0, form={
            "csrftoken": _csrf(tablet), "decision": decision, "comment": "redo it", "password": PASSWORD})
        assert response.status == status, (who, decision)
        assert words in html.unescape(response.text())
    _nothing_reviewed(server, awaiting)


def test_a_review_without_its_csrf_token_is_refused(server: Server, tablet: Any, awaiting: int) -> None:
    sign_in(tablet, server, "manager.wang")
    for token in (None, "", "forged." + "x" * 20):
        form = {"decision": "send_back", "comment": "redo it"}
        response = tablet.request.post(f"{server.url}/inspections/{awaiting}/review", max_redirects=0,
                                       form=form if token is None else {**form, "csrftoken": token})
        assert response.status == 403, token
        assert "security token is missing or wrong" in response.text()
    _nothing_reviewed(server, awaiting)


def test_a_send_back_needs_a_comment(server: Server, tablet: Any, awaiting: int, shots: Path) -> None:
    page = sign_in(tablet, server, "manager.wang")
    for comment in ("", "   \n  "):
        response = tablet.request.post(f"{server.url}/inspections/{awaiting}/review?lang=en", max_redirects=0, form={
            "csrftoken": _csrf(tablet), "decision": "send_back", "comment": comment})
        assert response.status == 400
        assert "Not sent back: write what the auditor should correct, then send it back." in response.text()
    # In the page: the browser asks for the comment first; sent anyway, the server says why not.
    page.goto(f"{server.url}/inspections/{awaiting}/result?lang=en")
    page.locator("form.send-back textarea").evaluate("t => t.removeAttribute('required')")
    with page.expect_navigation():
        page.locator("form.send-back button[type=submit]").click()
    assert page.locator("#review-error").inner_text() == (
        "Not sent back: write what the auditor should correct, then send it back.")
    page.locator("#review").screenshot(path=str(shots / "empty-comment-refused.png"))
    _nothing_reviewed(server, awaiting)


@pytest.mark.parametrize("drawing, words", [
    (_png_url(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
     "The drawn signature is not a PNG image; draw it on the signature pad."),
    ("data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode(),
     "The drawn signature is not a PNG image; draw it on the signature pad."),
    ("data:image/png;base64,not base64 at all!",
     "The drawn signature is not a PNG image; draw it on the signature pad."),
    ("data:image/png;base64," + "A" * 800_000, "The drawn signature is larger than 512 KB; clear the pad and draw it again."),
], ids=["svg-as-png", "svg", "not-base64", "oversize"])
def test_a_drawing_that_is_not_one_is_refused(server: Server, tablet: Any, awaiting: int, drawing: str,
                                              words: str) -> None:
    sign_in(tablet, server, "manager.wang")
    response = tablet.request.post(f"{server.url}/inspections/{awaiting}/review?lang=en", max_redirects=0, form={
        "csrftoken": _csrf(tablet), "decision": "accept", "password": PASSWORD, "drawing": drawing})
    assert response.status == 400
    assert words in html.unescape(response.text())
    _nothing_reviewed(server, awaiting)


def test_the_auditor_signs_only_with_a_real_drawing(server: Server, tablet: Any, keys: dict[str, Path]) -> None:
    """A forged "drawing" at the auditor's signing (not a PNG, or a blank one) signs nothing and
    says why; the same submission then signs with a real one."""
    page = sign_in(tablet, server, "auditor.lin")
    upload_key(page, server, keys["auditor"], PASSWORD)
    page.goto(server.url + "/inspections")
    inspection = open_inspection(page, server, rulebook_title=FLOOR)
    fill_checklist(page, example_answers("FI-2026-11-03-001"))
    _submit(page, server, inspection)
    blank = base64.b64encode(_blank_png()).decode()
    for drawing, words in (
            (_png_url(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), "手寫簽名不是 PNG 圖片"),  # in the form's language
            ("data:image/png;base64," + blank, "手寫簽名沒有筆跡")):
        response = tablet.request.post(f"{server.url}/inspections/{inspection}/sign", max_redirects=0, form={
            "csrftoken": _csrf(tablet), "password": PASSWORD, "drawing": drawing})
        assert response.status == 303
        page.goto(f"{server.url}/inspections/{inspection}/result")
        assert words in page.locator("#signatures p.error").inner_text()
        assert _state(page) == "to_sign"
        with open_archive(server.store, write=False) as store:
            assert store.signed_forms(inspection) == {}
    _sign(page, "form.sign", draw=4)
    assert _state(page) == "awaiting_review"


def _blank_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (600, 200), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()
