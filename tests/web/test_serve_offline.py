"""Offline first, in the browser: the service worker keeps the app and the assigned checklists,
answers are drafts in IndexedDB that survive a reload, a submission made offline waits in the
outbox with the id made on the device and is sent once when the network is back; a resend is not a
second submission; one the server refuses stays in the outbox with the server's message."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from serving import Server, example_answers, fill_checklist, sign_in

from checkengine.archive.store import open_archive

FLOOR = "Customer-service floor standards"


def _ready(page: Any, server: Server) -> list[str]:
    """Sign-in done: wait for the service worker, then open the list again under its control (the
    checklists still to do are fetched through it, and so kept). The checklists' paths."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(server.url + "/inspections")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    todo = page.locator("a.tile[data-todo]").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    deadline = time.monotonic() + 30
    while not page.evaluate(
            "paths => caches.open('checkengine-workspace-v1').then(c => Promise.all(paths.map(p => c.match(p))))"
            ".then(found => found.every(Boolean))", todo):
        assert time.monotonic() < deadline, "the checklists were not kept for offline use"
        time.sleep(0.2)
    return list(todo)


def _submissions(server: Server, inspection: int) -> list[Any]:
    with open_archive(server.store, write=False) as store:
        return store.submissions_of(inspection)


def test_filled_and_submitted_offline_then_sent_once(server: Server, tablet: Any, shots: Path) -> None:
    page = sign_in(tablet, server, "auditor.lin")
    todo = _ready(page, server)
    inspection = int(todo[-1].rsplit("/", 1)[1])
    tablet.set_offline(True)
    # The checklist opens with no network (it was kept when the list was opened).
    page.goto(f"{server.url}/inspections/{inspection}")
    assert page.locator("#checklist").get_attribute("data-inspection") == str(inspection)
    values = example_answers("FI-2026-11-03-001")
    values["answer:WKS-05-items-aligned"] = "fail"
    values["comment:WKS-05-items-aligned"] = "離線時記錄"
    fill_checklist(page, values)
    page.wait_for_selector("#sync[data-state=draft]")
    # A reload (or a closed tab) loses nothing: the draft comes back.
    page.reload()
    page.wait_for_selector("#sync[data-state=offline]")
    page.wait_for_selector("input[name='answer:WKS-05-items-aligned'][value=fail]:checked", state="attached")
    assert page.locator("#sync").inner_text() == "離線中：您的作答保存在此裝置上。"
    assert page.locator("textarea[name='comment:WKS-05-items-aligned']").input_value() == "離線時記錄"
    assert page.locator("input[name='obs:minutes_outside_room']").input_value() == "6"
    device_id = page.locator("input[name=submission_id]").input_value()
    # Submitted offline: queued, said plainly, and kept across a reload.
    while page.locator("section.screen.current").get_attribute("id") != "screen-5":
        page.locator("section.screen.current a.next").click()
    page.locator("#checklist button.primary").click()
    page.wait_for_selector("#sync[data-state=queued]")
    assert page.locator("#sync").inner_text() == "1 份稽核等待網路：連線後自動送出。"
    page.screenshot(path=str(shots / "queued-offline.png"))
    page.reload()
    page.wait_for_selector("#sync[data-state=queued]")
    assert _submissions(server, inspection) == []
    # Back online: sent once, and the result shown.
    tablet.set_offline(False)
    page.wait_for_url(f"{server.url}/inspections/{inspection}/result", timeout=30000)
    [submission] = _submissions(server, inspection)
    assert submission.device_id == device_id
    assert submission.record["answers"]["WKS-05-items-aligned"] == {"result": "fail", "comment": "離線時記錄"}
    page.screenshot(path=str(shots / "sent-when-online.png"))
    # The same submission sent again (a retry after a lost answer): still one.
    token = [c["value"] for c in tablet.cookies() if c["name"] == "csrftoken"][0]
    again = tablet.request.post(f"{server.url}/inspections/{inspection}", max_redirects=0, form={
        "csrftoken": token, "submission_id": device_id, "lang": "zh-Hant", **values})
    assert again.status == 303 and again.headers["location"] == f"/inspections/{inspection}/result"
    assert len(_submissions(server, inspection)) == 1
    assert page.evaluate("indexedDB.databases().then(d => d.length)") == 1
    outbox = page.evaluate("""new Promise(r => { const q = indexedDB.open('checkengine-workspace');
        q.onsuccess = () => { const g = q.result.transaction('outbox').objectStore('outbox').count();
        g.onsuccess = () => r(g.result); }; })""")
    assert outbox == 0


def test_a_refused_submission_stays_queued_with_the_servers_message(server: Server, tablet: Any,
                                                                    shots: Path) -> None:
    page = sign_in(tablet, server, "auditor.lin")
    todo = _ready(page, server)
    inspection = int(todo[0].rsplit("/", 1)[1])
    tablet.set_offline(True)
    page.goto(f"{server.url}/inspections/{inspection}")
    values = example_answers("FI-2026-11-03-001")
    values["answer:DRS-03-neat-clothes"] = "fail"  # without the note the rule requires
    fill_checklist(page, values)
    page.locator("#checklist button.primary").click()
    page.wait_for_selector("#sync[data-state=queued]")
    tablet.set_offline(False)
    page.wait_for_selector("#sync[data-state=refused]", timeout=30000)
    assert page.locator("#sync").inner_text().startswith("伺服器未接受：")
    assert "此項目不符合時須填寫說明" in page.locator("#sync").inner_text()
    page.screenshot(path=str(shots / "refused-in-outbox.png"))
    assert _submissions(server, inspection) == []
    page.reload()
    page.wait_for_selector("#sync[data-state=refused]")  # still there, with its message


def test_the_app_shell_with_the_signature_pad_works_offline(server: Server, tablet: Any) -> None:
    """The service worker keeps the whole app shell when it installs - the signing forms' script and
    the vendored signature pad among it - so with no network they load and run as they are."""
    page = sign_in(tablet, server, "auditor.lin")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto(server.url + "/inspections")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    static = Path(__file__).resolve().parents[2] / "checkengine" / "web" / "static"
    shell = ["/static/" + p.relative_to(static).as_posix() for p in sorted(static.rglob("*"))
             if p.is_file() and p.suffix in (".css", ".js", ".png", ".webmanifest") and p.name != "sw.js"]
    assert "/static/vendor/signature_pad.umd.min.js" in shell and "/static/signing.js" in shell
    kept = page.evaluate("paths => caches.open('checkengine-workspace-v1')"
                         ".then(c => Promise.all(paths.map(p => c.match(p).then(Boolean))))", shell)
    assert dict(zip(shell, kept)) == {path: True for path in shell}, "not kept when the worker installed"
    tablet.set_offline(True)
    try:
        pad = page.evaluate("p => fetch(p).then(r => r.text())", "/static/vendor/signature_pad.umd.min.js")
        assert pad == (static / "vendor" / "signature_pad.umd.min.js").read_text("utf-8")  # as vendored
        # loaded by a page with no network, the pad's script runs: SignaturePad is there to start
        page.evaluate("""() => new Promise((ok, ko) => { const s = document.createElement('script');
            s.src = '/static/vendor/signature_pad.umd.min.js'; s.onload = ok; s.onerror = ko;
            document.head.appendChild(s); })""")
        assert page.evaluate("typeof SignaturePad") == "function"
    finally:
        tablet.set_offline(False)
