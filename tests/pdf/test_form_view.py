"""The audit form as data (``checkengine.pdf.form_view``): the due date of a corrective action comes
from the rulebook's ``corrective_action_days`` parameter, else from the domain plugin's default."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from checkengine.pdf.form_view import audit_context, corrective_action_days

from pdf_helpers import record_dir


def _dues(data: dict[str, Any], merged: dict[str, Any], folder: Path) -> set[str]:
    context, _ = audit_context(data["results"]["en"], data["record"], merged, lang="en", base_dir=record_dir(folder))
    assert context["actions"], "the fixture's record fails some rules"
    return {action["due"] for action in context["actions"]}


def test_the_call_centre_default_is_fourteen_days(tmp_path: Path, data: dict[str, Any]) -> None:
    assert "corrective_action_days" not in data["rulebook"]["parameters"]
    assert _dues(data, data["rulebook"], tmp_path) == {"17 November 2026"}  # inspected on 3 November


def test_a_rulebook_parameter_sets_the_days_as_of_the_record_date(tmp_path: Path, data: dict[str, Any]) -> None:
    merged = copy.deepcopy(data["rulebook"])
    merged["parameters"]["corrective_action_days"] = {"values": {
        "2020-01-01": {"value": 7, "reference": "head office"},
        "2026-12-01": {"value": 30, "reference": "later"},  # not yet in force on 3 November
    }}
    assert _dues(data, merged, tmp_path) == {"10 November 2026"}
    assert corrective_action_days(merged, None) == 30
