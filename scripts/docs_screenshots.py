"""Screenshots of the workspace's main screens for the docs (``make docs-screenshots``).

Starts the real server on the demo (``checkengine serve --demo``, a store in a temporary folder),
drives Debian's chromium with Playwright as the browser tests do (tests/web/serving.py), walks
the whole loop - an auditor fails an item and is asked for its photo, submits and signs; the site
manager countersigns with a drawn signature; the team leader puts the action right; the manager
verifies it; the downloaded form is checked on the verify page - and writes a PNG of each main
screen, on a 10-inch tablet's viewport, to docs/images/ (optimised with Pillow).

Usage: .venv/bin/python scripts/docs_screenshots.py [--out docs/images]
"""

from __future__ import annotations

import argparse
import math
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "web"))  # the browser tests' helpers: one way to drive the server

from serving import TABLET, Server, example_answers, fill_checklist, open_inspection, start_server  # noqa: E402

PHOTO = ROOT / "examples" / "month-2026-11" / "inspections" / "photos" / "fi-2026-11-10-e009-desk.jpg"
FLOOR = "Customer-service floor standards"
ITEM = "WKS-03-desk-tidy"  # evidence: {comment: true, photo: true}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
_KEY = re.compile(r"^\s+(\S+)\s+(\S+key\.p12)\s+password (\S+)$")
MAX_BYTES = 250_000


def _keys(server: Server) -> dict[str, tuple[str, str]]:
    return {m.group(1): (m.group(2), m.group(3)) for line in server.output if (m := _KEY.match(line))}


def _save(page: Any, out: Path, name: str, **options: Any) -> None:
    path = out / f"{name}.png"
    page.wait_for_load_state("load")
    page.screenshot(path=str(path), **options)
    _optimise(path)
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} KB")


def _optimise(path: Path) -> None:
    """Re-save with zlib's best effort; a large one as 256 colours (screens have few)."""
    from PIL import Image

    with Image.open(path) as image:
        image.load()
    image.save(path, optimize=True)
    if path.stat().st_size > MAX_BYTES:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            path, optimize=True)


def _context(browser: Any, lang: str = "en-US") -> Any:
    context = browser.new_context(viewport=TABLET, has_touch=True, device_scale_factor=1, locale=lang,
                                  accept_downloads=True)
    context.set_default_timeout(20000)
    return context


def _sign_in(context: Any, server: Server, username: str) -> Any:
    page = context.new_page()
    page.goto(server.url + "/login?lang=en")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", server.logins[username])
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/inspections*")
    return page


def _upload_key(page: Any, server: Server, key: tuple[str, str]) -> None:
    page.goto(server.url + "/profile?lang=en")
    page.locator("input[name=p12]").set_input_files(key[0])
    page.locator("input[name=password]").fill(key[1])
    with page.expect_navigation():
        page.locator("main button.primary").click()


def _draw(page: Any, form: str) -> None:
    box = page.locator(f"{form} canvas").bounding_box()
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x0 + w * 0.1, y0 + h * 0.55)
    page.mouse.down()
    for i in range(60):
        t = i / 59
        page.mouse.move(x0 + w * (0.1 + 0.8 * t), y0 + h * (0.55 + 0.25 * math.sin(t * 11) * (1 - t / 2)), steps=2)
    page.mouse.up()


def _sign(page: Any, form: str, password: str) -> None:
    page.locator(f"{form} input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").click()


def _send(page: Any, verb: str) -> None:
    with page.expect_navigation():
        page.locator(f"form.update[data-verb={verb}] button").click()
    page.wait_for_load_state("load")


def _show_section_of(page: Any, selector: str) -> None:
    """Put the checklist's section holding *selector* on screen (as Back / Next would)."""
    page.evaluate("""sel => {
        const section = document.querySelector(sel).closest('section');
        document.querySelectorAll('#checklist section').forEach(s => s.classList.toggle('current', s === section));
        document.querySelector(sel).scrollIntoView({block: 'center'});
    }""", selector)


