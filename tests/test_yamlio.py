"""The strict YAML reader: values, positions, dates kept as text, and what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkengine.errors import UserError
from checkengine.yamlio import PathT, format_path, load_text, parse_path


def test_values_and_positions() -> None:
    doc = load_text("a: 1\nb:\n  - x: 2020-01-01\n    y: [true, null, 1.5]\n", "f.yaml")
    assert doc.data == {"a": 1, "b": [{"x": "2020-01-01", "y": [True, None, 1.5]}]}
    assert doc.location(("b", 0, "y", 2)).prefix() == "f.yaml:4:21: b[0].y[2]: "
    assert doc.location(("b", 0, "x"), key=True).prefix() == "f.yaml:3:5: b[0].x: "
    # a path that does not exist falls back to its nearest parent's position
    assert doc.location(("b", 0, "z")).prefix() == "f.yaml:3:5: b[0].z: "


@pytest.mark.parametrize("path", ["sections[0].rules[3].check.max", "a", "x[1][2].y", ""])
def test_parse_path_inverts_format_path(path: str) -> None:
    assert format_path(parse_path(path)) == path


@pytest.mark.parametrize(("text", "message"), [
    ("a: 1\n<<: {b: 2}\n", "f.yaml:2:1: merge keys ('<<') are not supported: they hide which keys a mapping has; "
                           "write the keys out"),
    ("? [a]\n: 1\n", "f.yaml:1:3: a mapping key must be a plain string, not a list or a mapping; write the key as text"),
    ("a: 1\n---\nb: 2\n", "f.yaml:3:1: more than one YAML document ('---'); keep one document per file"),
    ("a: !!binary aGk=\n", "f.yaml:1:4: a: the YAML tag '!!binary' is not allowed: only plain mappings, lists, "
                           "strings, numbers, booleans and null are; remove the tag"),
    ("a: *nowhere\n", "f.yaml:1:4: invalid YAML: found undefined alias 'nowhere'; define the anchor (&name) "
                      "before using the alias (*name)"),
])
def test_refused(text: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        load_text(text, "f.yaml")
    assert str(caught.value) == message


def test_a_few_aliases_are_fine() -> None:
    doc = load_text("base: &b {x: 1}\nuse: [*b, *b]\n", "f.yaml")
    assert doc.data["use"] == [{"x": 1}, {"x": 1}]


def test_the_collector_is_paused_only_while_a_document_is_built() -> None:
    import gc

    assert gc.isenabled()
    load_text("a: [1, 2]\n", "t.yaml")
    assert gc.isenabled()
    with pytest.raises(UserError):
        load_text("a: 1\na: 2\n", "t.yaml")
    assert gc.isenabled()  # resumed after a refused document too
    gc.disable()
    try:
        load_text("a: 1\n", "t.yaml")
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def _files() -> list[Path]:
    root = Path(__file__).resolve().parent.parent
    files = [*(root / "rulebooks").rglob("*.yaml"), *(root / "examples").rglob("*.yaml"),
             *(root / "tests" / "cases").rglob("*.yaml")]
    return sorted(files)


def test_positions_found_in_the_node_are_those_of_the_position_tables() -> None:
    """A parsed document finds a position in its node when asked; the building walk that records
    every value's and key's position (as documents did before) gives the same for every path,
    for its keys, and for paths that go nowhere (the nearest parent)."""
    from checkengine import limits
    from checkengine.yamlio import Document, _Builder, load_text

    checked = 0
    for file in _files():
        try:
            doc = load_text(file.read_text("utf-8"), file.name)
        except (UserError, UnicodeDecodeError):
            continue  # the invalid cases: refused before any position is asked for
        assert doc.node is not None and not doc.positions
        tables = Document(file.name, None)
        assert _Builder(tables, limits.YAML_VALUES.get()).build(doc.node, ()) == doc.data
        probes: list[tuple[PathT, bool]] = [((), True), (("nowhere",), True), ((0,), False)]
        for path in tables.positions:
            probes += [(path, False), (path, True), ((*path, "nowhere"), False), ((*path, "nowhere"), True),
                       ((*path, 10**6), False), ((*path, 0), True), ((*path, 0, "x"), False)]
        for path, key in probes:
            assert doc.location(path, key=key) == tables.location(path, key=key), (file, path, key)
            checked += 1
    assert checked > 100_000


def test_a_document_that_refuses_is_located_by_the_careful_walk() -> None:
    """The quick build hands anything unusual to the locating build: what it takes is built the same."""
    doc = load_text("1: a\n? !!str x\n: [2026-01-01, !!str 3, 0x10, .inf]\n", "f.yaml")
    assert doc.data == {"1": "a", "x": ["2026-01-01", "3", 16, float("inf")]}
    with pytest.raises(UserError) as caught:
        load_text("a:\n  b: 1\n  c: [x, {d: 1, d: 2}]\n", "f.yaml")
    assert str(caught.value) == ("f.yaml:3:17: a.c[1].d: duplicate key 'd' (first on line 3, again on line 3); "
                                 "a key may appear once in a mapping: remove one of them or merge their values")


@pytest.mark.parametrize(("text", "plain"), [
    ("a: [1, -2.5, 9223372036854775807, -9223372036854775808, true, null, '.inf']\n", True),
    ("a: [1, .inf]\n", False), ("a: {b: .nan}\n", False), ("a: 9223372036854775808\n", False),
    ("- -9223372036854775809\n", False),
])
def test_the_build_tells_validation_whether_every_number_is_one_checkengine_takes(text: str, plain: bool) -> None:
    """Validation walks a document for NaN, infinities and whole numbers beyond 64 bits only when
    the build did not already find there are none."""
    from checkengine import validation

    doc = load_text(text, "f.yaml")
    assert (doc.plain_numbers is doc.data) is plain
    assert validation._odd_numbers(doc.data) is not plain
