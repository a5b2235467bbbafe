"""The blank checklist: a printable, fillable PDF (AcroForm) that reads back into a record.

Each rule in force on the inspection date gets a row with a choice field (``pass``, ``fail``,
``n.a.``) and a comment field; each observation a rule reads (``observations.NAME``) gets a
field of its own: a checkbox for yes/no observations, a text field otherwise. Choice fields
stand in for radio buttons, whose WeasyPrint output some readers mishandle. Field names are
short and plain (``r001``, ``c001``, ``o001``); the map from them to rule ids and observation
names travels inside the PDF as the attachment ``checklist.json``, so :func:`read_checklist`
needs nothing but the filled file.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from checkengine.errors import UserError
from checkengine.i18n import pick
from checkengine.pdf import attachments as att
from checkengine.pdf import fonts
from checkengine.pdf.fetcher import SafeFetcher, check_record_text
from checkengine.pdf.labels import Formatter, css_string, forms_dir
from checkengine.pdf.output import atomic_output, read_pdf, refuse_existing

SCHEMA = "checkengine/checklist/1"
ANSWERS = ("pass", "fail", "n.a.")
_WHEN_FIELD = re.compile(r"record\.observations\.([A-Za-z_][A-Za-z0-9_]*)(\s*[!=]=\s*(?:true|false)\b)?")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _checks(check: Any) -> list[dict[str, Any]]:
    """A check and every check nested in it (all/any/not style combinators)."""
    if not isinstance(check, dict):
        return []
    found = [check]
    for value in check.values():
        if isinstance(value, dict):
            found += _checks(value)
        elif isinstance(value, list):
            for item in value:
                found += _checks(item)
    return found


def observation_fields(rules: list[dict[str, Any]]) -> dict[str, str]:
    """Observation name -> ``bool``, ``number`` or ``text``, from the fields the rules read."""
    kinds: dict[str, str] = {}
    for rule in rules:
        for check in _checks(rule.get("check")):
            name = check.get("field")
            if not isinstance(name, str) or not name.startswith("observations."):
                continue
            key = name.split(".", 1)[1]
            value = check.get("value")
            if check.get("type") == "equals" and isinstance(value, bool):
                kind = "bool"
            elif check.get("type") == "in_range" or (
                isinstance(value, (int, float)) and not isinstance(value, bool)
            ):
                kind = "number"
            else:
                kind = "text"
            kinds.setdefault(key, kind)
        when = rule.get("when")
        if isinstance(when, str):
            for match in _WHEN_FIELD.finditer(when):
                boolean = match.group(2) is not None
                kinds.setdefault(match.group(1), "bool" if boolean else "text")
    return kinds


def rules_in_force(merged: dict[str, Any], day: date) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    out = []
    iso = day.isoformat()
    for section in merged.get("sections", []):
        for rule in section.get("rules", []):
            effective = rule.get("effective") or {}
            if effective.get("from") and iso < str(effective["from"]):
                continue
            if effective.get("until") and iso > str(effective["until"]):
                continue
            out.append((section, rule))
    return out


def render_checklist(
    rulebook_merged: dict[str, Any],
    *,
    subject: dict[str, Any],
    day: date,
    lang: str,
    site: str | dict[str, Any] | None = None,
    kind: str = "floor_inspection",
    timezone: str = "UTC",
    record_id: str | None = None,
    out_path: Path | str | None = None,
    force: bool = False,
) -> bytes:
    """Render the blank checklist of a rulebook for one subject and date; write it if asked."""
    from checkengine.pdf.render import environment, html_to_document, require_language, write_document
    from checkengine.rulebook.load import digest

    if out_path is not None:
        refuse_existing(Path(out_path), force=force)
    languages = require_language(rulebook_merged, lang)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"--timezone {timezone}: not a known time zone (e.g. Asia/Taipei)") from None
    check_record_text({"subject": subject, "site": site})
    fonts.require_fonts(lang)
    fmt = Formatter(lang)
    labels = fmt.labels
    source_lang = (languages or ["en"])[0]
    selected = rules_in_force(rulebook_merged, day)
    if not selected:
        raise UserError(f"the rulebook '{rulebook_merged.get('id')}' has no rule in force on {day.isoformat()}")
    fields: dict[str, dict[str, Any]] = {}
    sections: list[dict[str, Any]] = []
    catalogue = rulebook_merged.get("sources", {})
    for n, (section, rule) in enumerate(selected, start=1):
        if not sections or sections[-1]["id"] != section.get("id"):
            sections.append({"id": section.get("id"), "title": pick(section.get("title"), lang, source_lang) or section.get("id"), "rows": []})
        src = rule.get("source")
        items = src if isinstance(src, list) else [src]
        clauses = []
        for item in items:
            cid = item.get("clause") if isinstance(item, dict) else item
            known = catalogue.get(cid, {}) if isinstance(cid, str) else {}
            clauses.append({"clause": cid, "number": known.get("clause", ""), "text": known.get("text", "")})
        answer, comment = f"r{n:03d}", f"c{n:03d}"
        fields[answer] = {"rule": rule["id"], "part": "result"}
        fields[comment] = {"rule": rule["id"], "part": "comment"}
        sections[-1]["rows"].append(
            {"rule": rule["id"], "title": pick(rule.get("title"), lang, source_lang), "sources": clauses,
             "answer": answer, "comment": comment}
        )
    observations = []
    for n, (name, kind_of) in enumerate(observation_fields([r for _, r in selected]).items(), start=1):
        field = f"o{n:03d}"
        fields[field] = {"observation": name, "type": kind_of}
        observations.append({"name": name, "field": field, "type": kind_of})
    fields["inspector"] = {"header": "inspector"}
    fields["time"] = {"header": "time"}

    site_id = site.get("id") if isinstance(site, dict) else site
    subject_text = " · ".join(str(subject[k]) for k in ("name", "employee", "role", "team") if subject.get(k))
    mapping: dict[str, Any] = {
        "schema": SCHEMA,
        "rulebook": {"id": rulebook_merged.get("id"), "version": rulebook_merged.get("version"), "digest": digest(rulebook_merged)},
        "language": lang,
        "record": {
            "kind": kind,
            "id": record_id or f"{rulebook_merged.get('id')}-{subject.get('employee') or 'subject'}-{day.isoformat()}",
            "site": site,
            "subject": subject,
            "date": day.isoformat(),
            "timezone": timezone,
        },
        "fields": fields,
    }
    html = environment().get_template("checklist.html.j2").render(
        html_lang=fonts.html_lang(lang),
        L=labels,
        css=css_string,
        rulebook_title=pick(rulebook_merged.get("title"), lang, source_lang),
        rulebook_id=str(rulebook_merged.get("id", "")),
        rulebook_version=str(rulebook_merged.get("version", "")),
        rulebook_digest=mapping["rulebook"]["digest"],
        subject=subject_text,
        site=str(site_id or ""),
        day=fmt.date(day),
        timezone=timezone,
        sections=sections,
        observations=observations,
    )
    fetcher = SafeFetcher([forms_dir()], max_bytes=10 * 1024 * 1024)
    document = html_to_document(html, fetcher=fetcher, pdf_forms=True)
    pdf = write_document(
        document, fetcher=fetcher, pdf_forms=True, attachments=att.weasyprint_attachments({att.CHECKLIST: mapping})
    )
    if out_path is not None:
        with atomic_output(out_path, force=force) as fh:
            fh.write(pdf)
    return pdf


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


def read_checklist(path: Path | str) -> dict[str, Any]:
    """Turn a filled checklist back into an inspection record (a plain dict)."""
    pdf = read_pdf(path)
    where = str(Path(path))
    mapping = att.read_json_attachment(att.read_attachments(pdf), att.CHECKLIST, where)
    if not isinstance(mapping, dict) or mapping.get("schema") != SCHEMA:
        raise UserError(f"{where}: the attachment '{att.CHECKLIST}' is not a checkengine checklist map")
    values = _field_values(pdf, where)
    meta = mapping["record"]
    day = date.fromisoformat(meta["date"])
    answers: dict[str, dict[str, Any]] = {}
    comments: dict[str, str] = {}
    observations: dict[str, Any] = {}
    inspector = ""
    clock = time(0, 0)
    for name, spec in mapping["fields"].items():
        if name not in values:
            raise UserError(f"{where}: the form field '{name}' is missing; the checklist was altered")
        raw = values[name]
        label = spec.get("rule") or spec.get("observation") or spec.get("header")
        if spec.get("part") == "result":
            text = _text(raw).strip()
            if text:
                if text not in ANSWERS:
                    raise UserError(f"{where}: field {name} ({label}): '{text}' is not one of {', '.join(ANSWERS)}")
                answers[spec["rule"]] = {"result": text}
        elif spec.get("part") == "comment":
            text = _text(raw)
            if text.strip():
                comments[spec["rule"]] = text
        elif "observation" in spec:
            kind = spec.get("type")
            if kind == "bool":
                observations[spec["observation"]] = _text(raw) not in ("", "/Off", "Off")
                continue
            text = _text(raw).strip()
            if not text:
                continue
            if kind == "number":
                try:
                    number = float(text.replace(",", "."))
                except ValueError:
                    raise UserError(f"{where}: field {name} (observations.{label}): '{text}' is not a number") from None
                observations[spec["observation"]] = int(number) if number.is_integer() else number
            else:
                observations[spec["observation"]] = text
        elif spec.get("header") == "inspector":
            inspector = _text(raw).strip()
        elif spec.get("header") == "time":
            text = _text(raw).strip()
            if text:
                match = _TIME.match(text)
                if not match:
                    raise UserError(f"{where}: field time: '{text}' is not a time of day (HH:MM)")
                clock = time(int(match.group(1)), int(match.group(2)))
    for rule, comment in comments.items():
        if rule not in answers:
            raise UserError(f"{where}: rule {rule} has a comment but no answer; choose pass, fail or n.a.")
        answers[rule]["comment"] = comment
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
    return record
