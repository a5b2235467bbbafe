"""A plugin that prepares records: it derives ``data.minutes_late`` from the attendance times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from checkengine import hookimpl

calls: list[str] = []


@hookimpl
def checkengine_prepare_record(record: dict[str, Any]) -> None:
    calls.append(record["id"])
    data = record.get("data") or {}
    if record["kind"] == "attendance" and "on_post_at" in data:
        late = datetime.fromisoformat(data["on_post_at"]) - datetime.fromisoformat(data["shift_start"])
        data["minutes_late"] = max(0.0, late.total_seconds() / 60)
