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


def validate_oscal(doc: dict[str, Any], model: str = "assessment_results") -> None:
    import importlib

    module = importlib.import_module(f"trestle.oscal.{model}")
    module.Model.parse_obj(doc)
    _no_empty_arrays(doc)


def validate_hdf(doc: dict[str, Any]) -> None:
    schema = json.loads(HDF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(doc)
