"""The checkengine_prepare_record hook: plugins add derived fields before rules read them."""

from __future__ import annotations

from pathlib import Path

from checkengine.engine import Engine
from checkengine.errors import Location
from checkengine.plugins import registry_with
from checkengine.records import check_record
from checkengine.rulebook.load import load_rulebook
from tests.plugins import derive_minutes_late

RULEBOOK = """\
checkengine: 1
id: late
version: 1.0.0
title: Lateness
languages: [en]
sources:
  - id: house
    title: House rules
    clauses: [{id: LATE-1, clause: "1", text: Be on time.}]
parameters:
  max_minutes_late:
    description: Minutes late allowed
    unit: minutes
    values: {"2020-01-01": {value: 19}}
sections:
  - id: time
    title: Time
    rules:
      - id: LATE-1-on-time
        title: On time
        source: LATE-1
        applies_to: {kinds: [attendance]}
        check: {type: in_range, field: data.minutes_late, max: {param: max_minutes_late}}
"""


def record(minutes: int) -> dict[str, object]:
    return {
        "kind": "attendance", "id": f"A-{minutes}", "timestamp": "2026-11-03T09:00:00+08:00",
        "subject": {"employee": "E001"},
        "data": {"shift_start": "2026-11-03T09:00:00+08:00", "shift_end": "2026-11-03T17:00:00+08:00",
                 "on_post_at": f"2026-11-03T09:{minutes:02d}:00+08:00"},
    }


def test_a_prepared_field_is_read_by_a_rule(tmp_path: Path) -> None:
    (tmp_path / "late.yaml").write_text(RULEBOOK, "utf-8")
    engine = Engine(load_rulebook(tmp_path / "late.yaml"), registry=registry_with(derive_minutes_late))
    derive_minutes_late.calls.clear()
    items = [check_record(record(m), Location("r.yaml", 1, 1)) for m in (19, 20)]
    result = engine.run(items)
    assert [e["outcomes"][0]["outcome"] for e in result["records"]] == ["pass", "fail"]
    assert [e["outcomes"][0]["observed"] for e in result["records"]] == [19.0, 20.0]
    # Once per record, even when a second rulebook evaluates the same records.
    engine.run(items)
    assert derive_minutes_late.calls == ["A-19", "A-20"]
