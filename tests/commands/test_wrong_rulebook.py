"""A record checked against the wrong rulebook is an error (exit 2), in evaluate, batch and audit.

Issue 9, point 9: a branch inspection evaluated against cs-floor used to be "passed" with exit 0
(it has no rule of cs-floor to fail), and ``audit`` crashed on its empty score (exit 3). A record
named on the command line must be checked by the rulebook; a folder of a month holds every kind,
so a run over a folder leaves out the kinds the rulebook does not check (and never shows them as
passed).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from checkengine.cli import main

ROOT = Path(__file__).resolve().parents[2]
MONTH = ROOT / "examples" / "month-2026-11"
BRANCH = "examples/month-2026-11/inspections/BI-2026-11-05-001.yaml"
FLOOR = "examples/month-2026-11/inspections/FI-2026-11-03-001.yaml"
MESSAGE = ("no rule of cs-floor applies to kind branch_inspection; it checks: attendance, floor_inspection, "
           "handover (evaluate branch_inspection records against a rulebook that has rules for them)")
WHERE = f"{BRANCH}:3:1"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_evaluate_names_the_rulebook_and_the_kind(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "evaluate", "-r", "rulebooks/cs-floor.yaml", BRANCH)
    assert code == 2
    assert f"{WHERE}: error: kind: {MESSAGE}" in out.splitlines()
    assert "passed" not in out.replace("0 passed", "")
    code, out, _ = run(capsys, "evaluate", "-r", "rulebooks/cs-floor.yaml", BRANCH, "-f", "json")
    result = json.loads(out)
    assert (code, result["records"]) == (2, [])
    assert result["errors"] == [{"file": BRANCH, "line": 3, "column": 1, "path": "kind", "message": MESSAGE}]


def test_the_right_record_beside_it_is_still_evaluated(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "evaluate", "-r", "rulebooks/cs-floor.yaml", FLOOR, BRANCH, "-f", "json")
    result = json.loads(out)
    assert code == 2
    assert [r["record"]["id"] for r in result["records"]] == ["FI-2026-11-03-001"]
    assert [e["message"] for e in result["errors"]] == [MESSAGE]


def test_batch_agrees(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "out.jsonl"
    code, _, _ = run(capsys, "batch", "-r", "rulebooks/cs-floor.yaml", BRANCH, "--format", "jsonl", "-o",
                     out_file, "--quiet")
    lines = [json.loads(line) for line in out_file.read_text("utf-8").splitlines()]
    assert code == 2
    assert [(line["type"], line.get("message")) for line in lines[1:]] == [("error", MESSAGE), ("summary", None)]
    assert (lines[-1]["records"], lines[-1]["errors"]) == (0, 1)


def test_audit_is_an_error_not_a_crash(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    form = tmp_path / "form.pdf"
    code, out, err = run(capsys, "audit", "-r", "rulebooks/cs-floor.yaml", BRANCH, "--lang", "en", "-o", form)
    assert (code, out, err) == (2, "", f"checkengine: error: {WHERE}: kind: {MESSAGE}\n")
    assert not form.exists()


def test_a_folder_leaves_other_kinds_out(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in ("BI-2026-11-05-001.yaml", "FI-2026-11-03-001.yaml"):
        shutil.copy(MONTH / "inspections" / name, folder / name)
    code, out, _ = run(capsys, "evaluate", "-r", "rulebooks/cs-floor.yaml", folder, "-f", "json")
    result = json.loads(out)
    assert [r["record"]["kind"] for r in result["records"]] == ["floor_inspection"]
    assert result["errors"] == []
    assert code in (0, 1)
    out_file = tmp_path / "out.jsonl"
    code, _, _ = run(capsys, "batch", "-r", "rulebooks/cs-floor.yaml", folder, "--format", "jsonl", "-o",
                     out_file, "--quiet")
    text = out_file.read_text("utf-8")
    assert code in (0, 1)
    assert "FI-2026-11-03-001" in text and "BI-2026-11-05-001" not in text
