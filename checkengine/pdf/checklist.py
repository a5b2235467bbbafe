"""The blank checklist: a printable, fillable PDF (AcroForm) that reads back into a record.

A checklist is for one kind of visit (a record kind that its plugin registers as filled in on a visit,
``RecordKind.checklist``), and that kind comes from the rulebook: the rules it lists are those in force on the date
that apply to that kind and read only what a checklist collects (observations and the auditor's
answers), so that every row can be judged from the filled form.

Each row is a rule: its title, the question it asks (a manual rule's ``prompt``), the clauses it
enforces, a choice field for the auditor's answer (``pass``, ``fail``, ``n.a.``, or left blank:
not answered) and a comment field. Below the title come the observations the rule reads, each
with the question the rule asks about it (the rule's ``observations`` texts): a yes/no choice,
a number or a text, as the rule's check type says (``CheckType.checklist_widget``). Choice fields stand in for radio buttons, whose WeasyPrint output some readers
mishandle; their values are Latin (``pass``, ``yes``) because form fields embed one Latin face,
and the page prints what they mean in the checklist's language. Field names are short and plain
(``r001``, ``c001``, ``o001``); the map from them to rule ids and observation names travels inside
the PDF as the attachment ``checklist.json``, so :func:`read_checklist` needs nothing but the
filled file.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from checkengine.errors import UserError
from checkengine.i18n import pick
from checkengine.pdf import attachments as att
from checkengine.pdf import fonts
from checkengine.pdf.checklist_read import ANSWERS, SCHEMA, YES_NO, read_checklist, read_filled
from checkengine.pdf.fetcher import SafeFetcher, check_record_text
from checkengine.pdf.labels import Formatter, css_string, forms_dir
from checkengine.pdf.output import atomic_output, refuse_existing
from checkengine.plugins import Registry, default_registry

#: What a read-back checklist record holds; a rule that reads anything else (``data.*``, the
#: inspector's role ...) cannot be judged from the checklist and is not listed.
_COLLECTED = frozenset({"observations", "answers", "subject", "site", "timestamp", "kind", "id"})
_RECORD_REF = re.compile(r"\brecord\.([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?")
_WHEN_BOOL = re.compile(r"record\.observations\.([A-Za-z_][A-Za-z0-9_]*)\s*[!=]=\s*(?:true|false)\b")

__all__ = ["ANSWERS", "SCHEMA", "checklist_kind", "visit_kinds", "judged_on_visit", "read_checklist",
           "observations_of", "read_filled", "render_checklist", "rules_in_force"]


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


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _reads(rule: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(top-level record field, the next part) of every field the rule reads, in order."""
    found: list[tuple[str, str | None]] = []
    for check in _checks(rule.get("check")):
        name = check.get("field")
        if isinstance(name, str):
            parts = name.split(".")
            found.append((parts[0], parts[1] if len(parts) > 1 else None))
    for text in _strings(rule.get("check")) + ([rule["when"]] if isinstance(rule.get("when"), str) else []):
        found += [(m.group(1), m.group(2)) for m in _RECORD_REF.finditer(text)]
    return found


def judged_on_visit(rule: dict[str, Any], kind: str) -> bool:
    """Whether *rule* applies to *kind* records and reads only what a checklist collects."""
    kinds = (rule.get("applies_to") or {}).get("kinds")
    if kinds and kind not in kinds:
        return False
    return all(top in _COLLECTED for top, _ in _reads(rule))


def visit_kinds(registry: Registry | None = None) -> list[str]:
    """The record kinds filled in on a visit (observations and answers): those registered with
    ``checklist=True``."""
    kinds = (registry or default_registry()).record_kinds.values()
    return [kind.name for kind in kinds if kind.checklist]


def checklist_kind(merged: dict[str, Any], asked: str | None, registry: Registry | None = None) -> str:
    """The kind of visit the checklist is for: the one the rulebook's rules judge on a visit, or
    *asked* among them when there are several."""
    book = merged.get("id")
    rules = [rule for section in merged.get("sections", []) for rule in section.get("rules", [])]
    known = visit_kinds(registry)
    found = [k for k in known if any(judged_on_visit(rule, k) for rule in rules)]
    visits = ", ".join(known)
    if not found:
        raise UserError(f"the rulebook '{book}' has no rule for a visit ({visits}); a checklist is filled in "
                        "on a visit: choose a rulebook with inspection rules")
    if asked is not None:
        if asked not in known:
            raise UserError(f"--kind {asked}: a checklist is for a visit: {visits}")
        if asked not in found:
            raise UserError(f"--kind {asked}: no rule of '{book}' applies to {asked} records; "
                            f"its checklists are for: {', '.join(found)}")
        return asked
    if len(found) > 1:
        raise UserError(f"the rulebook '{book}' has rules for {len(found)} kinds of visit ({', '.join(found)}); "
                        "choose one with --kind")
    return found[0]


