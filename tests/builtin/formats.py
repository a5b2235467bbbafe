"""Validators of the exchange formats against their official models and schemas.

OSCAL: compliance-trestle's OSCAL 1.1 models (pydantic, unknown fields forbidden), plus the
``minItems: 1`` of NIST's JSON schema that the models do not check. HDF: MITRE's exec-json schema
from heimdall2 (tests/schemas/hdf/).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

HDF_SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "hdf" / "exec-json.json"


def _no_empty_arrays(value: Any, path: str = "$") -> None:
    if isinstance(value, list):
        assert value, f"{path}: OSCAL arrays have at least one item"
        for i, item in enumerate(value):
            _no_empty_arrays(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_empty_arrays(item, f"{path}.{key}")


def _uuids(value: Any, defined: set[str], used: set[str]) -> None:
    """Collect the uuids *defined* (``uuid``) and *used* (``*-uuid`` and ``#uuid`` hrefs)."""
    if isinstance(value, list):
        for item in value:
            _uuids(item, defined, used)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "uuid":
                defined.add(item)
            elif key.endswith("-uuid") and isinstance(item, str):
                used.add(item)
            elif key == "href" and isinstance(item, str) and item.startswith("#"):
                used.add(item[1:])
            else:
                _uuids(item, defined, used)


def validate_oscal(doc: dict[str, Any], model: str = "assessment_results") -> None:
    """The models' validation, NIST's minItems, and every uuid reference resolving in the document."""
    import importlib

    module = importlib.import_module(f"trestle.oscal.{model}")
    module.Model.parse_obj(doc)
    _no_empty_arrays(doc)
    defined: set[str] = set()
    used: set[str] = set()
    _uuids(doc, defined, used)
    assert used <= defined, f"references to nothing: {sorted(used - defined)[:5]}"


def validate_hdf(doc: dict[str, Any]) -> None:
    schema = json.loads(HDF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(doc)
