"""The stars scoring method: bands, per-section stars, the minimum star level, option errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import checkengine_stars
from checkengine.engine import Engine
from checkengine.errors import Location, UserError
from checkengine.plugins import Registry, default_registry, registry_with
from checkengine.records import check_record
from checkengine.rulebook.load import load_rulebook
from checkengine.rulebook.model import Rulebook
from checkengine_stars.scorer import Stars


def _book(tmp_path: Path, options: dict[str, Any] | None = None) -> Rulebook:
    scoring: dict[str, Any] = {"method": "stars"}
    if options is not None:
        scoring["options"] = options
    rules = [
        {"id": f"R{i}", "title": f"rule {i}", "source": "INS-03", "severity": "minor",
         "applies_to": {"kinds": ["branch_inspection"]}, "check": {"type": "manual"}}
        for i in range(1, 11)
    ]
    book = {
        "checkengine": 1, "id": "stars-test", "version": "1.0.0", "title": "stars", "languages": ["en"],
        "scoring": scoring,
        "sections": [{"id": "virtue", "title": "Virtue", "rules": rules[:5]},
                     {"id": "ability", "title": "Ability", "rules": rules[5:]}],
    }
    path = tmp_path / "stars.yaml"
    path.write_text(yaml.safe_dump(book), "utf-8")
    return load_rulebook(path)


def _outcomes(passes: int, fails: int, *, critical_fail: bool = False) -> list[dict[str, Any]]:
    out = []
    for i in range(passes + fails):
        out.append({"rule": f"R{i}", "section": "virtue" if i % 2 == 0 else "ability", "weight": 1.0,
                    "outcome": "pass" if i < passes else "fail", "critical": critical_fail and i == passes})
    return out


@pytest.mark.parametrize(("passes", "stars", "passed"), [
    (10, 5, True), (9, 5, True), (8, 4, True), (7, 3, True), (6, 2, False), (5, 1, False), (0, 1, False),
])
def test_default_bands_and_minimum(tmp_path: Path, passes: int, stars: int, passed: bool) -> None:
    score = Stars().score(_outcomes(passes, 10 - passes), _book(tmp_path))
    assert (score["score"], score["stars"], score["passed"]) == (passes * 10.0, stars, passed)
    assert score["method"] == "stars" and score["max_stars"] == 5 and score["min_stars"] == 3


def test_configured_bands_section_stars_and_minimums(tmp_path: Path) -> None:
    book = _book(tmp_path, {"stars": [{"min": 0, "stars": 1}, {"min": 50, "stars": 3}, {"min": 95, "stars": 5}],
                            "min_stars": 3, "min_section_stars": 3})
    outcomes = _outcomes(6, 4)  # virtue: R0 R2 R4 pass, R6 R8 fail -> 60; ability: R1 R3 R5 pass, R7 R9 fail -> 60
    outcomes[1]["outcome"] = "fail"  # ability now 40 -> 1 star
    score = Stars().score(outcomes, book)
    assert score["score"] == 50.0 and score["stars"] == 3
    assert score["sections"]["virtue"]["stars"] == 3 and score["sections"]["ability"]["stars"] == 1
    assert score["sections_below_standard"] == ["ability"]
    assert score["passed"] is False


def test_critical_failure_fails_whatever_the_stars(tmp_path: Path) -> None:
    score = Stars().score(_outcomes(9, 1, critical_fail=True), _book(tmp_path))
    assert score["stars"] == 5 and score["critical_failures"] == ["R9"] and score["passed"] is False


def test_nothing_scored_has_no_stars(tmp_path: Path) -> None:
    outcomes = [{"rule": "R1", "section": "virtue", "weight": 1.0, "outcome": "not_applicable", "critical": False}]
    score = Stars().score(outcomes, _book(tmp_path))
    assert score["score"] is None and score["stars"] is None and score["passed"] is True


@pytest.mark.parametrize(("options", "path", "message"), [
    ({"stars": [{"min": 90, "stars": 6}, {"min": 0, "stars": 1}]}, "scoring.options.stars[0].stars",
     "expected a whole number of stars from 1 to 5, got 6"),
    ({"stars": [{"min": 90, "stars": 5}]}, "scoring.options.stars",
     "the lowest band starts at 90; add one with min: 0"),
    ({"stars": [{"min": 90, "star": 5}]}, "scoring.options.stars[0]",
     "a band has exactly min and stars (e.g. {min: 90, stars: 5}), got {'min': 90, 'star': 5}"),
    ({"minimum": 3}, "scoring.options.minimum",
     "unknown option for the stars scoring; known: stars, min_stars, min_section_stars"),
    ({"min_stars": 0}, "scoring.options.min_stars", "expected a whole number of stars from 1 to 5, got 0"),
])
def test_bad_options_name_the_option(tmp_path: Path, options: dict[str, Any], path: str, message: str) -> None:
    book = _book(tmp_path, options)
    with pytest.raises(UserError) as caught:
        Stars().score(_outcomes(5, 5), book)
    assert caught.value.bare_message == message
    assert caught.value.location == Location(book.path, path=path)


@pytest.fixture
def registry() -> Registry:
    # Installed (make setup) the entry point provides it; otherwise register the module directly.
    installed = default_registry()
    return installed if "stars" in installed.scorers else registry_with(checkengine_stars)


def test_engine_scores_records_with_stars(tmp_path: Path, registry: Registry) -> None:
    engine = Engine(_book(tmp_path), registry=registry)
    answers = {f"R{i}": {"result": "pass" if i <= 7 else "fail"} for i in range(1, 11)}
    record = check_record({"kind": "branch_inspection", "id": "B1", "timestamp": "2026-11-03T10:00:00+08:00",
                           "answers": answers}, Location("b1.yaml", 1, 1))
    result = engine.run([record])
    score = result["records"][0]["score"]
    assert (score["method"], score["score"], score["stars"], score["passed"]) == ("stars", 70.0, 3, True)
    assert score["sections"]["virtue"]["stars"] == 5 and score["sections"]["ability"]["stars"] == 1