def shoot(browser: Any, server: Server, out: Path, work: Path) -> None:
    keys = _keys(server)
    auditor_ctx, manager_ctx, leader_ctx, public_ctx, admin_ctx = (_context(browser) for _ in range(5))

    # -- the auditor: sign-in, the list, a section in Chinese, a failed item asking for its photo
    page = auditor_ctx.new_page()
    page.goto(server.url + "/login?lang=en")
    page.fill("input[name=username]", "auditor.lin")
    _save(page, out, "sign-in")
    page.fill("input[name=password]", server.logins["auditor.lin"])
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/inspections*")
    _upload_key(page, server, keys["auditor.lin"])
    page.goto(server.url + "/inspections?lang=en")
    _save(page, out, "inspections")
    inspection = open_inspection(page, server, rulebook_title=FLOOR)
    page.goto(f"{server.url}/inspections/{inspection}?lang=zh-Hant")
    _save(page, out, "checklist-section-zh-Hant")
    page.goto(f"{server.url}/inspections/{inspection}?lang=en")
    values = example_answers("FI-2026-11-03-001")
    values[f"answer:{ITEM}"] = "fail"
    values[f"comment:{ITEM}"] = "Customer papers left open on the desk at 10:20."
    fill_checklist(page, values)
    page.locator("#checklist button.primary").click()  # no photo: the server refuses, naming the item
    page.wait_for_selector("p#problems")
    page.locator(f"#item-{ITEM}").scroll_into_view_if_needed()
    _save(page, out, "failed-item-needs-photo")
    page.locator(f"#item-{ITEM} input[type=file]").set_input_files(str(PHOTO))
    page.locator("#checklist button.primary").evaluate("b => b.form.requestSubmit()")
    page.wait_for_url(f"{server.url}/inspections/{inspection}/result*")
    page.locator(f"li.outcome[data-rule={ITEM}]").scroll_into_view_if_needed()
    _save(page, out, "result")
    _draw(page, "form.sign")
    _sign(page, "form.sign", keys["auditor.lin"][1])

    # -- the site manager: the review with the signature pad, accepted and countersigned
    manager = _sign_in(manager_ctx, server, "manager.wang")
    _upload_key(manager, server, keys["manager.wang"])
    manager.goto(f"{server.url}/inspections/{inspection}/result?lang=en")
    manager.locator("#review").scroll_into_view_if_needed()
    _draw(manager, "form.accept")
    _save(manager, out, "review-signature-pad")
    _sign(manager, "form.accept", keys["manager.wang"][1])
    with manager.expect_download() as download:
        manager.locator("#download").click()
    pdf = work / "signed-form.pdf"
    download.value.save_as(pdf)

    # -- the team leader puts the failed item right; the manager's overview; verified
    leader = _sign_in(leader_ctx, server, "leader.wang")
    leader.goto(f"{server.url}/actions?lang=en")
    href = leader.locator("a.action-tile").first.get_attribute("href")
    leader.goto(f"{server.url}{href}?lang=en")
    _send(leader, "start")
    done = leader.locator("form.update[data-verb=done]")
    done.locator("textarea[name=note]").fill("Papers filed in the locked drawer; desk cleared.")
    done.locator("input[type=file]").set_input_files(str(PHOTO))
    _send(leader, "done")
    _save(leader, out, "action-page")
    manager.goto(f"{server.url}/actions/all?lang=en")
    _save(manager, out, "actions-overview")
    manager.goto(f"{server.url}{href}?lang=en")
    _send(manager, "verify")
    manager.goto(f"{server.url}/schedule?lang=en")
    _save(manager, out, "schedule")
    manager.locator("li.slot a.assign-slot").first.click()  # assign the occurrence's visit
    manager.wait_for_url(server.url + "/assign?*")
    manager.goto(manager.url + "&lang=en")
    manager.fill("#assign input[name=employee]", "E002")
    manager.fill("#assign input[name=name]", "李小華")
    _save(manager, out, "assign")

    # -- the administrator's users
    admin = _sign_in(admin_ctx, server, "admin")
    admin.goto(f"{server.url}/admin/users?lang=en")
    _save(admin, out, "admin-users")

    # -- anyone: the public verify page checks the downloaded form
    public = public_ctx.new_page()
    public.goto(server.url + "/verify?lang=en")
    public.locator("input[name=form]").set_input_files(str(pdf))
    with public.expect_navigation():
        public.locator("main button.primary").click()
    _save(public, out, "verify")
    for context in (auditor_ctx, manager_ctx, leader_ctx, public_ctx, admin_ctx):
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "images"), help="where the PNGs go")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium")
    if chromium is None:
        print("docs_screenshots: chromium is not installed (scripts/system-deps.sh installs it)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="checkengine-shots-") as folder:
        server = start_server(str(Path(folder) / "store.sqlite"), "--logins-per-minute", "1000")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
                try:
                    shoot(browser, server, out, Path(folder))
                finally:
                    browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
