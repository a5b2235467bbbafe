"""Result entries as archive rows. ``encode_record`` runs in the batch workers: the parent only
inserts ready-made tuples, so archiving costs it little more than writing a file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from checkengine import jsonout
from checkengine.engine import record_date
from checkengine.kinds import person_of
from checkengine.records import Record


def _json(value: Any) -> str:
    return jsonout.dumps(value, sort_keys=True)


def _json_or_null(value: Any) -> str | None:
    return None if value in (None, {}, []) else _json(value)


def periods(day: date | None) -> tuple[str | None, str | None, str | None]:
    """(YYYY-MM-DD, YYYY-MM, YYYY-Www) of a day."""
    if day is None:
        return None, None, None
    year, week, _ = day.isocalendar()
    return day.isoformat(), day.strftime("%Y-%m"), f"{year}-W{week:02d}"


def group_periods(group: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    """The day, month and week a group's period label stands for (a day has all three)."""
    label = group.get("period") or group.get("day") or group.get("date")
    if not isinstance(label, str):
        return None, None, None
    if "-W" in label:
        return None, None, label
    if len(label) == 7:
        return None, label, None
    try:
        return periods(date.fromisoformat(label[:10]))
    except ValueError:
        return None, None, None


@dataclass
class RecordRows:
    """One evaluated record: its ``records`` row and its ``outcomes`` rows, without ids."""

    record: tuple[Any, ...]
    outcomes: list[tuple[Any, ...]]


def scope(data: Mapping[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(site, team, employee) of a record, as the engine's waiver scope reads them."""
    subject = data.get("subject") or {}
    return (data.get("site") or {}).get("id"), subject.get("team"), person_of(data)


def outcome_row(o: Mapping[str, Any], where: tuple[Any, ...]) -> tuple[Any, ...]:
    """The columns from ``rule`` to ``details``; *where* is (site, team, employee, day, month, week)."""
    return (
        o["rule"], o["section"], o["outcome"], o["severity"], o["weight"], *where,
        o["explanation"], _json(o.get("observed")), _json(o.get("expected")),
        _json_or_null(o.get("parameters")), _json_or_null(o.get("waiver")), o.get("comment"),
        _json_or_null(o.get("evidence")), _json_or_null(o.get("details")),
    )


def encode_record(seq: int, entry: dict[str, Any], record: Record) -> RecordRows:
    data = record.data
    site, team, employee = scope(data)
    day, month, week = periods(record_date(data))
    score = entry.get("score") or {}
    passed = score.get("passed")
    role = (data.get("subject") or {}).get("role")
    row = (
        seq, data["id"], data["kind"], site, team, employee, role, data.get("timestamp"), day, month, week,
        record.location.file, record.location.line, score.get("score"),
        None if passed is None else int(bool(passed)), score.get("grade"), _json(data),
    )
    where = (site, team, employee, day, month, week)
    return RecordRows(row, [outcome_row(o, where) for o in entry["outcomes"]])


def group_row(entry: Mapping[str, Any]) -> tuple[str, tuple[Any, ...]]:
    """(group key, outcome columns) of an aggregate group's outcome."""
    group = entry.get("group") or {}
    where = (group.get("site"), group.get("team"), group.get("employee"), *group_periods(group))
    return _json(group), outcome_row(entry, where)
