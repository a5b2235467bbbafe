"""Rulebooks as OSCAL catalogs and an overlay as a profile, validated with compliance-trestle's models."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from checkengine.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent / "builtin"))
from formats import validate_oscal  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BOOKS = sorted((ROOT / "rulebooks").glob("*.yaml")) + [ROOT / "rulebooks" / "branches" / "cc-taipei-night.yaml"]


def _export(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    out = tmp_path / "out.json"
    assert main(["oscal", *args, "-o", str(out)]) == 0, capsys.readouterr().err
    doc: dict[str, Any] = json.loads(out.read_text("utf-8"))
    return doc


@pytest.mark.parametrize("book", BOOKS, ids=lambda p: p.stem)
def test_every_rulebook_is_a_valid_catalog(book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _export(tmp_path, capsys, "catalog", str(book))
    validate_oscal(doc, "catalog")
    ids = [c["id"] for g in doc["catalog"]["groups"] for c in g.get("controls", [])]
    assert len(ids) == len(set(ids)) > 0


def test_a_rule_cites_its_clauses_as_parts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _export(tmp_path, capsys, "catalog", str(ROOT / "rulebooks" / "cs-floor.yaml"), "--lang", "en")
    controls = {c["id"]: c for g in doc["catalog"]["groups"] for c in g.get("controls", [])}
    outside = controls["CND-08-outside-room"] if "CND-08-outside-room" in controls else next(
        c for k, c in controls.items() if k.startswith("CND-08"))
    [item] = outside["parts"][0]["parts"]
    # 001 現場規範 7: "出入機房不得超過規定時限"
    assert item["title"] == "CND-08" and "規定時限" in item["prose"]
    params = {p["id"]: p for p in doc["catalog"]["params"]}
    assert params["max_minutes_outside_room"]["values"] == ["15"]


def test_the_overlay_is_a_profile_of_its_parent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _export(tmp_path, capsys, "profile", str(ROOT / "rulebooks" / "branches" / "cc-taipei-night.yaml"))
    validate_oscal(doc, "profile")
    profile = doc["profile"]
    assert profile["imports"] == [{"href": "cs-floor.catalog.json", "include-all": {},
                                   "exclude-controls": [{"with-ids": ["DRS-04-light-makeup"]}]}]
    [param] = profile["modify"]["set-parameters"]
    assert (param["param-id"], param["values"]) == ("max_minutes_outside_room", ["10"])
    assert "SEC-03-night-safety-round" in profile["metadata"]["remarks"]


def test_a_rulebook_without_extends_is_not_a_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = ROOT / "rulebooks" / "cs-floor.yaml"
    assert main(["oscal", "profile", str(book)]) == 2
    assert capsys.readouterr().err == (f"checkengine: error: {book}: not an overlay (it has no extends:); export it "
                                       "with `checkengine oscal catalog`\n")
