"""Lint reporters: text, json, and SARIF / JUnit validated against the official schemas."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import xmlschema

from checkengine import __version__
from checkengine.cli import main
from checkengine.findings import CODES

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
CASES = Path(__file__).resolve().parents[1] / "cases" / "lint"

# RFC 3986: a URI reference is made of these characters, with % only before two hex digits.
_URI_CHARS = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _format_checker() -> jsonschema.FormatChecker:
    """Draft 7 format checks, with uri and uri-reference checked here (jsonschema skips them
    unless an optional package is installed)."""
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    checker = jsonschema.FormatChecker(formats=checker.checkers)
    checker.checks("uri")(lambda v: not isinstance(v, str) or bool(_URI_CHARS.match(v) and _SCHEME.match(v)))
    checker.checks("uri-reference")(lambda v: not isinstance(v, str) or bool(_URI_CHARS.match(v)))
    return checker


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft7Validator:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=_format_checker())


@pytest.fixture(scope="module")
def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd"))


@pytest.fixture
def findings_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with an unusable file, a file with findings, a clean file and a waivers file."""
    for case, names in (("invalid/unknown-clause", {"rulebook.yaml": "floor rules.yaml"}),
                        ("invalid/duplicate-keys", {"rulebook.yaml": "dup.yaml"}),
                        ("invalid/expired-waiver", {"floor.waivers.yaml": "floor.waivers.yaml"}),
                        ("valid/basic", {"rulebook.yaml": "clean.yaml"})):
        for src, dst in names.items():
            shutil.copy(CASES / case / src, tmp_path / "books" / dst if (tmp_path / "books").exists()
                        else _mkdir(tmp_path / "books") / dst)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["lint", *args])
    return code, capsys.readouterr().out


def test_sarif_validates_and_carries_every_part(findings_folder: Path, capsys: pytest.CaptureFixture[str],
                                                sarif_validator: jsonschema.Draft7Validator) -> None:
    code, out = _run(["--format", "sarif", "books"], capsys)
    log = json.loads(out)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in sarif_validator.iter_errors(log)]
    assert errors == []
    assert code == 2  # dup.yaml is unusable
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("checkengine", __version__)
    assert [r["id"] for r in driver["rules"]] == list(CODES)
    ce207 = driver["rules"][list(CODES).index("CE207")]
    assert ce207["shortDescription"]["text"] == CODES["CE207"]
    assert "helpUri" not in ce207  # no published docs unless CHECKENGINE_DOCS_URL names them
    assert ce207["help"]["text"].endswith("See docs/lint.md#ce207 in checkengine for an example and the fix.")
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == findings_folder.as_uri() + "/"
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert sorted(by_rule) == ["CE100", "CE207", "CE301"]
    cite = by_rule["CE207"]
    assert cite["level"] == "error"
    assert cite["message"]["text"].startswith("cites clause 'DRS-10', which is not in the sources catalogue")
    location = cite["locations"][0]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "books/floor%20rules.yaml", "uriBaseId": "SRCROOT"},
        "region": {"startLine": 25, "startColumn": 26},
    }
    assert location["logicalLocations"] == [{"fullyQualifiedName": "sections[0].rules[0].source[1]",
                                             "kind": "member"}]
    assert cite["properties"] == {"path": "sections[0].rules[0].source[1]"}
    assert driver["rules"][cite["ruleIndex"]]["id"] == "CE207"


def test_sarif_links_published_docs(findings_folder: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHECKENGINE_DOCS_URL", "https://docs.example.org/checkengine/")
    _, out = _run(["--format", "sarif", "books"], capsys)
    rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    assert rules[list(CODES).index("CE207")]["helpUri"] == "https://docs.example.org/checkengine/lint.md#ce207"


def test_the_sarif_check_rejects_an_invalid_log(sarif_validator: jsonschema.Draft7Validator) -> None:
    """The validator is not a formality: broken logs fail it."""
    bad_uri = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "rules": [
        {"id": "CE100", "helpUri": "docs/lint.md#ce100"}]}}, "results": []}]}
    no_message = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "CE100"}]}]}
    assert not sarif_validator.is_valid(bad_uri)
    assert not sarif_validator.is_valid(no_message)
    assert not sarif_validator.is_valid({"version": "2.0.0", "runs": []})


