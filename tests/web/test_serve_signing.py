"""Signing in the browser: each person's PKCS#12 store uploaded once to their profile, its password
asked at each signing (a wrong one signs nothing); the auditor signs the audit form made from the
submission (a failed item with its photo), the site manager countersigns, and the PDF downloaded
from the browser passes ``checkengine verify``. (The review, with drawn signatures: test_serve_review.py.)"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from photo_files import jpeg_with_location
from serving import (
    CHECKENGINE, ROOT, Server, example_answers, fill_checklist, new_keys, open_inspection, sign_in, sign_with, upload_key,
)

from checkengine.archive.store import open_archive

PASSWORD = "signing-test-password"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return new_keys(tmp_path_factory.mktemp("keys"), PASSWORD)


@pytest.mark.slow
def test_sign_countersign_and_verify(server: Server, tablet: Any, browser: Any, keys: dict[str, Path],
                                     shots: Path, tmp_path: Path) -> None:
    page = sign_in(tablet, server, "auditor.lin")
    upload_key(page, server, keys["auditor"], "not the password", opens=False)
    assert page.locator("p.error").count() == 1  # the key store does not open: nothing kept
    upload_key(page, server, keys["auditor"], PASSWORD)
    assert page.locator("#key-on-file").inner_text() == "Your signing key: 林品管."
    page.goto(server.url + "/inspections")
    inspection = open_inspection(page, server, rulebook_title="Customer-service floor standards")
    values = example_answers("FI-2026-11-03-001")
    values["answer:WKS-03-desk-tidy"] = "fail"
    values["comment:WKS-03-desk-tidy"] = "客戶資料留在桌上"
    fill_checklist(page, values)
    page.locator("#item-WKS-03-desk-tidy input[type=file]").set_input_files(
        [{"name": "desk.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_location(400, 300)}])
    page.locator("#checklist button.primary").click()
    page.wait_for_url(f"{server.url}/inspections/{inspection}/result")
    # A wrong password signs nothing, and says why.
    sign_with(page, "wrong password")
    assert page.locator("#signatures p.error").count() == 1
    with open_archive(server.store, write=False) as store:
        assert store.signed_forms(inspection) == {}
    sign_with(page, PASSWORD)
    assert "林品管" in page.locator("#signatures").inner_text()
    assert page.locator("form.sign").count() == 0  # signed once
    # The site manager countersigns with their own key.
    other = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        manager = sign_in(other, server, "manager.wang")
        upload_key(manager, server, keys["manager"], PASSWORD)
        manager.goto(f"{server.url}/inspections/{inspection}/result")
        sign_with(manager, PASSWORD, "form.accept")  # accepting the signed submission countersigns it
        assert "王主任" in manager.locator("#signatures").inner_text()
        manager.locator("#signatures").screenshot(path=str(shots / "countersigned.png"))
        with manager.expect_download() as download:
            manager.locator("#download").click()
        pdf = tmp_path / "downloaded.pdf"
        download.value.save_as(pdf)
    finally:
        other.close()
    assert pdf.read_bytes().startswith(b"%PDF-")
    (shots / "signed-form.pdf").write_bytes(pdf.read_bytes())
    # The failed item's photo is on the form (pdfimages lists the images the pages draw).
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert any(line.split()[3:5] == ["400", "300"] for line in images.splitlines()[2:]), images
    verified = subprocess.run([str(CHECKENGINE), "verify", str(pdf), "--trust-inspector", str(keys["auditor"] / "cert.pem"),
                               "--trust-manager", str(keys["manager"] / "cert.pem")],
                              capture_output=True, text=True, cwd=ROOT)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "VALID" in verified.stdout
    with open_archive(server.store, write=False) as store:
        actions = [e["action"] for e in store.audit_entries()]
    assert "form signed (inspector)" in actions and "form signed (manager)" in actions
