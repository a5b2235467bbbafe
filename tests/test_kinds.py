"""Record kinds come from plugins: a third party's kind (``tests/plugins/sample_record_kind.py``,
installed through a real entry point) is validated, evaluated with its own check type, refused with
a located message when bad, and printed in the composed record schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from checkengine.cli import main
from checkengine.plugins import default_registry

PLUGINS = Path(__file__).parent / "plugins"

BOOK = {
    "checkengine": 1, "id": "fleet", "version": "1.0.0", "title": {"en": "Fleet checks"}, "languages": ["en"],
    "parameters": {"min_tread_mm": {"description": {"en": "Least tread depth of a tyre"}, "unit": "count",
                                    "values": {"2020-01-01": {"value": 1.6, "reference": "road code"}}}},
    "sections": [{"id": "tyres", "title": {"en": "Tyres"}, "rules": [
        {"id": "VEH-01-tread", "title": {"en": "Every tyre has enough tread"}, "source": "VEH-01",
         "applies_to": {"kinds": ["vehicle_check"]},
         "check": {"type": "min_each", "field": "data.tread_mm", "min": {"param": "min_tread_mm"}}},
        {"id": "VEH-02-lights", "title": {"en": "Lights work"}, "source": "VEH-02",
         "applies_to": {"kinds": ["vehicle_check"]},
         "check": {"type": "equals", "field": "data.lights", "value": "ok"}},
    ]}],
}


def _record(record_id: str, **data: Any) -> dict[str, Any]:
    return {"kind": "vehicle_check", "id": record_id, "timestamp": "2026-11-03T08:00:00+01:00",
            "site": {"id": "depot-north", "timezone": "Europe/Madrid"}, "data": data}


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The sample plugin installed as pip would leave it (a .dist-info with its entry point), with
    the CLI's cached registry rebuilt for the test; yields a folder holding the rulebook."""
    site = tmp_path / "site"
    info = site / "ce_fleet-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ce-fleet\nVersion: 0.1\n", "utf-8")
    (info / "entry_points.txt").write_text("[checkengine]\nfleet = sample_record_kind\n", "utf-8")
    monkeypatch.syspath_prepend(str(PLUGINS))
    monkeypatch.syspath_prepend(str(site))
    default_registry.cache_clear()
    (tmp_path / "fleet.yaml").write_text(yaml.safe_dump(BOOK, allow_unicode=True), "utf-8")
    yield tmp_path
    default_registry.cache_clear()


def _write(folder: Path, name: str, record: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(record, sort_keys=False), "utf-8")
    return path


