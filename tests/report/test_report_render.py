"""The report's HTML and PDF: five languages, inline charts, escaping, and nothing fetched."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timezone

import pytest

from checkengine.archive.store import open_archive
from checkengine.errors import UserError
from checkengine.report.data import ReportReader
from checkengine.report.model import (
    Action, Counts, CoverageRow, LossDay, ReportData, RuleStat, SectionStat, TrendPoint,
)
from checkengine.report.period import parse_period
from checkengine.report.render import render_html, render_pdf

WHEN = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)
TITLES = {"en": "Monthly compliance report", "zh-Hant": "每月合規報告", "zh-Hans": "每月合规报告",
          "ko": "월간 준수 보고서", "es": "Informe mensual de cumplimiento"}
MONTHS = {"en": "Nov 2026", "zh-Hant": "2026年11月", "zh-Hans": "2026年11月", "ko": "2026년 11월", "es": "nov 2026"}
RATES = {"en": "76.3%", "zh-Hant": "76.3%", "zh-Hans": "76.3%", "ko": "76.3%", "es": "76,3%"}


def report(archive: str, lang: str) -> str:
    with open_archive(archive, write=False) as opened:
        data = ReportReader(opened, site="cc-taipei", team=None, lang=lang).read(parse_period("2026-11"))
    data.overall = Counts(passed=763, failed=237)  # a round rate, to compare its formatting
    return render_html(data, lang, generated=WHEN)


@pytest.mark.parametrize("lang", list(TITLES))
def test_languages(archive: str, lang: str) -> None:
    html = report(archive, lang)
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{TITLES[lang]}</h1>" in html
    assert MONTHS[lang] in html
    assert f'<div class="value">{RATES[lang]}</div>' in html  # the headline figure
    assert html.count("<svg") == 3  # trend, coverage, call loss


def test_self_contained(archive: str) -> None:
    html = report(archive, "en")
    assert not re.search(r"<link|<img|<script|<iframe|src=|url\((?!#)|@import", html)  # url(#clip): in the SVG
    # The only URLs are the SVG namespaces, which are names, never fetched.
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) <= {"http://www.w3.org/2000/svg",
                                                              "http://www.w3.org/1999/xlink"}
    assert report(archive, "en") == html  # charts carry no dates or random ids


def synthetic(site: str, title: str) -> ReportData:
    period = parse_period("2026-11")
    counts = Counts(passed=3, failed=1)
    return ReportData(
        site=site, team=None, period=period, books=[{"id": "b", "version": "1", "digest": "sha256:00"}], records=4,
        overall=counts, sections=[SectionStat("b", "s", title, counts)], rules=[RuleStat("b", "R-1", "s", title, "major", counts)],
        worst=[RuleStat("b", "R-1", "s", title, "major", counts)],
        trend=[TrendPoint(p, counts if p == period else Counts(), {"s": counts} if p == period else {})
               for p in period.trend()],
        coverage=[CoverageRow("E1", "T1", 1, 3, "fail", "QAM-01")],
        call_loss=[LossDay(date(2026, 11, 3), 6.0, 5.0, 100, 6, "fail", ["main"])],
        actions=[Action("b", "R-1", title, "major", None, 1, ["X-1"], ["E1"], "2026-11-03", "2026-11-03")],
    )


def test_values_are_escaped() -> None:
    evil = '<img src="file:///etc/passwd"><script>alert(1)</script>'
    html = render_html(synthetic(evil, evil), "en", generated=WHEN)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;&lt;script&gt;" in html
    assert "Restore compliance: &lt;img" in html  # no corrective action given: the default one


@pytest.mark.slow
def test_pdf(archive: str, caplog: pytest.LogCaptureFixture) -> None:
    from pypdf import PdfReader

    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf = render_pdf(report(archive, "zh-Hant"), "zh-Hant")
    assert [r.getMessage() for r in caplog.records] == []  # no CSS or SVG WeasyPrint could not use
    assert pdf.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "每月合規報告" in text and "各業務代表監聽次數" in text


@pytest.mark.parametrize(("url", "why"), [
    ("http://example.com/logo.png", "is not a file in the forms folder or the record's folder"),
    ("file:///etc/passwd", "is outside the forms folder and the record's folder"),
])
def test_nothing_is_fetched_from_outside(url: str, why: str) -> None:
    with pytest.raises(UserError) as caught:
        render_pdf(f'<html><body><img src="{url}"></body></html>', "en")
    assert str(caught.value) == f"the form refers to '{url}', which {why}; refused"


def test_no_id_is_defined_twice(archive: str) -> None:
    """Three charts in one page: their element and glyph ids must not collide (HTML and PDF
    anchors are document-wide)."""
    html = report(archive, "zh-Hans")
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert ids and len(ids) == len(set(ids))
    targets = set(re.findall(r'(?:href="#|url\(#)([^")]+)', html))
    assert targets and targets <= set(ids)


@pytest.mark.slow
@pytest.mark.parametrize("lang", list(TITLES))
def test_pdf_pages_as_images(region: str, lang: str) -> None:
    """Each language's PDF, every page as a PNG kept for a person to look at (pdftoppm), with the
    language's own face embedded: Chinese and Korean drawn with Noto Sans CJK, not as empty boxes."""
    import shutil
    import subprocess

    from pypdf import PdfReader

    from checkengine.report.build import Scope, from_archive
    from test_report_interactive import artefacts

    data = from_archive(region, Scope("cc-taipei", None, parse_period("2026-11"), lang, ("cc-kaohsiung",)))
    pdf = render_pdf(render_html(data, lang, generated=WHEN), lang)
    folder = artefacts()
    path = folder / f"report-{lang}.pdf"
    path.write_bytes(pdf)
    for old in folder.glob(f"report-{lang}-*.png"):
        old.unlink()
    subprocess.run([shutil.which("pdftoppm") or "pdftoppm", "-png", "-r", "70", str(path), str(folder / f"report-{lang}")],
                   check=True)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert len(list(folder.glob(f"report-{lang}-*.png"))) == pages >= 2
    first = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert TITLES[lang] in first  # the headline page opens the report
    if lang != "en":  # one language per page: the footer too ("2 / 3 페이지", never "page 2 / 3 페이지")
        assert not re.search(r"\b(page|of)\b", first), first
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    if lang in ("zh-Hant", "zh-Hans", "ko"):
        assert re.search(r"\+Noto-?Sans-?CJK", fonts), fonts  # embedded (subset): the glyphs are there
