"""The interactive report in a real browser: Chromium (Debian's) driven by Playwright opens the
one-file page offline, a filter changes the table and the charts, a click drills down to the
records. Screenshots of each language are kept as test artefacts."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from checkengine.pdf.labels import forms_dir
from checkengine.report.build import Scope, from_archive
from checkengine.report.interactive import VENDOR, render_interactive
from checkengine.report.model import ReportData
from checkengine.report.period import parse_period

from conftest import REGION_SITES  # noqa: E402  (this folder's conftest, on sys.path)

LANGS = ("en", "zh-Hant", "zh-Hans", "ko", "es")

def artefacts() -> Path:
    """Where the screenshots and page renders are kept (``$CHECKENGINE_ARTEFACTS``, else build/artefacts)."""
    root = Path(os.environ.get("CHECKENGINE_ARTEFACTS") or Path(__file__).resolve().parents[2] / "build" / "artefacts")
    folder = root / "report"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def data(region: str, lang: str) -> ReportData:
    return from_archive(region, Scope("cc-taipei", None, parse_period("2026-11"), lang, REGION_SITES[1:], drill=True))


def open_page(browser: Any, path: Path, requests: list[str]) -> Any:
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    page.on("request", lambda request: requests.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready=yes]", timeout=20000)
    assert errors == []
    return page


def rows(page: Any, table: str) -> list[list[str]]:
    return [[cell.strip() for cell in row] for row in page.eval_on_selector_all(
        f"#{table} tbody tr", "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent))")]


def svg(page: Any, chart: str) -> str:
    return str(page.inner_html(f"#{chart} svg"))


def test_the_page_stands_alone_and_is_escaped(region: str) -> None:
    html = render_interactive(data(region, "en"), "en")
    for name in VENDOR:  # the vendored builds can be inlined as they are
        assert "</script" not in (forms_dir() / "report" / "vendor" / name).read_text("utf-8").lower()
    assert not re.search(r"<script[^>]+src=|<link|<iframe", html)
    payload = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.DOTALL)
    assert payload and "<" not in payload.group(1)  # tojson escapes every <, so no value can close the element


@pytest.mark.slow
def test_filters_and_drill_down_in_chromium(region: str, browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(render_interactive(data(region, "en"), "en"), "utf-8")
    requests: list[str] = []
    page = open_page(browser, path, requests)
    # November at cc-taipei: every rule's records, the counts apart
    everything = rows(page, "records")
    assert {r[2] for r in everything} == {"cc-taipei"}
    assert len(everything) == 9  # 2 floor inspections x 3 rules, and 3 queue-days of call loss
    counts = page.inner_text("#counts")
    assert "75.0%" in counts and "Not applicable\n1" in counts
    # August has data, September none, October and November some: two pieces of line, not one
    # drawn across September (vega draws one path per piece)
    assert page.eval_on_selector_all("#chart-trend .mark-line path", "paths => paths.length") == 2
    trend_before, bars_before = svg(page, "chart-trend"), svg(page, "chart-rules")
    # A rule chosen in the filter: the records are that rule's, the trend is that rule's
    page.select_option("#f-rule", "DRS-01-uniform")
    page.wait_for_selector("body[data-ready=yes]")
    picked = rows(page, "records")
    assert picked and {r[5] for r in picked} == {"DRS-01-uniform"}
    assert [r[1] for r in picked if r[6] == "fail"] == ["FL-NOV-1"]
    assert "50.0%" in page.inner_text("#counts")
    assert svg(page, "chart-trend") != trend_before and svg(page, "chart-rules") != bars_before
    assert page.get_attribute("#rules-table tr.picked", "data-rule") == "DRS-01-uniform"
    # Another site of the region, every period: its records only
    page.select_option("#f-rule", "")
    page.select_option("#f-site", "cc-kaohsiung")
    page.select_option("#f-period", "")
    page.wait_for_selector("body[data-ready=yes]")
    assert {r[2] for r in rows(page, "records")} == {"cc-kaohsiung"}
    # A click on a rule's row drills down to its records
    page.select_option("#f-site", "cc-taipei")
    page.click("#rules-table tr[data-rule='QAM-04-call-loss']")
    page.wait_for_selector("body[data-ready=yes]")
    assert sorted(r[1] for r in rows(page, "records")) == [
        "[period=2026-11-03 queue=main]", "[period=2026-11-03 queue=vip]", "[period=2026-11-04 queue=night]"]
    assert [u for u in requests if not u.startswith("file:")] == []  # nothing fetched: it works offline
    page.close()


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_screenshots(region: str, browser: Any, lang: str) -> None:
    """Each language's page, as a screenshot kept for a person to look at; its labels are the
    language's own (no English on a Chinese page)."""
    path = artefacts() / f"interactive-{lang}.html"
    path.write_text(render_interactive(data(region, lang), lang), "utf-8")
    page = open_page(browser, path, [])
    page.screenshot(path=str(artefacts() / f"interactive-{lang}.png"), full_page=True)
    text = page.inner_text("body")
    if lang != "en":
        for english in ("Pass rate", "Failed", "Not applicable", "Records", "all"):
            assert not re.search(rf"\b{english}\b", text), english
    page.close()
