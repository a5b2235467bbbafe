"""A submission through the real server: the record is evaluated through the pipeline, and the
rulebook's data rules that the store has no data for are shown as needing review, with the reason
(never a silent pass)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from serving import Server, example_answers, fill_checklist, open_inspection, sign_in

from checkengine.archive.store import open_archive

FLOOR = "Customer-service floor standards"


def test_data_rules_without_data_need_review_on_the_result(server: Server, tablet: Any) -> None:
    page = sign_in(tablet, server, "auditor.lin")
    inspection = open_inspection(page, server, rulebook_title=FLOOR)
    page.goto(f"{server.url}/inspections/{inspection}?lang=en")
    fill_checklist(page, example_answers("FI-2026-11-03-001"))
    page.locator("#checklist").evaluate("f => f.submit()")
    page.wait_for_url(f"{server.url}/inspections/{inspection}/result")
    month = datetime.now(ZoneInfo("Asia/Taipei")).strftime("%Y-%m")  # the visit is now, on the site's clock
    row = page.locator("li.outcome[data-rule=HND-01-on-post-early]")
    assert row.locator(".badge").inner_text() == "Needs review"
    assert row.locator("em.from-data").inner_text() == "(judged from the data in the store)"
    assert row.locator("p.explanation").inner_text() == (
        f"no attendance records of cc-taipei for {month} in the store: this rule is judged from data, not on the "
        "visit; archive the data (checkengine archive add) and judge it then")
    with open_archive(server.store, write=False) as store:
        [submission] = store.submissions_of(inspection)
    judged = {d["rule"]: d["outcome"] for d in submission.result["data_rules"]}
    assert judged == {"HND-01-on-post-early": "needs_review", "HND-02-no-leaving-before-relief": "needs_review",
                      "HND-03-log-complete": "needs_review", "HND-04-brief-handover": "needs_review"}
    # The visit's own outcomes are the engine's, of the record alone (what verify re-evaluates).
    assert {o["rule"] for o in submission.result["records"][0]["outcomes"]}.isdisjoint(judged)
