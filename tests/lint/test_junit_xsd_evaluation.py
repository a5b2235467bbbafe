"""The evaluation JUnit reporter (``checkengine evaluate -f junit``) against the same Ant XSD."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable
from xml.etree import ElementTree as ET

import xmlschema

from checkengine.builtin.reporters import JunitReporter
from checkengine.errors import Location
from checkengine.records import RecordError

XSD = Path(__file__).resolve().parents[1] / "schemas" / "junit.xsd"


def test_evaluation_junit_validates(make_book: Callable[..., Any], make_record: Callable[..., Any],
                                    evaluate: Callable[..., dict[str, Any]], helpers: SimpleNamespace) -> None:
    book = make_book([
        helpers.rule("UNI-01", {"type": "equals", "field": "observations.uniform", "value": True}),
        helpers.rule("BDG-01", {"type": "present", "field": "observations.badge"}),
        helpers.rule("MIN-01", {"type": "in_range", "field": "observations.minutes", "max": 10},
                     when="record.observations.on_break == true"),
    ])
    records = [
        make_record("floor_inspection", "R-1", observations={"uniform": True, "badge": "std", "minutes": 3,
                                                             "on_break": True}),
        make_record("floor_inspection", "R-2", observations={"uniform": False, "badge": None, "minutes": 30,
                                                             "on_break": False}),
        RecordError(Location("bad.yaml", 4, 1, "timestamp"), "no time zone"),
    ]
    result = evaluate(book, records)
    out = io.StringIO()
    JunitReporter().render(result, out)
    xmlschema.XMLSchema(str(XSD)).validate(out.getvalue())
    root = ET.fromstring(out.getvalue())
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["floor_inspection R-1", "floor_inspection R-2", "unusable records"]
    assert [(s.get("tests"), s.get("failures"), s.get("errors"), s.get("skipped")) for s in suites] == [
        ("3", "0", "0", "0"), ("3", "2", "0", "1"), ("1", "0", "1", "0")]
    assert suites[0].findtext("system-out") == "file: test.yaml"
    unusable = suites[2].find("testcase/error")
    assert unusable is not None and unusable.get("message") == "no time zone"