def _observations_of(rule: dict[str, Any], registry: Registry) -> dict[str, str]:
    """Observation name -> ``bool``, ``number`` or ``text``, for each observation *rule* reads: as
    the check's type says (``CheckType.checklist_widget``), else by the value it compares with."""
    kinds: dict[str, str] = {}
    for check in _checks(rule.get("check")):
        name = check.get("field")
        if not isinstance(name, str) or not name.startswith("observations."):
            continue
        value = check.get("value")
        check_type = registry.check_types.get(str(check.get("type")))
        kind = check_type.checklist_widget(check) if check_type is not None else None
        if kind is None:
            kind = "number" if isinstance(value, (int, float)) and not isinstance(value, bool) else "text"
        kinds.setdefault(name.split(".", 1)[1], kind)
    booleans = {m.group(1) for m in _WHEN_BOOL.finditer(" ".join(_strings(rule.get("check")) + [rule.get("when") or ""]))}
    for top, name in _reads(rule):
        if top == "observations" and name:
            kinds.setdefault(name, "bool" if name in booleans else "text")
    return kinds


#: what the web checklist (checkengine.web.checklist) asks for each rule: the same observations, typed alike
observations_of = _observations_of


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
    kind: str | None = None,
    timezone: str = "UTC",
    record_id: str | None = None,
    out_path: Path | str | None = None,
    force: bool = False,
    warn: Callable[[str], None] | None = None,
    registry: Registry | None = None,
) -> bytes:
    """Render the blank checklist of a rulebook for one subject, date and kind of visit (by
    default the one the rulebook's rules are for); write it if asked. *warn* is told of each
    observation the rulebook gives no question for (the checklist then shows its name)."""
    from checkengine.pdf.form_view import require_language
    from checkengine.pdf.weasy import environment, html_to_document, write_document
    from checkengine.rulebook.load import digest

    if out_path is not None:
        refuse_existing(Path(out_path), force=force)
    languages = require_language(rulebook_merged, lang)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"--timezone {timezone}: not a known time zone (e.g. Asia/Taipei)") from None
    check_record_text({"subject": subject, "site": site})
    registry = registry or default_registry()
    kind = checklist_kind(rulebook_merged, kind, registry)
    fonts.require_fonts(lang)
    fmt = Formatter(lang)
    labels = fmt.labels
    source_lang = (languages or ["en"])[0]
    selected = [(s, r) for s, r in rules_in_force(rulebook_merged, day) if judged_on_visit(r, kind)]
    if not selected:
        raise UserError(f"the rulebook '{rulebook_merged.get('id')}' has no rule for {kind} records in force on "
                        f"{day.isoformat()}")
    fields: dict[str, dict[str, Any]] = {}
    sections: list[dict[str, Any]] = []
    cited: dict[str, dict[str, str]] = {}
    catalogue = rulebook_merged.get("sources", {})
    seen: set[str] = set()
    number = 0
    for n, (section, rule) in enumerate(selected, start=1):
        if not sections or sections[-1]["id"] != section.get("id"):
            sections.append({"id": section.get("id"), "title": pick(section.get("title"), lang, source_lang) or section.get("id"), "rows": []})
        src = rule.get("source")
        items = src if isinstance(src, list) else [src]
        clauses = []
        for item in items:
            cid = item.get("clause") if isinstance(item, dict) else item
            known = catalogue.get(cid, {}) if isinstance(cid, str) else {}
            clauses.append({"clause": cid, "number": known.get("clause", "")})
            if isinstance(cid, str) and cid not in cited:
                cited[cid] = {"clause": cid, "number": known.get("clause", ""), "text": known.get("text", "")}
        answer, comment = f"r{n:03d}", f"c{n:03d}"
        fields[answer] = {"rule": rule["id"], "part": "result"}
        fields[comment] = {"rule": rule["id"], "part": "comment"}
        check = rule.get("check") or {}
        questions = rule.get("observations") or {}
        observations = []
        for name, kind_of in _observations_of(rule, registry).items():
            if name in seen:
                continue  # asked once, at the first rule that reads it
            seen.add(name)
            number += 1
            field = f"o{number:03d}"
            asked = questions.get(name) or {}
            label = pick(asked.get("question"), lang, source_lang) or name
            if not asked and warn is not None:
                warn(f"observation '{name}' (rule {rule['id']}) has no question in the rulebook, so the checklist "
                     f"shows its name; add observations: {{{name}: {{question: ...}}}} to the rule")
            codes = asked.get("choices") or {}
            if codes:
                kind_of = "choice"
            fields[field] = {"observation": name, "type": kind_of, "label": label, "rule": rule["id"]}
            # (value in the field, value in the record) pairs: a list keeps the order in the JSON
            if kind_of == "bool":
                fields[field]["choices"] = [list(pair) for pair in YES_NO]
            elif codes:
                fields[field]["choices"] = [[code, code] for code in codes]
            observations.append({"name": name, "label": label, "field": field, "type": kind_of,
                                 "choices": [{"code": c, "meaning": pick(t, lang, source_lang)} for c, t in codes.items()]})
        sections[-1]["rows"].append(
            {"rule": rule["id"], "title": pick(rule.get("title"), lang, source_lang),
             "prompt": pick(check.get("prompt"), lang, source_lang) if check.get("prompt") else "",
             "sources": clauses, "answer": answer, "comment": comment, "observations": observations}
        )
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
        kind=kind,
        sections=sections,
        cited=list(cited.values()),
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
