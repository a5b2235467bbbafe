"""``checkengine fmt``: schema key order, dates quoted, comments and quoting kept, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkengine.cli import main
from checkengine.fmt import format_text

ROOT = Path(__file__).resolve().parents[1]

MESSY = """\
# yaml-language-server: $schema=../checkengine/schemas/rulebook.schema.json
# The floor (seed 001).
sections:
  - rules:
      - check: {type: equals, field: observations.uniform, value: true}  # seen, not asked
        source: DRS-01
        title: {en: Uniform worn}
        id: DRS-01-uniform
    id: dress   # the first section
version: '1.0.0'
id: floor
checkengine: 1
parameters:
  max_minutes:
    values:
      2020-01-01: {value: 15, reference: "CND-08"}
    unit: minutes
    description: {en: Longest absence}
languages: [en]
title: {en: Floor}
"""

TIDY = """\
# yaml-language-server: $schema=../checkengine/schemas/rulebook.schema.json
# The floor (seed 001).
checkengine: 1
id: floor
version: '1.0.0'
title: {en: Floor}
languages: [en]
parameters:
  max_minutes:
    description: {en: Longest absence}
    unit: minutes
    values:
      "2020-01-01": {value: 15, reference: "CND-08"}
sections:
  - id: dress   # the first section
    rules:
      - id: DRS-01-uniform
        title: {en: Uniform worn}
        source: DRS-01
        check: {type: equals, field: observations.uniform, value: true}  # seen, not asked
"""


def test_keys_in_schema_order_with_comments_and_quotes_kept() -> None:
    assert format_text(MESSY, display="floor.yaml") == TIDY


def test_formatting_is_idempotent() -> None:
    assert format_text(TIDY, display="floor.yaml") == TIDY


@pytest.mark.parametrize("path", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "rulebooks").rglob("*.yaml")))
def test_the_bundled_files_are_formatted(path: str) -> None:
    text = (ROOT / path).read_text("utf-8")
    assert format_text(text, display=path) == text


def test_check_and_rewrite(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "floor.yaml").write_text(MESSY, "utf-8")
    (tmp_path / "notes.yaml").write_text("just: notes\n", "utf-8")
    assert main(["fmt", "--check", "."]) == 1
    captured = capsys.readouterr()
    assert captured.out == "floor.yaml: not formatted (checkengine fmt floor.yaml)\n"
    assert captured.err == "checkengine: 1 file not formatted; run checkengine fmt\n"
    assert (tmp_path / "floor.yaml").read_text("utf-8") == MESSY
    assert main(["fmt", "."]) == 0
    assert capsys.readouterr().out == "formatted floor.yaml\n"
    assert (tmp_path / "floor.yaml").read_text("utf-8") == TIDY
    assert (tmp_path / "notes.yaml").read_text("utf-8") == "just: notes\n"
    assert main(["fmt", "--check", "."]) == 0


def test_unreadable_and_unknown_files_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dup.yaml").write_text("checkengine: 1\nid: a\nid: b\nsections: []\n", "utf-8")
    assert main(["fmt", "dup.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("checkengine: error: dup.yaml:3:1: ") and "duplicate key 'id'" in err
    (tmp_path / "notes.yaml").write_text("just: notes\n", "utf-8")
    assert main(["fmt", "notes.yaml"]) == 2
    assert capsys.readouterr().err == (
        "checkengine: error: notes.yaml: not a rulebook, sources catalogue, waivers file or rulebook test (its "
        "keys do not say which); fmt formats only those\n")
    bomb = "checkengine: 1\nkind: tests\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi")) + "tests: []\n"
    (tmp_path / "bomb.yaml").write_text(bomb, "utf-8")
    assert main(["fmt", "bomb.yaml"]) == 2
    assert "bomb.yaml" in capsys.readouterr().err
