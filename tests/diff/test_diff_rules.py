"""Rule-by-rule differences between two rulebooks."""

from __future__ import annotations

import copy
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest
import yaml

from checkengine.diff.rules import FieldChange, ValueChange, diff_books
from checkengine.rulebook.load import load_rulebook
from checkengine.rulebook.model import Rulebook

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture
def pair(tmp_path: Path, scenario: ModuleType) -> Callable[[Edit], tuple[Rulebook, Rulebook]]:
    def build(edit: Edit) -> tuple[Rulebook, Rulebook]:
        old = scenario.rulebook()
        new = copy.deepcopy(old)
        edit(new)
        paths = []
        for name, data in (("old", old), ("new", new)):
            path = tmp_path / f"{name}.yaml"
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
            paths.append(path)
        return load_rulebook(paths[0]), load_rulebook(paths[1])

    return build


def rules_of(book: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for s in book["sections"] for r in s["rules"]}


def test_no_change(pair: Any) -> None:
    diff = diff_books(*pair(lambda b: None))
    assert diff.empty and not diff.affects_verdicts


def test_changed_fields(pair: Any) -> None:
    def edit(book: dict[str, Any]) -> None:
        rules = rules_of(book)
        rules["DRS-02-badge"]["severity"] = "major"
        rules["DRS-02-badge"]["check"]["values"] = ["standard", "temporary"]
        rules["CND-08-time-outside"]["effective"] = {"from": "2026-12-01"}
        rules["DRS-01-uniform"]["title"]["en"] = "Uniform worn on duty"

    diff = diff_books(*pair(edit))
    by_rule = {c.rule: c for c in diff.rules}
    assert by_rule["DRS-02-badge"].changes == (
        FieldChange("severity", "minor", "major"),
        FieldChange("weight", 1.0, 3.0),
        FieldChange("check.values", ["standard"], ["standard", "temporary"]),
    )
    assert by_rule["CND-08-time-outside"].changes == (FieldChange("effective.from", None, "2026-12-01"),)
    assert by_rule["DRS-01-uniform"].changes == (FieldChange("title.en", "Uniform worn", "Uniform worn on duty"),)
    assert not by_rule["DRS-01-uniform"].affects_verdicts and by_rule["DRS-02-badge"].affects_verdicts
    assert [c.kind for c in diff.rules] == ["changed", "changed", "changed"]


def test_wording_alone_does_not_affect_verdicts(pair: Any) -> None:
    diff = diff_books(*pair(lambda b: rules_of(b)["DRS-01-uniform"]["title"].update(ko="유니폼")))
    assert not diff.empty and not diff.affects_verdicts


def test_added_and_removed(pair: Any) -> None:
    def edit(book: dict[str, Any]) -> None:
        rules = book["sections"][0]["rules"]
        removed = rules.pop(1)
        added = copy.deepcopy(removed)
        added["id"] = "DRS-05-hair"
        book["sections"][1]["rules"].append(added)

    diff = diff_books(*pair(edit))
    assert [(c.kind, c.rule, c.section) for c in diff.rules] == [("removed", "DRS-02-badge", "dress"),
                                                                  ("added", "DRS-05-hair", "conduct")]


def test_parameter_values_with_dates(pair: Any) -> None:
    def edit(book: dict[str, Any]) -> None:
        values = book["parameters"]["max_minutes_outside"]["values"]
        values["2020-01-01"]["value"] = 12
        values["2026-11-15"] = {"value": 5, "reference": "memo 12"}
        del book["parameters"]["max_call_loss_pct"]["values"]["2020-01-01"]
        book["parameters"]["max_call_loss_pct"]["values"]["2026-01-01"] = {"value": 4, "reference": "QAM-04"}

    diff = diff_books(*pair(edit))
    assert [(p.name, p.kind, p.values, p.rules) for p in diff.parameters] == [
        ("max_minutes_outside", "changed",
         (ValueChange("2020-01-01", 10, 12, "CND-08"), ValueChange("2026-11-15", None, 5, "memo 12")),
         ("CND-08-time-outside",)),
        ("max_call_loss_pct", "changed",
         (ValueChange("2020-01-01", 5, None, "QAM-04"), ValueChange("2026-01-01", None, 4, "QAM-04")),
         ("QAM-04-call-loss",)),
    ]
    assert diff.parameters[0].values[1].text() == "from 2026-11-15: 5 (new)"
    assert diff.parameters[1].values[0].text() == "from 2020-01-01: 5 (removed)"
    assert diff.affects_verdicts


def test_disabled_by_an_overlay(tmp_path: Path, scenario: ModuleType) -> None:
    base = scenario.write_rulebook(tmp_path / "base.yaml")
    reason = {lang: "not on this floor" for lang in scenario.LANGS}
    overlay = tmp_path / "branch.yaml"
    overlay.write_text(yaml.safe_dump({
        "checkengine": 1, "id": "branch", "version": "1.0.0", "title": reason, "languages": scenario.LANGS,
        "extends": "base.yaml", "overrides": {"disable": [{"rule": "DRS-02-badge", "reason": reason}]},
    }, allow_unicode=True, sort_keys=False), "utf-8")
    forward = diff_books(load_rulebook(base), load_rulebook(overlay))
    assert [(c.kind, c.rule, c.reason) for c in forward.rules] == [("disabled", "DRS-02-badge", "not on this floor")]
    assert forward.book == [FieldChange("id", "scenario", "branch")]
    back = diff_books(load_rulebook(overlay), load_rulebook(base))
    assert [(c.kind, c.rule) for c in back.rules] == [("enabled", "DRS-02-badge")]