def test_a_third_party_kind_is_validated_and_evaluated(installed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = installed / "records"
    records.mkdir()
    _write(records, "a.yaml", _record("VC-1", plate="M-1234", tread_mm=[3.1, 2.9, 3.0, 2.7], lights="ok"))
    _write(records, "b.yaml", _record("VC-2", plate="M-5678", tread_mm=[3.1, 1.2, 3.0, 2.7], lights="fault"))
    out = installed / "result.json"
    code = main(["evaluate", "--rulebook", str(installed / "fleet.yaml"), str(records), "--format", "json",
                 "-o", str(out)])
    assert code == 1, capsys.readouterr().err  # findings
    result = json.loads(out.read_text("utf-8"))
    outcomes = {(e["record"]["id"], o["rule"]): (o["outcome"], o["explanation"])
                for e in result["records"] for o in e["outcomes"]}
    assert outcomes[("VC-1", "VEH-01-tread")] == (
        "pass", "data.tread_mm: lowest 2.7; each at least 1.6; min_tread_mm = 1.6 (since 2020-01-01)")
    assert outcomes[("VC-2", "VEH-01-tread")][0] == "fail"
    assert outcomes[("VC-2", "VEH-02-lights")][0] == "fail"
    assert outcomes[("VC-1", "VEH-02-lights")][0] == "pass"


def test_a_bad_record_of_the_kind_is_located(installed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _write(installed, "bad.yaml", _record("VC-3", plate="M-1234", tread_mm=[3.1, "deep"], lights="ok"))
    assert main(["evaluate", "--rulebook", str(installed / "fleet.yaml"), str(bad)]) == 2
    captured = capsys.readouterr()
    err = captured.out + captured.err
    assert f"{bad}:11:5: error: data.tread_mm[1]: expected a number or null, got 'deep'" in err, err


def test_an_unknown_key_of_the_kind_gets_a_did_you_mean(installed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _write(installed, "bad.yaml", _record("VC-4", plate="M-1234", tread_mn=[3.1], lights="ok"))
    assert main(["evaluate", "--rulebook", str(installed / "fleet.yaml"), str(bad)]) == 2
    captured = capsys.readouterr()
    err = captured.out + captured.err
    assert (f"{bad}:9:3: error: data.tread_mn: unknown key 'tread_mn' (did you mean 'tread_mm'?); the keys allowed "
            "here are: language, lights, odometer_km, plate, tread_mm") in err, err


def test_the_kind_declares_the_language_of_its_text(installed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    french = _write(installed, "fr.yaml", _record("VC-5", plate="M-1234", tread_mm=[3.1], lights="ok",
                                                  language="fr"))
    assert main(["evaluate", "--rulebook", str(installed / "fleet.yaml"), str(french)]) == 2
    captured = capsys.readouterr()
    err = captured.out + captured.err
    assert (f"{french}:1:1: error: data.language: the vehicle check is in 'fr', which the rulebook 'fleet' lacks; "
            "its languages are: en") in err, err


def test_without_the_plugin_the_kind_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    default_registry.cache_clear()
    book = json.loads(json.dumps(BOOK))
    del book["sections"][0]["rules"][0]  # min_each is the plugin's too
    (tmp_path / "fleet.yaml").write_text(yaml.safe_dump(book), "utf-8")
    record = _write(tmp_path, "a.yaml", _record("VC-1", plate="M-1234", tread_mm=[3.1], lights="ok"))
    assert main(["evaluate", "--rulebook", str(tmp_path / "fleet.yaml"), str(record)]) == 2
    captured = capsys.readouterr()
    err = captured.out + captured.err
    assert "'vehicle_check' is not allowed; expected one of: " in err, err


def test_the_composed_schema_and_the_plugin_list_show_the_kind(installed: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--print", "record"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert "vehicle_check" in printed["properties"]["kind"]["enum"]
    [branch] = [b for b in printed["allOf"] if b["if"]["properties"]["kind"]["const"] == "vehicle_check"]
    assert branch["then"]["properties"]["data"]["required"] == ["plate"]
    assert main(["plugins"]) == 0
    listing = capsys.readouterr().out
    assert "ce-fleet:fleet 0.1\n  check types: min_each\n  record kinds: vehicle_check\n" in listing, listing


def test_two_plugins_registering_one_kind_is_an_error_naming_both(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from checkengine import hookimpl
    from checkengine.errors import PluginError
    from checkengine.kinds import RecordKind
    from checkengine.plugins import registry_with

    monkeypatch.syspath_prepend(str(PLUGINS))
    plugin = importlib.import_module("sample_record_kind")

    class Again:
        @hookimpl
        def checkengine_register_record_kinds(self, register: Any) -> None:
            register(RecordKind("vehicle_check"))

    with pytest.raises(PluginError) as caught:
        registry_with(plugin, Again())
    assert str(caught.value) == (
        "two plugins register the record kind 'vehicle_check': 'Again' and 'sample_record_kind'; uninstall one "
        "of them, or set CHECKENGINE_DISABLE_PLUGIN_AUTOLOAD=1 to load only checkengine's own plugins")


def test_schema_write_composes_the_record_schema(installed: Path) -> None:
    folder = installed / "schemas"
    assert main(["schema", "--write", str(folder)]) == 0
    written = json.loads((folder / "record.schema.json").read_text("utf-8"))
    assert "vehicle_check" in written["properties"]["kind"]["enum"]
    assert "transcript" in written["properties"]["kind"]["enum"]
    rulebook = (Path(__file__).parents[1] / "checkengine" / "schemas" / "rulebook.schema.json").read_text("utf-8")
    assert (folder / "rulebook.schema.json").read_text("utf-8") == rulebook  # the others as shipped
