"""Photos on the item, in the browser: a failing answer that the rule says needs a photo is refused
without one; an SVG, a 50-megapixel image and a file that is not an image are refused, naming the
file; a real photo is kept - by its hash, never by the name the device gave (``../../x.jpg``) -
without its location, and shown with the item's outcome; another site's auditor cannot fetch it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from photo_files import GPS_IFD, SVG, fifty_megapixels, jpeg_with_location
from serving import EXAMPLES, Server, example_answers, fill_checklist, open_inspection, sign_in

from checkengine.archive.store import open_archive

FLOOR = "Customer-service floor standards"
ITEM = "WKS-03-desk-tidy"  # evidence: {comment: true, photo: true}


def _files(*named: tuple[str, str, bytes]) -> list[dict[str, Any]]:
    return [{"name": name, "mimeType": kind, "buffer": data} for name, kind, data in named]


def test_photos_on_a_failed_item(server: Server, tablet: Any, browser: Any, shots: Path, tmp_path: Path) -> None:
    page = sign_in(tablet, server, "auditor.lin")
    inspection = open_inspection(page, server, rulebook_title=FLOOR)
    page.goto(f"{server.url}/inspections/{inspection}?lang=en")
    values = example_answers("FI-2026-11-03-001")
    values[f"answer:{ITEM}"] = "fail"
    values[f"comment:{ITEM}"] = "customer papers on the desk"
    fill_checklist(page, values)
    page.locator("#checklist button.primary").click()
    page.wait_for_selector("p#problems")
    item = page.locator(f"#item-{ITEM}")
    assert item.locator("p.error").inner_text() == "A failing answer on this item needs a photo of what was found."
    # The camera's file chooser: a real photo under a hostile name, an SVG, a decompression bomb.
    item.locator("input[type=file]").set_input_files(_files(
        ("../../x.jpg", "image/jpeg", jpeg_with_location()),
        ("drawing.svg", "image/svg+xml", SVG),
        ("huge.png", "image/png", fifty_megapixels())))
    page.locator("#checklist button.primary").evaluate("b => b.form.requestSubmit()")
    page.wait_for_selector(f"#item-{ITEM} p.error >> text=drawing.svg")
    assert item.locator("p.error").inner_text() == (
        "“drawing.svg” is not a JPEG, PNG or WebP photo; take the photo again, or choose one of those.")
    # The real photo was kept (nothing sent is lost) and comes back with the form.
    kept = item.locator("span.kept img")
    assert kept.count() == 1
    digest = item.locator("input[name='kept:WKS-03-desk-tidy']").input_value()
    item.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "photo-kept.png"))
    # The bomb alone: refused by its pixels, unopened.
    item.locator("input[type=file]").set_input_files(_files(("huge.png", "image/png", fifty_megapixels())))
    page.locator("#checklist button.primary").evaluate("b => b.form.requestSubmit()")
    page.wait_for_selector(f"#item-{ITEM} p.error >> text=huge.png")
    assert item.locator("p.error").inner_text() == (
        "“huge.png” has 8000 x 6250 pixels, more than 40000000; take it at a lower resolution.")
    assert item.locator("input[name='kept:WKS-03-desk-tidy']").input_value() == digest
    # Sent again with the kept photo: accepted.
    page.locator("#checklist button.primary").evaluate("b => b.form.requestSubmit()")
    page.wait_for_url(f"{server.url}/inspections/{inspection}/result")
    shown = page.locator(f"li.outcome[data-rule={ITEM}] img.thumb")
    assert shown.count() == 1 and shown.get_attribute("src") == f"/photos/{digest}"
    assert page.locator(f"li.outcome[data-rule={ITEM}]").get_attribute("class") == "outcome fail"
    shown.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "result-with-photo.png"))
    with open_archive(server.store, write=False) as store:
        [submission] = store.submissions_of(inspection)
        found = store.photo(digest)
    assert submission.record["answers"][ITEM]["evidence"] == [f"photo:{digest}"]
    assert found is not None and found[0] == "image/jpeg" and found[2] == [inspection]
    # What is served is the re-encoded photo: no position, no camera.
    served = tablet.request.get(f"{server.url}/photos/{digest}")
    assert served.status == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    image = Image.open(io.BytesIO(served.body()))
    assert image.getexif().get_ifd(GPS_IFD) == {} and b"PhoneMaker" not in served.body()
    # The name the device gave was never used as a path.
    for folder in (EXAMPLES.parents[1], EXAMPLES.parents[2], Path(server.store).parent, Path(server.store).parents[1]):
        assert not (folder / "x.jpg").exists()
    # Another site's auditor cannot fetch it, nor guess one.
    other = browser.new_context()
    try:
        intruder = sign_in(other, server, "auditor.chen")
        assert intruder.goto(f"{server.url}/photos/{digest}").status == 404
        assert intruder.goto(f"{server.url}/photos/{'0' * 64}").status == 404
        assert intruder.goto(f"{server.url}/photos/..%2F..%2Fx.jpg").status == 404
    finally:
        other.close()


def test_a_multipart_post_without_the_csrf_header_is_refused(server: Server, tablet: Any) -> None:
    sign_in(tablet, server, "auditor.lin")
    with open_archive(server.store, write=False) as store:
        lin = store.user_named("auditor.lin")
        assert lin is not None
        target = store.inspections_visible_to(lin)[0].id
        before = store.photos_of(target)
    token = [c["value"] for c in tablet.cookies() if c["name"] == "csrftoken"][0]
    response = tablet.request.post(f"{server.url}/inspections/{target}", max_redirects=0, multipart={
        "csrftoken": token, "photo:WKS-03-desk-tidy": {"name": "a.jpg", "mimeType": "image/jpeg",
                                                     "buffer": jpeg_with_location()}})
    assert response.status == 403  # the token in the body is not enough for multipart: the header is
    response = tablet.request.post(f"{server.url}/inspections/{target}", max_redirects=0, headers={
        "X-CSRFToken": "forged"}, multipart={"photo:WKS-03-desk-tidy": {
            "name": "a.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_location()}})
    assert response.status == 403
    with open_archive(server.store, write=False) as store:
        assert store.photos_of(target) == before  # nothing of the refused requests was kept