def test_sarif_of_a_clean_run_has_no_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str],
                                             sarif_validator: jsonschema.Draft7Validator) -> None:
    shutil.copy(CASES / "valid/basic/rulebook.yaml", tmp_path / "rulebook.yaml")
    monkeypatch.chdir(tmp_path)
    code, out = _run(["-f", "sarif", "rulebook.yaml"], capsys)
    log = json.loads(out)
    assert sarif_validator.is_valid(log)
    assert (code, log["runs"][0]["results"], log["runs"][0]["invocations"][0]["exitCode"]) == (0, [], 0)


def test_junit_validates_against_the_ant_schema(findings_folder: Path, capsys: pytest.CaptureFixture[str],
                                                junit_schema: xmlschema.XMLSchema) -> None:
    code, out = _run(["--format", "junit", "books"], capsys)
    junit_schema.validate(out)
    root = ET.fromstring(out)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert sorted(suites) == ["books/clean.yaml", "books/dup.yaml", "books/floor rules.yaml",
                              "books/floor.waivers.yaml"]
    assert [s.get("id") for s in root.findall("testsuite")] == ["0", "1", "2", "3"]
    counts = {name: (s.get("tests"), s.get("failures"), s.get("errors")) for name, s in suites.items()}
    assert counts == {"books/clean.yaml": ("1", "0", "0"), "books/dup.yaml": ("1", "0", "1"),
                      "books/floor rules.yaml": ("1", "1", "0"), "books/floor.waivers.yaml": ("1", "1", "0")}
    failure = suites["books/floor rules.yaml"].find("testcase/failure")
    assert failure is not None and failure.get("type") == "CE207"
    assert failure.text is not None and failure.text.startswith("books/floor rules.yaml:25:26: CE207 ")
    assert code == 2


def test_the_junit_check_rejects_an_invalid_report(junit_schema: xmlschema.XMLSchema) -> None:
    assert not junit_schema.is_valid('<testsuites name="x"/>')
    assert not junit_schema.is_valid(
        '<testsuites><testsuite package="p" id="0" name="n" timestamp="2026-01-01T00:00:00" '
        'hostname="h" tests="1" failures="0" errors="0" time="0"><properties/>'
        '<testcase name="t" classname="c" time="0" file="f"/><system-out/><system-err/></testsuite></testsuites>'
    )


def test_json_format(findings_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(["-f", "json", "books/floor rules.yaml"], capsys)
    report: dict[str, Any] = json.loads(out)
    assert (code, report["schema"], report["exit_code"], report["files"]) == (
        1, "checkengine/lint/1", 1, ["books/floor rules.yaml"])
    assert [(f["code"], f["line"], f["column"], f["path"]) for f in report["findings"]] == [
        ("CE207", 25, 26, "sections[0].rules[0].source[1]")]


def test_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["lint", "-f", "xml", "."])
    assert code == 2
    assert capsys.readouterr().err == "checkengine: error: unknown format 'xml'; choose one of: github, json, junit, sarif, text\n"


def test_output_file(findings_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["lint", "-f", "sarif", "-o", "lint.sarif", "books/clean.yaml"])
    assert code == 0
    assert capsys.readouterr().out == ""
    assert json.loads((findings_folder / "lint.sarif").read_text())["version"] == "2.1.0"


def test_github_annotations_on_the_findings_lines(findings_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(["--format", "github", "books/floor rules.yaml"], capsys)
    assert code == 1
    assert out.splitlines() == [
        "::error file=books/floor rules.yaml,line=25,col=26,title=CE207::sections[0].rules[0].source[1]: cites "
        "clause 'DRS-10', which is not in the sources catalogue (did you mean 'DRS-01'?); cite a catalogued "
        "clause, or add the clause to the sources catalogue",
        "1 files checked: 1 errors, 0 warnings",
    ]


def test_github_annotation_escapes_what_the_runner_reads() -> None:
    from checkengine.errors import Location
    from checkengine.lint.github import annotation

    assert annotation("warning", "50% done\nnext", Location("a,b:c.yaml", 3), title="T:1") == (
        "::warning file=a%2Cb%3Ac.yaml,line=3,title=T%3A1::50%25 done%0Anext")
