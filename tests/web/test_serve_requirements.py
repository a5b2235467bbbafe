"""What a rule requires of a failing answer, asked for in the browser and enforced by the server:
a corrective action with an owner and a due date, and the answers to its follow-up questions
(``evidence: {corrective_action: true}``, ``follow_up_questions``). The server here serves a copy of the
bundled rulebooks in which WKS-03 (desk tidy) declares both."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest
from serving import EXAMPLES, Server, example_answers, fill_checklist, open_inspection, sign_in, start_server

from checkengine.archive.store import open_archive

FOLLOW_UP = """        evidence: {comment: true, corrective_action: true}
        follow_up_questions:
          desk_items:
            question: {zh-Hant: "桌上留下什麼？", en: "What was left on the desk?", zh-Hans: "桌上留下什么？"}
            choices:
              papers: {zh-Hant: 客戶資料, en: customer papers, zh-Hans: 客户资料}
              food: {zh-Hant: 食物或飲料, en: food or drink, zh-Hans: 食物或饮料}
"""


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("strict")
    books = folder / "rulebooks"
    shutil.copytree(EXAMPLES.parents[1] / "rulebooks", books)
    text = (books / "cs-floor.yaml").read_text("utf-8")
    start = text.index("- id: WKS-03-desk-tidy")
    at = text.index("        evidence: {comment: true, photo: true}\n", start)
    text = text[:at] + FOLLOW_UP + text[at + len("        evidence: {comment: true, photo: true}\n"):]
    (books / "cs-floor.yaml").write_text(text, "utf-8")
    running = start_server(str(folder / "store.sqlite"), "--rulebooks", str(books), "--logins-per-minute", "1000")
    try:
        yield running
    finally:
        running.stop()


def _post(page: Any) -> None:
    """Send the form as a plain form (no script), and wait for the page the server answers with."""
    with page.expect_navigation():
        page.locator("#checklist").evaluate("f => f.submit()")


def test_a_failure_asks_for_its_corrective_action_and_follow_up(strict: Server, tablet: Any, shots: Path) -> None:
    page = sign_in(tablet, strict, "auditor.lin")
    inspection = open_inspection(page, strict, rulebook_title="Customer-service floor standards")
    page.goto(f"{strict.url}/inspections/{inspection}?lang=en")
    item = page.locator("#item-WKS-03-desk-tidy")
    values = example_answers("FI-2026-11-03-001")
    values["answer:WKS-03-desk-tidy"] = "fail"
    values["comment:WKS-03-desk-tidy"] = "a customer's form left on the desk"
    fill_checklist(page, {k: v for k, v in values.items() if not k.startswith("answer:SEC")})
    # Section 2 (workstation) is where WKS-03 is; its corrective-action fields show once "fail" is chosen.
    for _ in range(3):
        page.locator("section.screen.current a.back").click()
    assert page.locator("section.screen.current").get_attribute("id") == "screen-2"
    assert item.locator(".on-fail").is_visible()
    item.locator("label:has(input[value=pass])").click()
    assert not item.locator(".on-fail").is_visible()
    item.locator("label:has(input[value=fail])").click()
    assert item.locator(".on-fail .question").inner_text() == "What was left on the desk?"
    page.screenshot(path=str(shots / "on-fail.png"))
    # Submitted without them (and without the SEC answers): refused, item by item, nothing lost.
    _post(page)
    assert item.locator("p.error").inner_text() == (
        "A failing answer on this item needs a corrective action with an owner and a due date.")
    assert page.locator("#item-SEC-01-customer-data p.error").inner_text() == (
        "No answer: choose pass, fail, not applicable or not observed.")
    assert item.locator("textarea").input_value() == "a customer's form left on the desk"
    # The action and its owner, but no due date: refused again.
    item.locator("input[name='action:WKS-03-desk-tidy']").fill("shred the form; remind the team")
    item.locator("input[name='owner:WKS-03-desk-tidy']").fill("T1 leader")
    _post(page)
    assert item.locator("p.error").inner_text() == (
        "A failing answer on this item needs a corrective action with an owner and a due date.")
    assert item.locator("input[name='action:WKS-03-desk-tidy']").input_value() == "shred the form; remind the team"
    item.locator("input[name='due:WKS-03-desk-tidy']").fill("2026-12-12")
    _post(page)
    assert item.locator("p.error").inner_text() == "“What was left on the desk?” has no answer; give it, or choose not observed."
    item.locator("label:has(input[name='fu:desk_items'][value=papers])").click()
    while page.locator("section.screen.current").get_attribute("id") != "screen-5":
        page.locator("section.screen.current a.next").click()
    for rule in ("SEC-01-customer-data", "SEC-03-safety-check"):
        page.locator(f"#item-{rule} label:has(input[value=pass])").click()
    _post(page)
    page.wait_for_url(f"{strict.url}/inspections/{inspection}/result")
    with open_archive(strict.store, write=False) as store:
        [submission] = store.submissions_of(inspection)
        refused = [e for e in store.audit_entries() if e["action"] == "submission refused"]
    assert submission.record["corrective_actions"] == [
        {"rule": "WKS-03-desk-tidy", "action": "shred the form; remind the team", "owner": "T1 leader",
         "due": "2026-12-12"}]
    assert submission.record["observations"]["desk_items"] == "papers"
    [outcome] = [o for o in submission.result["records"][0]["outcomes"] if o["rule"] == "WKS-03-desk-tidy"]
    assert outcome["outcome"] == "fail"  # it stands: it carries everything the rule requires
    assert len(refused) == 3
    page.screenshot(path=str(shots / "result.png"))
