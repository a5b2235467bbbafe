"""An auditor's round in a real browser: sign in on a tablet, fill a cs-floor checklist one
section per screen, submit, see each outcome with its explanation - and the result is the
engine's, archived like any evaluated record."""

from __future__ import annotations

import re

from pathlib import Path
from typing import Any

from serving import EXAMPLES, Server, example_answers, fill_checklist, open_inspection, sign_in

from checkengine.api import evaluate_record_data, load_rulebook
from checkengine.archive.store import open_archive

ROOT = EXAMPLES.parents[1]
FLOOR = "Customer-service floor standards"


def _stored(server: Server, inspection: int) -> Any:
    with open_archive(server.store, write=False) as store:
        return store.submissions_of(inspection)


def test_auditor_fills_a_floor_checklist_on_a_tablet(server: Server, tablet: Any, shots: Path) -> None:
    page = sign_in(tablet, server, "auditor.lin")
    page.screenshot(path=str(shots / "1-inspections.png"), full_page=True)
    inspection = open_inspection(page, server, rulebook_title=FLOOR)
    # The rulebook's first language (zh-Hant) unless another is chosen: titles, prompts, questions.
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    assert page.locator("#screen-1 h2").inner_text() == "儀容著裝"
    assert page.locator("#item-DRS-03-neat-clothes .prompt").inner_text() == "衣著是否整潔，無皺、無破損、未挽袖？"
    # The source clause is one tap away.
    clause = page.locator("#item-DRS-01-uniform details.source")
    assert not clause.locator("p").first.is_visible()
    clause.locator("summary").click()
    assert clause.locator("p").first.is_visible()
    # A number shows the rule's limit, the parameter's value as of today.
    assert page.locator(".observation", has_text="本班次單次離開機房最長幾分鐘").locator(".limit").inner_text() == (
        "標準: ≤ 15 minutes")
    page.screenshot(path=str(shots / "2-checklist-first-section.png"))

    values = example_answers("FI-2026-11-03-001")  # a fully compliant round ...
    values["obs:mobile_phone"] = "yes"  # ... but a mobile phone at the desk (CND-04 fails)
    values["answer:DRS-03-neat-clothes"] = "fail"
    values["comment:DRS-03-neat-clothes"] = "袖子挽起"
    values["answer:CND-02-no-loud-talk"] = "not_observed"
    filled = fill_checklist(page, values)
    assert len([f for f in filled if f.startswith("answer:")]) == 17
    page.screenshot(path=str(shots / "3-checklist-last-section.png"))
    page.locator("button[type=submit]", has_text="提交").click()
    page.wait_for_url(f"{server.url}/inspections/{inspection}/result")
    page.screenshot(path=str(shots / "4-result.png"), full_page=True)

    [submission] = _stored(server, inspection)
    outcomes = {o["rule"]: o for o in submission.result["records"][0]["outcomes"]}
    shown = {row.get_attribute("data-rule"): row for row in page.locator("li.outcome").all()}
    from_data = {d["rule"] for d in submission.result["data_rules"]}  # the handover rules: judged from data
    assert set(shown) == set(outcomes) | from_data and from_data and not from_data & set(outcomes)
    for rule, outcome in outcomes.items():
        assert shown[rule].get_attribute("class") == f"outcome {outcome['outcome']}"
        # Said in the page's words, as on the signed form: never CEL or a field name.
        text = shown[rule].locator("p.explanation").inner_text()
        assert text and not re.search(r"observations\.|record\.|has\(|&&", text), (rule, text)
    # "no mobile phone at the desk": observed "yes" against the rule's expected "no", in Chinese.
    assert "觀察值" in shown["CND-04-no-mobile"].locator("p.explanation").inner_text()
    assert outcomes["CND-04-no-mobile"]["outcome"] == "fail"
    assert outcomes["DRS-03-neat-clothes"]["outcome"] == "fail"
    assert "袖子挽起" in shown["DRS-03-neat-clothes"].inner_text()
    # "Not observed" is not "no": the rule is left for a person to review, and says so.
    assert outcomes["CND-02-no-loud-talk"]["outcome"] == "needs_review"
    assert "未觀察到" in shown["CND-02-no-loud-talk"].inner_text()
    assert outcomes["DRS-01-uniform"]["outcome"] == "pass"
    # The stored record, evaluated again by the engine outside the server, gives the same outcomes.
    again = evaluate_record_data(load_rulebook(ROOT / "rulebooks" / "cs-floor.yaml"), submission.record,
                                 lang="zh-Hant", on=None)
    assert {o["rule"]: o["outcome"] for o in again["records"][0]["outcomes"]} == {
        r: o["outcome"] for r, o in outcomes.items()}
    assert submission.record["inspector"]["id"] == "auditor.lin"
    assert submission.record["observations"]["mobile_phone"] is True
    assert "CND-02-no-loud-talk" not in submission.record["answers"]
    # Archived as a run of its own: `report` and `diff --replay` see it like any archived record.
    with open_archive(server.store, write=False) as store:
        archived = store.rows("SELECT record_id, kind, site FROM records WHERE run = ?", (submission.run,))
    assert [tuple(r) for r in archived] == [(f"WS-{inspection}", "floor_inspection", "cc-taipei")]
    # Opening the checklist again shows the result: an inspection is submitted once.
    page.goto(f"{server.url}/inspections/{inspection}")
    assert page.url.endswith(f"/inspections/{inspection}/result")


