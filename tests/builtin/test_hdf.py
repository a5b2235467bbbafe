"""``--format hdf``: the Heimdall Data Format, validated against MITRE's exec-json schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checkengine.cli import main
from formats import validate_hdf

ROOT = Path(__file__).resolve().parents[2]
MONTH = ROOT / "examples" / "month-2026-11"


def run(*args: object) -> int:
    return main([str(a) for a in args])


@pytest.fixture(scope="module")
def floor(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    folder = tmp_path_factory.mktemp("hdf")
    for fmt in ("hdf", "json"):
        code = run("evaluate", "-r", ROOT / "rulebooks" / "cs-floor.yaml", MONTH / "inspections",
                   "-w", MONTH / "waivers.yaml", "-f", fmt, "-o", folder / f"out.{fmt}")
        assert code == 1
    return (json.loads((folder / "out.hdf").read_text(encoding="utf-8")),
            json.loads((folder / "out.json").read_text(encoding="utf-8")))


def test_evaluate_output_is_valid_hdf(floor: tuple[dict[str, Any], dict[str, Any]]) -> None:
    hdf, result = floor
    validate_hdf(hdf)
    [profile] = hdf["profiles"]
    assert profile["sha256"] == result["rulebook"]["digest"].removeprefix("sha256:")


def test_every_outcome_is_a_control_result(floor: tuple[dict[str, Any], dict[str, Any]]) -> None:
    hdf, result = floor
    statuses = [r["status"] for c in hdf["profiles"][0]["controls"] for r in c["results"]]
    s = result["summary"]
    assert statuses.count("failed") == s["fail"]
    assert statuses.count("passed") == s["pass"]
    assert statuses.count("skipped") == s["waived"] + s["needs_review"] + s["not_applicable"]


def test_a_waiver_is_the_controls_waiver_data(floor: tuple[dict[str, Any], dict[str, Any]]) -> None:
    hdf, _ = floor
    control = next(c for c in hdf["profiles"][0]["controls"] if c["id"] == "DRS-04-light-makeup")
    assert control["waiver_data"]["expiration_date"] == "2027-02-28"
    assert "WV-2026-014" in control["waiver_data"]["message"]
    assert control["tags"]["clauses"] == ["DRS-04"]


def test_the_schema_rejects_a_broken_document(floor: tuple[dict[str, Any], dict[str, Any]]) -> None:
    hdf, _ = floor
    broken = json.loads(json.dumps(hdf))
    broken["profiles"][0]["controls"][0]["results"][0]["status"] = "waived"
    with pytest.raises(jsonschema.ValidationError):
        validate_hdf(broken)


def test_batch_and_archive_outputs_are_valid_hdf(tmp_path: Path) -> None:
    book = ROOT / "rulebooks" / "leave-and-swaps.yaml"
    assert run("batch", "-r", book, MONTH, "-j", "1", "-q", "-f", "hdf", "-o", tmp_path / "b.json") in (0, 1)
    validate_hdf(json.loads((tmp_path / "b.json").read_text(encoding="utf-8")))
    db = tmp_path / "a.sqlite"
    assert run("archive", "add", "--db", db, "-q", "-j", "1", "-r", book, MONTH) in (0, 2)
    assert run("archive", "query", "--db", db, "-f", "hdf", "-o", tmp_path / "q.json") == 0
    validate_hdf(json.loads((tmp_path / "q.json").read_text(encoding="utf-8")))
