"""Reading a filled checklist back as an inspection record, without making anything up.

An item left blank is *not answered*: a rule without an answer is left out of ``answers`` (a
manual rule then needs review), an observation without a value is ``null`` (not known: the rules
that read it need review), never ``false``. A checklist with nothing filled in is refused, and so
is one without the time of the visit: the record's timestamp is never invented.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from checkengine.errors import UserError
from checkengine.pdf import attachments as att
from checkengine.pdf.output import read_pdf

SCHEMA = "checkengine/checklist/2"
#: Earlier checklists (yes/no observations were checkboxes); still read, an unticked box as not known.
OLD_SCHEMAS = ("checkengine/checklist/1",)
ANSWERS = ("pass", "fail", "n.a.")
#: The values of a yes/no observation's choice field.
YES_NO = (("yes", True), ("no", False))
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass
class Filled:
    """A filled checklist read back: the record, and what was left blank."""

    record: dict[str, Any]
    unanswered_rules: list[str] = field(default_factory=list)
    unanswered_observations: list[str] = field(default_factory=list)


def _field_values(pdf: bytes, where: str) -> dict[str, Any]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(pdf))
        found = reader.get_fields() or {}
    except (PdfReadError, ValueError, KeyError) as exc:
        raise UserError(f"{where}: cannot read the form fields ({exc})") from None
    return {name: f.get("/V") for name, f in found.items()}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value)


def _offset(day: date, clock: time, zone: str) -> str:
    moment = datetime.combine(day, clock, tzinfo=ZoneInfo(zone))
    return moment.isoformat(timespec="seconds")


def _observation(name: str, spec: dict[str, Any], raw: Any, where: str) -> Any:
    """The value of one observation field; None when it was left blank."""
    label = spec.get("label") or spec["observation"]
    kind = spec.get("type")
    text = _text(raw).strip()
    if kind == "bool" and "choices" not in spec:  # a checkbox of an earlier checklist
        return True if text not in ("", "/Off", "Off") else None
    if not text:
        return None
    if kind in ("bool", "choice"):
        choices = {str(shown): value for shown, value in spec["choices"]}
        if text not in choices:
            raise UserError(f"{where}: field {name} ({label}): '{text}' is not one of {', '.join(choices)}")
        return choices[text]
    if kind == "number":
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise UserError(f"{where}: field {name} (observations.{spec['observation']}): '{text}' is not a "
                            "number") from None
        return int(number) if number.is_integer() else number
    return text


def read_filled(path: Path | str) -> Filled:
    """Turn a filled checklist back into an inspection record, with what was left unanswered."""
    pdf = read_pdf(path)
    where = str(Path(path))
    mapping = att.read_json_attachment(att.read_attachments(pdf), att.CHECKLIST, where)
    if not isinstance(mapping, dict) or mapping.get("schema") not in (SCHEMA, *OLD_SCHEMAS):
        raise UserError(f"{where}: the attachment '{att.CHECKLIST}' is not a checkengine checklist map")
    values = _field_values(pdf, where)
    meta = mapping["record"]
    day = date.fromisoformat(meta["date"])
    answers: dict[str, dict[str, Any]] = {}
    comments: dict[str, str] = {}
    observations: dict[str, Any] = {}
    rules: list[str] = []
    inspector = ""
    clock: time | None = None
    for name, spec in mapping["fields"].items():
        if name not in values:
            raise UserError(f"{where}: the form field '{name}' is missing; the checklist was altered")
        raw = values[name]
        if spec.get("part") == "result":
            rules.append(spec["rule"])
            text = _text(raw).strip()
            if text:
                if text not in ANSWERS:
                    raise UserError(f"{where}: field {name} ({spec['rule']}): '{text}' is not one of {', '.join(ANSWERS)}")
                answers[spec["rule"]] = {"result": text}
        elif spec.get("part") == "comment":
            text = _text(raw)
            if text.strip():
                comments[spec["rule"]] = text
        elif "observation" in spec:
            observations[spec["observation"]] = _observation(name, spec, raw, where)
        elif spec.get("header") == "inspector":
            inspector = _text(raw).strip()
        elif spec.get("header") == "time":
            text = _text(raw).strip()
            if text:
                match = _TIME.match(text)
                if not match:
                    raise UserError(f"{where}: field time: '{text}' is not a time of day (HH:MM)")
                clock = time(int(match.group(1)), int(match.group(2)))
    filled_in = answers or comments or inspector or clock or any(v is not None for v in observations.values())
    if not filled_in:
        raise UserError(f"{where}: nothing was filled in (no answer, observation, comment, time or inspector); "
                        "fill in the checklist, then read it back")
    for rule, comment in comments.items():
        if rule not in answers:
            raise UserError(f"{where}: rule {rule} has a comment but no answer; choose pass, fail or n.a.")
        answers[rule]["comment"] = comment
    if clock is None:
        raise UserError(f"{where}: field time: the time of the visit is not filled in; write it as HH:MM "
                        "(the record's timestamp is never guessed)")
    record: dict[str, Any] = {
        "checkengine": 1,
        "kind": meta["kind"],
        "id": meta["id"],
    }
    if meta.get("site"):
        record["site"] = meta["site"]
    record["timestamp"] = _offset(day, clock, meta.get("timezone") or "UTC")
    if inspector:
        record["inspector"] = {"name": inspector}
    if meta.get("subject"):
        record["subject"] = meta["subject"]
    record["observations"] = observations
    record["answers"] = answers
    return Filled(record, [r for r in rules if r not in answers],
                  [n for n, v in observations.items() if v is None])


def read_checklist(path: Path | str) -> dict[str, Any]:
    """Turn a filled checklist back into an inspection record (a plain dict)."""
    return read_filled(path).record
