"""``--format oscal``: OSCAL 1.1 assessment results of evaluate, batch and archive query.

Every document is validated with compliance-trestle's OSCAL models; the mapping is checked on the
example month: a failed rule is a not-satisfied finding, a waived failure is a risk with its
waiver, the record and the photos are evidence with their SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from checkengine.cli import main
from formats import validate_oscal

ROOT = Path(__file__).resolve().parents[2]
MONTH = ROOT / "examples" / "month-2026-11"
FLOOR = ROOT / "rulebooks" / "cs-floor.yaml"


def run(*args: str) -> int:
    return main([str(a) for a in args])


@pytest.fixture(scope="module")
def floor(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("oscal") / "floor.json"
    code = run("evaluate", "-r", FLOOR, MONTH / "inspections", "-w", MONTH / "waivers.yaml", "-f", "oscal", "-o", out)
    assert code == 1  # the month has failures
    doc: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return doc


def test_evaluate_output_is_valid_oscal(floor: dict[str, Any]) -> None:
    validate_oscal(floor)
    assert floor["assessment-results"]["metadata"]["oscal-version"] == "1.1.3"
    assert len(floor["assessment-results"]["results"]) == 1


def test_a_failed_rule_is_a_not_satisfied_finding(floor: dict[str, Any]) -> None:
    result = floor["assessment-results"]["results"][0]
    by_rule = {f["target"]["target-id"]: f for f in result["findings"]}
    # DRS-02: 工牌佩戴於統一位置 ("進機房著裝整齊化一、工牌佩戴統一位置", seed-001) fails in the month.
    badge = by_rule["DRS-02-badge"]
    assert badge["target"]["status"] == {"state": "not-satisfied", "reason": "fail"}
    assert {"name": "clause", "value": "DRS-02"} in badge["props"]
    observations = {o["uuid"]: o for o in result["observations"]}
    outcomes = [next(p["value"] for p in observations[r["observation-uuid"]]["props"] if p["name"] == "outcome")
                for r in badge["related-observations"]]
    failed = int(re.search(r"(\d+) fail\b", badge["description"]).group(1))  # type: ignore[union-attr]
    assert failed >= 1 and outcomes.count("fail") == failed
    satisfied = [f for f in result["findings"] if f["target"]["status"]["state"] == "satisfied"]
    assert satisfied, "rules that never failed are satisfied"


def test_a_waived_failure_is_a_risk_with_its_waiver(floor: dict[str, Any]) -> None:
    result = floor["assessment-results"]["results"][0]
    [risk] = result["risks"]
    assert risk["status"] == "deviation-approved"
    assert "WV-2026-014" in risk["statement"] and "E022" in risk["statement"]
    assert risk["deadline"].startswith("2027-02-28")
    finding = next(f for f in result["findings"] if f["target"]["target-id"] == "DRS-04-light-makeup")
    assert finding["related-risks"] == [{"risk-uuid": risk["uuid"]}]


def test_the_record_and_its_photos_are_evidence_with_their_digest(floor: dict[str, Any]) -> None:
    result = floor["assessment-results"]["results"][0]
    resources = {r["uuid"]: r for r in floor["assessment-results"]["back-matter"]["resources"]}
    with_photo = [o for o in result["observations"] if len(o.get("relevant-evidence", [])) == 2]
    assert with_photo
    for obs in with_photo:
        for ev in obs["relevant-evidence"]:
            link = resources[ev["href"].lstrip("#")]["rlinks"][0]
            path = Path(link["href"])
            assert link["hashes"] == [{"algorithm": "SHA-256", "value": hashlib.sha256(path.read_bytes()).hexdigest()}]


def test_the_document_is_stable(tmp_path: Path, floor: dict[str, Any]) -> None:
    # UUIDs are derived from the run, so two renderings of one result are identical.
    from checkengine.builtin.oscal import assessment_results

    result_file = tmp_path / "r.json"
    assert run("evaluate", "-r", FLOOR, MONTH / "inspections" / "FI-2026-11-03-001.yaml", "-f", "json",
               "-o", result_file) in (0, 1)
    result = json.loads(result_file.read_text(encoding="utf-8"))
    assert assessment_results([result]) == assessment_results([result])


def test_batch_output_is_valid_oscal(tmp_path: Path) -> None:
    out = tmp_path / "b.json"
    code = run("batch", "-r", ROOT / "rulebooks" / "leave-and-swaps.yaml", MONTH, "-j", "1", "-q", "-f", "oscal", "-o", out)
    assert code in (0, 1)
    doc = json.loads(out.read_text(encoding="utf-8"))
    validate_oscal(doc)
    result = doc["assessment-results"]["results"][0]
    assert any("group" not in o["title"] for o in result["observations"])


def test_archive_query_gives_one_result_per_run(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    assert run("archive", "add", "--db", db, "-q", "-j", "1", "-r", FLOOR, MONTH / "inspections") == 0
    assert run("archive", "add", "--db", db, "-q", "-j", "1", "-r", ROOT / "rulebooks" / "leave-and-swaps.yaml",
               MONTH) in (0, 2)
    out = tmp_path / "q.json"
    assert run("archive", "query", "--db", db, "-f", "oscal", "-o", out) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    validate_oscal(doc)
    titles = [r["props"][0]["value"] for r in doc["assessment-results"]["results"]]
    assert titles == ["cs-floor", "leave-and-swaps"]


def test_the_models_reject_a_broken_document(floor: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(floor))
    broken["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] = "waived"
    with pytest.raises(Exception, match="state"):
        validate_oscal(broken)
    empty = json.loads(json.dumps(floor))
    empty["assessment-results"]["results"][0]["risks"] = []
    with pytest.raises(AssertionError, match="at least one item"):
        validate_oscal(empty)
