"""A note with HTML and a script in it, through the real server: it comes back as text on the result
page (no element made of it, no script run) and on the signed audit form, where the PDF's text holds
the literal characters - WeasyPrint was given them escaped, not as markup to lay out."""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from serving import CHECKENGINE, Server, example_answers, fill_checklist, open_inspection, sign_in

FLOOR = "Customer-service floor standards"
HOSTILE = '<script>window.__pwned = 1</script><b>bold</b> & <img src=x onerror="window.__pwned = 2">'
PASSWORD = "escaping-test-password"


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.slow
def test_a_hostile_note_is_text_on_the_page_and_in_the_signed_pdf(server: Server, tablet: Any, tmp_path: Path,
                                                                  shots: Path) -> None:
    from pypdf import PdfReader

    done = subprocess.run([str(CHECKENGINE), "keys", "new", "--name", "林品管", "-o", str(tmp_path / "key")],
                          env={**os.environ, "CHECKENGINE_KEY_PASSWORD": PASSWORD}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    page = sign_in(tablet, server, "auditor.lin")
    pwned: list[str] = []
    page.on("dialog", lambda d: (pwned.append(d.message), d.dismiss()))
    page.goto(server.url + "/profile")
    page.locator("input[name=p12]").set_input_files(str(tmp_path / "key" / "key.p12"))
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main button.primary").click()
    page.goto(server.url + "/inspections")
    inspection = open_inspection(page, server, rulebook_title=FLOOR)
    page.goto(f"{server.url}/inspections/{inspection}?lang=en")
    values = example_answers("FI-2026-11-03-001")
    values["answer:WKS-05-items-aligned"] = "fail"
    values["comment:WKS-05-items-aligned"] = HOSTILE
    fill_checklist(page, values)
    page.locator("#checklist").evaluate("f => f.submit()")
    page.wait_for_url(f"{server.url}/inspections/{inspection}/result")
    # The page: the note is text, no element was made of it.
    note = page.locator("li.outcome[data-rule=WKS-05-items-aligned] p.comment")
    assert note.inner_text().endswith(HOSTILE)
    assert note.locator("script, b, img").count() == 0
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img" in page.content()
    # The signed form: its text holds the literal characters, once, neither laid out nor escaped twice.
    page.locator("form.sign input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form.sign button[type=submit]").click()
    href = page.locator("#download").get_attribute("href")
    response = page.request.get(server.url + href)
    assert response.status == 200 and response.body().startswith(b"%PDF-")
    (shots / "hostile-note.pdf").write_bytes(response.body())
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(response.body())).pages)
    assert _squeezed(HOSTILE) in _squeezed(text)
    assert "&lt;" not in text and "&amp;" not in text
    assert page.evaluate("window.__pwned") is None and pwned == []
