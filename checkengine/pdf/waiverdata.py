"""Waivers as plain data, to embed in a form and to rebuild for re-evaluation."""

from __future__ import annotations

from dataclasses import fields
from typing import Any


def waivers_to_data(waivers: list[Any]) -> list[dict[str, Any]]:
    out = []
    for w in waivers:
        out.append({f.name: getattr(w, f.name) for f in fields(w) if f.name != "location"})
    return out


def waivers_from_data(data: Any) -> list[Any]:
    from checkengine.waivers import Waiver

    if not data:
        return []
    names = {f.name for f in fields(Waiver)} - {"location"}
    return [Waiver(**{k: v for k, v in item.items() if k in names}) for item in data]
