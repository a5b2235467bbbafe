"""``checkengine test``: rulebook unit tests with expected outcomes, refusals and rule coverage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from checkengine.cli import main

FLOOR = {"kind": "floor_inspection", "timestamp": "2026-11-03T09:15:00+08:00",
         "observations": {"uniform": True, "minutes_outside": 3, "calls": 100, "errors": 1, "escalations_logged": True}}


def _suite(tmp_path: Path, engine_cases: Path, tests: list[dict[str, Any]], name: str = "floor.tests.yaml") -> Path:
    path = tmp_path / name
    data = {"checkengine": 1, "kind": "tests", "rulebook": str(engine_cases / "rulebook.yaml"),
            "defaults": {"site": {"id": "cc-taipei", "country": "TW"}}, "tests": tests}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def _floor(record_id: str, **observations: Any) -> dict[str, Any]:
    return {**FLOOR, "id": record_id, "observations": {**FLOOR["observations"], **observations}}


PASSING = [
    {"name": "uniform worn", "record": _floor("T-1"),
     "expect": {"DRS-01-uniform": "pass", "CND-08-outside": "pass", "SWP-02-max-swaps": "absent"}},
    {"name": "no uniform, 16 minutes out", "record": _floor("T-2", uniform=False, minutes_outside=16),
     "expect": {"DRS-01-uniform": "fail", "CND-08-outside": "fail"}},
    {"name": "division by zero is an error", "record": _floor("T-3", calls=0),
     "expect": {"QAM-09-error-rate": "error"}},
    {"name": "third swap", "records": [
        {"kind": "shift_swap", "id": f"S-{i}", "timestamp": "2026-11-01T09:00:00+08:00",
         "data": {"requester": "E1", "counterpart": "E2", "shift_date": f"2026-11-{3 + 4 * i:02d}"}}
        for i in range(3)], "expect": {"SWP-02-max-swaps": "fail"}},
    {"name": "a Korean transcript is refused",
     "record": {"kind": "transcript", "id": "T-ko", "timestamp": "2026-11-03T09:15:00+08:00",
                "data": {"language": "ko", "turns": [{"speaker": "agent", "text": "안녕하세요"}]}},
     "expect_error": "the transcript is in 'ko'"},
]


def test_passing_suite(tmp_path: Path, engine_cases: Path, capsys: pytest.CaptureFixture[str]) -> None:
    suite = _suite(tmp_path, engine_cases, PASSING)
    assert main(["test", str(suite)]) == 0
    assert capsys.readouterr().out == "5 passed, 0 failed\n"


def test_failing_case_says_what_it_got(tmp_path: Path, engine_cases: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    wrong = [{"name": "expects a pass", "record": _floor("T-9", uniform=False), "expect": {"DRS-01-uniform": "pass"}},
             {"name": "expects a refusal", "record": _floor("T-10"), "expect_error": "no time zone"}]
    _suite(tmp_path, engine_cases, PASSING[:1] + wrong)
    assert main(["test", "floor.tests.yaml"]) == 1
    assert capsys.readouterr().out == (
        "floor.tests.yaml:24:3: tests[1]: FAILED expects a pass\n"
        "    DRS-01-uniform: expected pass, got fail (observations.uniform is no; expected yes; source: DRS-01 "
        "(值班制度 1))\n"
        "floor.tests.yaml:37:3: tests[2]: FAILED expects a refusal\n"
        "    expected the record to be refused with 'no time zone', got: no error\n"
        "1 passed, 2 failed\n")


def test_coverage(tmp_path: Path, engine_cases: Path, capsys: pytest.CaptureFixture[str]) -> None:
    suite = _suite(tmp_path, engine_cases, PASSING)
    assert main(["test", "--coverage", str(suite)]) == 0
    lines = capsys.readouterr().out.splitlines()
    # DRS-01 and CND-08 have a passing and a failing case; the other 13 rules lack one or both.
    assert lines[-2] == "coverage: 13.3% of 15 rules have a passing and a failing case"
    assert any(line.endswith(": SWP-02-max-swaps: no pass case") for line in lines)
    assert any(line.endswith(": PHR-02-greeting: no pass and fail case") for line in lines)
    assert main(["test", "--min-coverage", "50", str(suite)]) == 1
    assert capsys.readouterr().err == "coverage 13.3% is below --min-coverage 50%\n"


def test_json_format(tmp_path: Path, engine_cases: Path, capsys: pytest.CaptureFixture[str]) -> None:
    suite = _suite(tmp_path, engine_cases, PASSING)
    assert main(["test", "-f", "json", str(suite)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["schema"] == "checkengine/tests/1"
    assert [(c["name"], c["passed"]) for c in report["cases"]] == [(t["name"], True) for t in PASSING]
    assert report["coverage"]["percent"] == 13.33


def test_no_tests_found(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.yaml").write_text("just: notes\n", "utf-8")
    assert main(["test", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"checkengine: error: no rulebook tests (files with kind: tests) found in {tmp_path}\n")


WRONG = [{"name": "expects a pass", "record": _floor("T-9", uniform=False), "expect": {"DRS-01-uniform": "pass"}},
         {"name": "expects a refusal", "record": _floor("T-10"), "expect_error": "no time zone"}]


def _rule_line(engine_cases: Path, rule_id: str) -> int:
    lines = (engine_cases / "rulebook.yaml").read_text("utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.strip() == f"- id: {rule_id}")


def test_github_annotates_the_failing_rules_line(tmp_path: Path, engine_cases: Path,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _suite(tmp_path, engine_cases, PASSING[:1] + WRONG)
    assert main(["test", "-f", "github", "floor.tests.yaml"]) == 1
    lines = capsys.readouterr().out.splitlines()
    book = str(engine_cases / "rulebook.yaml").replace(":", "%3A").replace(",", "%2C")
    line = _rule_line(engine_cases, "DRS-01-uniform")
    assert lines[0].startswith(f"::error file={book},line={line},col=")
    assert lines[0].endswith(",title=checkengine test CE402::test 'expects a pass' (floor.tests.yaml:24): "
                             "DRS-01-uniform: expected pass, got fail (observations.uniform is no; expected yes; "
                             "source: DRS-01 (值班制度 1))")
    # No rule is to blame for a refusal that did not happen: the annotation is on the test case.
    assert lines[1] == ("::error file=floor.tests.yaml,line=37,col=3,title=checkengine test CE402::test "
                        "'expects a refusal': expected the record to be refused with 'no time zone', got: no error")
    assert lines[2] == "1 passed, 2 failed"


def test_junit_validates_against_the_ant_schema(tmp_path: Path, engine_cases: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    import xmlschema

    suite = _suite(tmp_path, engine_cases, PASSING + WRONG)
    out = tmp_path / "tests.xml"
    assert main(["test", "-f", "junit", "-o", str(out), str(suite)]) == 1
    assert capsys.readouterr().err == f"checkengine: 2 of 7 rulebook tests failed (details in {out})\n"
    schema = xmlschema.XMLSchema(str(Path(__file__).resolve().parents[1] / "schemas" / "junit.xsd"))
    schema.validate(str(out))
    doc = schema.to_dict(str(out))
    [node] = doc["testsuite"]
    assert (node["@tests"], node["@failures"]) == (7, 2)
    failed = [c for c in node["testcase"] if "failure" in c]
    assert [c["@name"] for c in failed] == ["expects a pass", "expects a refusal"]


def test_sarif_validates_and_points_at_the_rule(tmp_path: Path, engine_cases: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    import jsonschema

    suite = _suite(tmp_path, engine_cases, PASSING + WRONG)
    assert main(["test", "-f", "sarif", "--coverage", str(suite)]) == 1
    log = json.loads(capsys.readouterr().out)
    schema = json.loads((Path(__file__).resolve().parents[1] / "schemas" / "sarif-schema-2.1.0.json").read_text("utf-8"))
    assert [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(log)] == []
    results = log["runs"][0]["results"]
    errors = [r for r in results if r["level"] == "error"]
    assert [r["ruleId"] for r in errors] == ["CE402", "CE402"]
    region = errors[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == _rule_line(engine_cases, "DRS-01-uniform")
    # --coverage adds a warning on each rule that lacks a passing or a failing case.
    assert sum(1 for r in results if r["level"] == "warning") == 13
