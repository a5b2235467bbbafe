"""The built-in loaders report a bad line or row with its number and go on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checkengine.builtin.loaders import CsvLoader, JsonLinesLoader, _Bad, nesting, nests_within, parse_json_line
from checkengine.errors import Location


def _load(loader: Any, path: Path) -> list[tuple[int | None, Any]]:
    out: list[tuple[int | None, Any]] = []
    for raw in loader.load(path, path.name):
        if isinstance(raw.data, _Bad):
            out.append((raw.data.location.line, raw.data.message))
        else:
            out.append((raw.location.line, raw.data.get("id")))
    return out


def test_json_lines_survive_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"id": "a"}\n{"id": NaN}\n{"id": ' + b"9" * 5000 + b'}\n' + b"[" * 100_000 + b"\n"
                     + b'{"id": "caf\xe9"}\n\n{"id": "b"}\n')
    assert _load(JsonLinesLoader(), path) == [
        (1, "a"),
        (2, "invalid JSON: NaN is not a JSON number; write a finite number or null"),
        (3, "invalid JSON: a number has too many digits; integers must lie between -9223372036854775808 "
            "and 9223372036854775807"),
        (4, "the JSON is nested too deeply (the limit is 100 levels); flatten it"),
        (5, "not UTF-8 text (byte 0xe9); save the file as UTF-8"),
        (7, "b"),
    ]


def test_csv_survives_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"id,observations.n\n" b"a,1\n" b"b,2,3\n" b"c\n" b"d,nan\n" b"e," + b"9" * 30 + b"\n"
                     b'f,"x"y\n' b"g,caf\xe9\n" b"h,4\n" b'i,"never closed\n')
    assert _load(CsvLoader(), path) == [
        (2, "a"),
        (3, "the row has 3 cells but the header has 2; every row needs one cell per column (leave a cell "
            "empty, and quote a cell that holds a comma)"),
        (4, "the row has 1 cells but the header has 2; every row needs one cell per column (leave a cell "
            "empty, and quote a cell that holds a comma)"),
        (5, "observations.n: nan is not a number checkengine can use; write a finite number, or leave the "
            "cell empty"),
        (6, "observations.n: a 30-digit number is out of range: whole numbers must lie between "
            "-9223372036854775808 and 9223372036854775807"),
        (7, "invalid CSV: ',' expected after '\"'"),
        (8, "cell 2 is not UTF-8 text; save the file as UTF-8"),
        (9, "h"),
        (10, "a quoted cell is never closed (the file ends inside it); add the closing \""),
    ]


@pytest.mark.parametrize(("value", "depth"), [
    (1, 0), ("[[[", 0), ([], 1), ({}, 1), ([1, [2, [3]]], 3), ({"a": [{"b": 1}], "c": {}}, 3),
    ([[], [[[]]], {"x": [[{}]]}], 5),
])
def test_nesting_counts_levels(value: Any, depth: int) -> None:
    assert nesting(value) == depth


def _nested(depth: int, text_in_strings: str = "") -> str:
    """A JSON Lines line *depth* levels deep, with *text_in_strings* in a string at the bottom."""
    return "[" * (depth - 1) + json.dumps({"id": "x", "note": text_in_strings}) + "]" * (depth - 1)


@pytest.mark.parametrize(("line", "within"), [
    (_nested(100), True),
    (_nested(101), False),
    # brackets inside strings are counted by the quick bound, so the walk decides
    (_nested(3, "[" * 500 + "{" * 500), True),
    (_nested(99, "[{"), True),
    (_nested(101, "[{"), False),
])
def test_a_json_line_nested_over_the_limit_is_refused_whatever_its_strings_hold(line: str, within: bool) -> None:
    assert nests_within(line, json.loads(line), 100) is within
    parsed = parse_json_line(line, Location("r.jsonl", 7, 1))
    if within:
        assert not isinstance(parsed, _Bad)
    else:
        assert isinstance(parsed, _Bad)
        assert parsed.message.startswith("the JSON is nested 101 levels deep; the limit is 100")
        assert (parsed.location.line, parsed.location.column) == (7, 1)
