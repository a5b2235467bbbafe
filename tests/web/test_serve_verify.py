"""The public verify page: anyone (no sign-in) uploads a signed form and reads ``checkengine
verify``'s verdict against the certificates the server trusts. A form made and signed with the
commands is valid; one byte changed in it makes it invalid, with the reason; what is not a PDF is
told so; the page is rate-limited."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest
from serving import CHECKENGINE, EXAMPLES, ROOT, Server, start_server

PASSWORD = "verify-page-test-password"


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """keys for the inspector and the manager, and a form signed by both (made with the commands)."""
    folder = tmp_path_factory.mktemp("forms")
    env = {**os.environ, "CHECKENGINE_KEY_PASSWORD": PASSWORD}

    def run(*args: Any) -> None:
        done = subprocess.run([str(CHECKENGINE), *map(str, args)], env=env, capture_output=True, text=True, cwd=ROOT)
        assert done.returncode in (0, 1), done.stderr  # audit exits 1 on findings

    for who, name in (("inspector", "林品管"), ("manager", "王主任")):
        run("keys", "new", "--name", name, "-o", folder / who)
    run("audit", "--rulebook", ROOT / "rulebooks" / "cs-floor.yaml", EXAMPLES / "inspections" / "FI-2026-11-03-001.yaml",
        "--lang", "zh-Hant", "-o", folder / "form.pdf", "--sign", folder / "inspector" / "key.p12")
    run("sign", folder / "form.pdf", "--key", folder / "manager" / "key.p12", "-o", folder / "signed.pdf")
    signed = (folder / "signed.pdf").read_bytes()
    at = len(signed) // 3  # inside the signed range
    (folder / "tampered.pdf").write_bytes(signed[:at] + bytes([signed[at] ^ 0x01]) + signed[at + 1:])
    return {"signed": folder / "signed.pdf", "half": folder / "form.pdf", "tampered": folder / "tampered.pdf",
            "inspector": folder / "inspector" / "cert.pem", "manager": folder / "manager" / "cert.pem"}


@pytest.fixture(scope="module")
def trusting(tmp_path_factory: pytest.TempPathFactory, forms: dict[str, Path]) -> Iterator[Server]:
    store = str(tmp_path_factory.mktemp("verify") / "store.sqlite")
    running = start_server(store, "--trust", str(forms["inspector"]), "--trust", str(forms["manager"]))
    try:
        yield running
    finally:
        running.stop()


def _verify(page: Any, server: Server, path: Path | None = None, *, partial: bool = False,
            name: str = "form.pdf", data: bytes | None = None) -> str:
    page.goto(server.url + "/verify")
    chooser = page.locator("input[type=file][name=form]")
    if path is not None:
        chooser.set_input_files(str(path))
    else:
        chooser.set_input_files({"name": name, "mimeType": "application/pdf", "buffer": data or b""})
    if partial:
        page.locator("label:has(input[name=allow_missing_countersignature])").click()
    with page.expect_navigation():
        page.locator("main button.primary").click()
    return str(page.locator("main").inner_text())


@pytest.mark.slow
def test_anyone_verifies_a_signed_form(trusting: Server, phone: Any, forms: dict[str, Path], shots: Path) -> None:
    page = phone.new_page()  # nobody signed in
    text = _verify(page, trusting, forms["signed"])
    assert page.locator("#verdict p.score").inner_text().startswith("VALID")
    assert page.locator("#verdict ul.problems").count() == 0
    assert "林品管" in text and "王主任" in text
    page.screenshot(path=str(shots / "valid.png"), full_page=True)
    # One byte changed inside the signed range: invalid, and why.
    _verify(page, trusting, forms["tampered"])
    assert page.locator("#verdict p.score").inner_text().startswith("INVALID")
    assert page.locator("#verdict ul.problems li").count() >= 1
    page.screenshot(path=str(shots / "tampered.png"), full_page=True)
    # Signed by the inspector only: invalid, unless a missing countersignature is accepted.
    _verify(page, trusting, forms["half"])
    assert page.locator("#verdict p.score").inner_text().startswith("INVALID")
    _verify(page, trusting, forms["half"], partial=True)
    assert page.locator("#verdict p.score").inner_text().startswith("VALID")
    # Not a PDF at all: said so, no verdict.
    _verify(page, trusting, data=b"<svg xmlns='http://www.w3.org/2000/svg'/>", name="form.pdf")
    assert page.locator("#verdict").count() == 0
    assert "PDF" in page.locator("main p.error").inner_text()


def test_verifying_is_rate_limited(trusting: Server, browser: Any) -> None:
    context = browser.new_context()
    try:
        statuses = [context.request.post(trusting.url + "/verify", multipart={
            "form": {"name": "x.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 not really"}}).status
            for _ in range(11)]
    finally:
        context.close()
    # 10 a minute per address (the other test of the module spent some): then refused, and stays so.
    first = statuses.index(429)
    assert set(statuses[:first]) == {200} and set(statuses[first:]) == {429}
