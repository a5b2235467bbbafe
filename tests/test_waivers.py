"""Waivers: applied within scope and dates, reported when expired, linted against the rulebook."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from checkengine.cli import main
from checkengine.records import iter_records
from checkengine.waivers import load_waivers

WAIVERS = """\
checkengine: 1
kind: waivers
waivers:
  - id: W-1
    rule: DRS-01-uniform
    scope: {employee: E002}
    reason: {en: medical dressing, zh-Hant: 醫療敷料, zh-Hans: 医疗敷料}
    approved_by: Chen, Centre director
    granted: "2026-10-01"
    expires: "2026-11-30"
  - id: W-2
    rule: CND-08-outside
    scope: {site: cc-taipei}
    reason: {en: fire drill, zh-Hant: 消防演練, zh-Hans: 消防演练}
    approved_by: Lin, Shift leader
    granted: "2026-10-01"
    expires: "2026-10-31"
"""


@pytest.fixture
def waivers_file(tmp_path: Path) -> Path:
    path = tmp_path / "site.waivers.yaml"
    path.write_text(WAIVERS, "utf-8")
    return path


def _floor(case_book: Any, engine_cases: Path, waivers_file: Path, evaluate: Any, **options: Any) -> dict[str, Any]:
    from checkengine.plugins import default_registry

    records = list(iter_records([engine_cases / "records" / "floor.yaml"], default_registry()))
    return evaluate(case_book, records, waivers=load_waivers(waivers_file), **options)


def test_active_waiver_waives_a_failure_in_scope(case_book: Any, engine_cases: Path, waivers_file: Path,
                                                 evaluate: Any, helpers: Any) -> None:
    result = _floor(case_book, engine_cases, waivers_file, evaluate)
    waived = helpers.outcome_of(result, "DRS-01-uniform", "FI-2")
    assert waived["outcome"] == "waived"
    assert waived["explanation"] == (
        "observations.uniform is no; expected yes; waived until 2026-11-30 (medical dressing; approved by Chen, "
        "Centre director); source: DRS-01 (值班制度 1)")
    assert waived["waiver"]["status"] == "active" and waived["waiver"]["waived_outcome"] == "fail"
    assert waived["waiver"]["id"] == "W-1" and waived["waiver"]["scope"] == {"employee": "E002"}
    # Out of scope (another employee), a passing rule keeps its outcome and shows the waiver as active.
    other = helpers.outcome_of(result, "DRS-01-uniform", "FI-1")
    assert (other["outcome"], other["waiver"]) == ("pass", None)
    assert result["summary"]["waived"] == 1


def test_expired_waiver_is_not_applied_and_is_reported(case_book: Any, engine_cases: Path, waivers_file: Path,
                                                       evaluate: Any, helpers: Any) -> None:
    result = _floor(case_book, engine_cases, waivers_file, evaluate)
    expired = helpers.outcome_of(result, "CND-08-outside", "FI-2")
    assert expired["outcome"] == "fail"
    assert expired["explanation"] == (
        "observations.minutes_outside is 20; allowed ..15; a waiver for this rule expired on 2026-10-31 and no "
        "longer applies; max_minutes_outside = 15 (since 2020-01-01); source: CND-08 (現場規範 7)")
    assert expired["waiver"]["status"] == "expired" and expired["waiver"]["id"] == "W-2"


def test_waiver_applies_on_its_dates_only(case_book: Any, engine_cases: Path, waivers_file: Path,
                                          evaluate: Any, helpers: Any) -> None:
    during = _floor(case_book, engine_cases, waivers_file, evaluate, on=date(2026, 10, 15))
    assert helpers.outcome_of(during, "CND-08-outside", "FI-2")["outcome"] == "waived"
    before = _floor(case_book, engine_cases, waivers_file, evaluate, on=date(2026, 9, 30))
    o = helpers.outcome_of(before, "DRS-01-uniform", "FI-2")
    assert (o["outcome"], o["waiver"]) == ("fail", None)


def test_waiver_explanation_in_chinese(case_book: Any, engine_cases: Path, waivers_file: Path, evaluate: Any,
                                       helpers: Any) -> None:
    result = _floor(case_book, engine_cases, waivers_file, evaluate, lang="zh-Hant")
    waived = helpers.outcome_of(result, "DRS-01-uniform", "FI-2")
    assert waived["explanation"] == (
        "observations.uniform 為 否；應為 是; 已豁免至 2026-11-30（醫療敷料；核准人 Chen, Centre director）; "
        "依據：DRS-01（值班制度 1）")


def test_lint_reports_a_waiver_for_a_missing_rule(tmp_path: Path, engine_cases: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    waivers = tmp_path / "site.waivers.yaml"
    waivers.write_text(WAIVERS.replace("rule: DRS-01-uniform", "rule: DRS-01-uniforms")
                       .replace('expires: "2026-10-31"', 'expires: "2099-12-31"')
                       .replace('expires: "2026-11-30"', 'expires: "2099-12-31"'), "utf-8")
    monkeypatch.chdir(tmp_path)
    code = main(["lint", str(engine_cases / "rulebook.yaml"), "site.waivers.yaml"])
    out = capsys.readouterr().out
    assert code == 1
    assert out == (
        "site.waivers.yaml:5:11: CE302 waivers[0].rule: the waiver names rule 'DRS-01-uniforms', which no linted "
        "rulebook has (did you mean 'DRS-01-uniform'?); name an existing rule id, or remove the waiver\n"
        "2 files checked: 1 errors, 0 warnings\n")