def test_a_failing_answer_without_its_note_is_refused_and_nothing_is_lost(server: Server, tablet: Any,
                                                                          shots: Path) -> None:
    """DRS-04 declares ``evidence: {comment: true}``: a failure needs a note. The server refuses the
    submission, says which item and why, and every answer given comes back as it was."""
    page = sign_in(tablet, server, "auditor.lin")
    inspection = open_inspection(page, server, rulebook_title=FLOOR)
    page.goto(f"{server.url}/inspections/{inspection}?lang=en")
    values = example_answers("FI-2026-11-03-001")
    values["answer:DRS-04-light-makeup"] = "fail"
    values["obs:minutes_outside_room"] = "6"
    fill_checklist(page, values)
    page.locator("#checklist button.primary").click()  # sent by the page's script (fetch)
    page.wait_for_selector("p#problems")
    assert page.url.endswith(f"/inspections/{inspection}?lang=en")
    assert page.locator("p#problems").inner_text() == (
        "Not submitted: some answers need your attention (nothing you entered was lost).")
    # The section with the problem is on screen, the item marked with the reason.
    problem = page.locator("fieldset.problem")
    assert problem.count() == 1 and problem.get_attribute("id") == "item-DRS-04-light-makeup"
    assert problem.is_visible()
    assert problem.locator("p.error").inner_text() == "A failing answer on this item needs a note saying what was found."
    page.screenshot(path=str(shots / "refused.png"))
    assert page.locator("input[name='answer:DRS-04-light-makeup'][value=fail]").is_checked()
    assert page.locator("input[name='answer:SEC-03-safety-check'][value=pass]").is_checked()
    assert page.locator("input[name='obs:minutes_outside_room']").input_value() == "6"
    assert page.locator("input[name='obs:badge'][value=standard]").is_checked()
    assert _stored(server, inspection) == []
    # With the note it goes through.
    problem.locator("textarea").fill("濃妝")
    page.locator("#screen-1").evaluate("s => s.closest('form').submit()")
    page.wait_for_url(f"{server.url}/inspections/{inspection}/result")
    [submission] = _stored(server, inspection)
    assert submission.record["answers"]["DRS-04-light-makeup"] == {"result": "fail", "comment": "濃妝"}
    assert submission.language == "en"


def test_the_checklist_on_a_phone_in_english(server: Server, phone: Any, shots: Path) -> None:
    page = sign_in(phone, server, "auditor.lin")
    open_inspection(page, server, rulebook_title=FLOOR)
    page.locator("nav.langs a", has_text="en").click()
    page.wait_for_url("**?lang=en")
    page.wait_for_load_state("load")  # the stylesheet applied
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#screen-1 h2").inner_text() == "Dress and grooming"
    # Large touch targets: every answer button is at least 48 CSS pixels high.
    heights = page.locator("#screen-1 .choice span").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert heights and min(heights) >= 48
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots / "phone-checklist.png"), full_page=False)
