"""``checkengine schema`` and the shipped schemas: check-jsonschema validates every bundled
rulebook, sources catalogue, waivers file and rulebook test offline, with the schema files as
shipped (relative references) and with the self-contained one that ``--print`` writes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from checkengine.cli import main
from checkengine.lint.discover import classify, yaml_files

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "checkengine" / "schemas"


def _by_kind() -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = {}
    for path in [*yaml_files([ROOT / "rulebooks"]), ROOT / "examples" / "month-2026-11" / "waivers.yaml"]:
        kind = classify(yaml.safe_load(path.read_text("utf-8")))
        if kind != "unknown":
            files.setdefault(kind, []).append(path)
    return files


def check_jsonschema(schemafile: Path, files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--schemafile", str(schemafile),
                           *map(str, files)], capture_output=True, text=True, timeout=300)


def test_every_kind_of_file_is_bundled() -> None:
    assert set(_by_kind()) == {"rulebook", "sources", "waivers", "tests"}


@pytest.mark.parametrize("kind", ["rulebook", "sources", "waivers", "tests"])
def test_check_jsonschema_validates_the_bundled_files(kind: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    files = _by_kind()[kind]
    shipped = check_jsonschema(SCHEMAS / f"{kind}.schema.json", files)
    assert shipped.returncode == 0, shipped.stdout + shipped.stderr
    assert main(["schema", "--print", kind, "-o", str(tmp_path / "one.json")]) == 0
    printed = check_jsonschema(tmp_path / "one.json", files)
    assert printed.returncode == 0, printed.stdout + printed.stderr


def test_check_jsonschema_rejects_a_broken_rulebook(tmp_path: Path) -> None:
    book = yaml.safe_load((ROOT / "rulebooks" / "cs-floor.yaml").read_text("utf-8"))
    book["sections"][0]["rules"][0]["severity"] = "extreme"
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(book, allow_unicode=True), "utf-8")
    result = check_jsonschema(SCHEMAS / "rulebook.schema.json", [broken])
    assert result.returncode == 1
    assert "extreme" in result.stdout


def test_the_schemas_resolve_offline() -> None:
    # No $id pointing at a host: every reference is relative to the file or inside it.
    for path in SCHEMAS.glob("*.schema.json"):
        text = path.read_text("utf-8")
        doc = json.loads(text)
        assert "$id" not in doc, path.name
        refs = [r for r in _refs(doc) if not r.startswith("#")]
        assert all(r.split("#")[0].endswith(".schema.json") and "/" not in r.split("#")[0] for r in refs), refs


def test_printed_schema_is_self_contained(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--print", "rulebook"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert all(r.startswith("#/$defs/") for r in _refs(doc))
    assert "sources.document" in doc["$defs"]


def test_write_and_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--write", str(tmp_path / "s")]) == 0
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == sorted(p.name for p in SCHEMAS.glob("*.schema.json"))
    capsys.readouterr()
    assert main(["schema", "--print", "rulebooks"]) == 2
    assert capsys.readouterr().err == ("checkengine: error: --print rulebooks: no such schema; choose one of: "
                                       "rulebook, sources, waivers, record, result, tests\n")


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []
