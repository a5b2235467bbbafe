"""``checkengine explain``: an overlay merged with its parent, and restricted to a date with --on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from checkengine.cli import main

CASE = Path(__file__).resolve().parents[1] / "cases" / "explain" / "overlay"


@pytest.fixture
def overlay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(CASE, tmp_path / "books")
    monkeypatch.chdir(tmp_path / "books")
    return tmp_path / "books"


def _explain(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["explain", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _rules(merged: dict[str, Any]) -> dict[str, list[str]]:
    return {s["id"]: [r["id"] for r in s["rules"]] for s in merged["sections"]}


def test_the_merged_overlay(overlay: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _explain(capsys, "overlay.yaml", "--format", "json")
    merged = json.loads(out)
    assert (code, err) == (0, "")
    assert merged["files"] == ["base.yaml", "overlay.yaml"]
    assert merged["digest"].startswith("sha256:") and len(merged["digest"]) == 71
    assert (merged["id"], merged["version"]) == ("floor-branch", "2.0.0")
    # a new section is added at the end; a new rule of a known section is appended to it;
    # the disabled rule is gone and listed with its reason
    assert _rules(merged) == {"dress": [], "breaks": ["BRK-01-length", "BRK-02-lunch"],
                              "counter": ["CTR-01-greeting"]}
    assert merged["disabled"] == {"DRS-01-uniform": {"en": "Branch staff wear their own clothes",
                                                     "zh-Hant": "分行員工穿便服"}}
    replaced = merged["sections"][1]["rules"][0]
    assert (replaced["severity"], replaced["title"]["en"]) == ("minor", "Break length (branch)")
    assert replaced["effective"] == {"from": "2020-01-01", "until": "2025-12-31"}
    # overrides.parameters adds a dated value and keeps the parent's
    assert merged["parameters"]["max_break_minutes"]["values"] == {
        "2020-01-01": {"value": 15, "reference": "BRK-01"},
        "2026-01-01": {"value": 10, "reference": "BRK-02"},
    }
    assert sorted(merged["sources"]) == ["BRK-01", "BRK-02", "DRS-01"]
    assert "as_of" not in merged


@pytest.mark.parametrize(("day", "value", "since", "breaks", "clauses"), [
    ("2025-06-30", 15, "2020-01-01", ["BRK-01-length"], ["BRK-01", "DRS-01"]),
    ("2025-12-31", 15, "2020-01-01", ["BRK-01-length"], ["BRK-01", "DRS-01"]),
    ("2026-01-01", 10, "2026-01-01", ["BRK-02-lunch"], ["BRK-02", "DRS-01"]),
])
def test_on_picks_the_dated_value_and_the_rules_in_force(
    overlay: Path, capsys: pytest.CaptureFixture[str], day: str, value: int, since: str,
    breaks: list[str], clauses: list[str],
) -> None:
    code, out, _ = _explain(capsys, "overlay.yaml", "--on", day, "--format", "json")
    merged = json.loads(out)
    assert code == 0
    assert merged["as_of"] == day
    assert merged["parameters"]["max_break_minutes"]["values"] == {
        since: {"value": value, "reference": "BRK-01" if since == "2020-01-01" else "BRK-02"}}
    assert _rules(merged)["breaks"] == breaks
    assert _rules(merged)["counter"] == ["CTR-01-greeting"]  # no effective dates: always in force
    assert sorted(merged["sources"]) == clauses


def test_a_date_before_every_value_leaves_the_parameter_out(overlay: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _explain(capsys, "overlay.yaml", "--on", "2019-12-31", "-f", "json")
    merged = json.loads(out)
    assert (code, merged["parameters"], _rules(merged)["breaks"]) == (0, {}, [])


def test_yaml_is_the_default_and_says_the_same(overlay: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, as_json, _ = _explain(capsys, "overlay.yaml", "--on", "2026-03-01", "-f", "json")
    code, as_yaml, _ = _explain(capsys, "overlay.yaml", "--on", "2026-03-01")
    assert code == 0
    assert as_yaml.startswith("digest: sha256:")
    assert yaml.safe_load(as_yaml) == json.loads(as_json)
    assert "分行現場規範" in as_yaml  # written as text, not escaped


def test_the_digest_ignores_formatting_but_not_content(overlay: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, first, _ = _explain(capsys, "overlay.yaml", "-f", "json")
    text = (overlay / "overlay.yaml").read_text("utf-8")
    (overlay / "overlay.yaml").write_text("# reformatted\n" + text.replace("version: 2.0.0", "version:   2.0.0"),
                                          "utf-8")
    _, same, _ = _explain(capsys, "overlay.yaml", "-f", "json")
    (overlay / "overlay.yaml").write_text(text.replace("value: 10,", "value: 11,"), "utf-8")
    _, changed, _ = _explain(capsys, "overlay.yaml", "-f", "json")
    assert json.loads(first)["digest"] == json.loads(same)["digest"] != json.loads(changed)["digest"]


def test_a_broken_overlay_is_refused_with_its_finding(overlay: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (overlay / "overlay.yaml").read_text("utf-8")
    (overlay / "overlay.yaml").write_text(text.replace("rule: DRS-01-uniform", "rule: DRS-01-unifrom"), "utf-8")
    code, out, err = _explain(capsys, "overlay.yaml")
    assert (code, out) == (2, "")
    assert err == (
        "checkengine: error: overlay.yaml:16:14: overrides.disable[0].rule: overrides.disable names rule "
        "'DRS-01-unifrom', which the parent rulebook does not have (did you mean 'DRS-01-uniform'?); "
        "name a rule of the parent (checkengine explain lists them), or remove this entry [CE209]\n"
    )


def test_a_missing_rulebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _explain(capsys, "nowhere.yaml")
    assert (code, out) == (2, "")
    assert err == ("checkengine: error: nowhere.yaml: file not found; check the path (it is relative to "
                   "the working folder)\n")


def test_a_bad_date_is_a_usage_error(overlay: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _explain(capsys, "overlay.yaml", "--on", "2026-02-30")
    assert (code, out) == (2, "")
    assert err == (
        "Usage: checkengine explain [OPTIONS] RULEBOOK\n"
        "Try 'checkengine explain --help' for help.\n\n"
        "Error: Invalid value for '--on': '2026-02-30' is not a date; use YYYY-MM-DD (e.g. 2026-11-03)\n"
    )
