"""The evidence a form carries: JSON files embedded as PDF/A-3 associated files.

An audit form embeds the inspection record, the evaluation result and the merged rulebook
(with its digest), and the waivers when some were applied; a blank checklist embeds the map
from its form fields back to rule ids and observation names.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from checkengine.errors import UserError

RECORD = "record.json"
RESULT = "result.json"
RULEBOOK = "rulebook.json"
WAIVERS = "waivers.json"
CHECKLIST = "checklist.json"

DESCRIPTIONS = {
    RECORD: ("The inspection record, as validated", "Source"),
    RESULT: ("The evaluation result printed on this form", "Data"),
    RULEBOOK: ("The merged rulebook the record was evaluated against, with its digest", "Source"),
    WAIVERS: ("The waivers applied in the evaluation", "Supplement"),
    CHECKLIST: ("Map from this checklist's form fields to rule ids and observations", "Supplement"),
}


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot store a {type(value).__name__} in a form attachment")


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=_plain).encode("utf-8")


def weasyprint_attachments(files: dict[str, Any]) -> list[Any]:
    """WeasyPrint ``Attachment`` objects for *files* (name -> JSON-able data), in a fixed order."""
    from weasyprint import Attachment

    fixed = datetime(2000, 1, 1)
    out = []
    for name, data in files.items():
        description, relationship = DESCRIPTIONS.get(name, ("", "Unspecified"))
        out.append(
            Attachment(
                string=to_json(data),
                name=name,
                description=description,
                relationship=relationship,
                created=fixed,
                modified=fixed,
            )
        )
    return out


def read_attachments(pdf: bytes | Path | str) -> dict[str, bytes]:
    """The embedded files of a PDF, by name (the last one of a name wins)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    source: Any = io.BytesIO(pdf) if isinstance(pdf, bytes) else str(pdf)
    try:
        reader = PdfReader(source)
        found = reader.attachments
        return {name: contents[-1] for name, contents in found.items() if contents}
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise UserError(f"{pdf if not isinstance(pdf, bytes) else 'the PDF'}: cannot read its attachments ({exc})") from None


def read_json_attachment(files: dict[str, bytes], name: str, where: str) -> Any:
    if name not in files:
        raise UserError(f"{where}: the form carries no '{name}' attachment; was it made by checkengine?")
    try:
        return json.loads(files[name].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{where}: the attachment '{name}' is not valid JSON ({exc})") from None
