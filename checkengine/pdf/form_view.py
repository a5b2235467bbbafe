"""The audit form as data: the format-neutral view of one evaluated record that a template renders
- the cover (headline, then the failed and critical items with photos, clauses and corrective
actions: :mod:`checkengine.pdf.form_cover`), the full checklist (sections and rows, every value
and reason in the form's language: :mod:`checkengine.pdf.form_words`), the clauses quoted once,
the signature blocks. It knows nothing of the engine or of WeasyPrint: it takes the evaluation
result, the record and the merged rulebook as plain data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checkengine.errors import UserError
from checkengine.i18n import pick
from checkengine.pdf import fonts
from checkengine.pdf.fetcher import DEFAULT_MAX_PHOTO_MB, check_record_text, resolve_evidence
from checkengine.pdf.form_cover import action_of, clauses, cover_items, listed_actions, pass_rate, record_day
from checkengine.pdf.form_words import Words
from checkengine.pdf.labels import Formatter, Labels


def _name_of(person: Any) -> str:
    if isinstance(person, dict):
        name = person.get("name") or ""
        ident = person.get("id") or person.get("employee") or ""
        if name and ident:
            return f"{name} ({ident})"
        return str(name or ident)
    return str(person or "")


def _site(record: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]]:
    site = record.get("site")
    if isinstance(site, dict):
        name = site.get("name")
        ident = site.get("id", "")
        text = f"{pick(name, 'en')} ({ident})" if name else str(ident)
        return text, site.get("timezone"), site
    return str(site or ""), None, {}


def _subject(subject: Any, labels: Labels) -> str:
    if not isinstance(subject, dict):
        return str(subject or "")
    parts = [_name_of({"name": subject.get("name"), "id": subject.get("employee")})]
    extra = [str(subject[k]) for k in ("role", "team") if subject.get(k)]
    if extra:
        parts.append("· " + " · ".join(extra))
    return " ".join(p for p in parts if p)


def _rule_index(merged: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for s in merged.get("sections", []) for r in s.get("rules", [])}


def _sources(outcome: dict[str, Any], merged: dict[str, Any]) -> list[dict[str, str]]:
    src = outcome.get("source")
    items = src if isinstance(src, list) else [src] if src else []
    out = []
    catalogue = merged.get("sources", {})
    for item in items:
        if isinstance(item, str):
            known = catalogue.get(item, {})
            item = {"clause": item, "number": known.get("clause", ""), "text": known.get("text", "")}
        out.append(
            {
                "clause": str(item.get("clause", "")),
                "number": str(item.get("number", "")),
                "text": str(item.get("text", "")),
                "translation": str(item.get("translation") or ""),
            }
        )
    return out


def _evidence_refs(outcome: dict[str, Any], record: dict[str, Any]) -> list[tuple[str, str]]:
    """(field path, relative path) of every evidence file of a rule, record answers first."""
    rule = outcome.get("rule", "")
    refs: list[tuple[str, str]] = []
    answer = (record.get("answers") or {}).get(rule) or {}
    for i, item in enumerate(answer.get("evidence") or [] if isinstance(answer, dict) else []):
        path = item.get("path") or item.get("file") if isinstance(item, dict) else item
        refs.append((f"answers.{rule}.evidence[{i}]", str(path)))
    seen = {p for _, p in refs}
    for i, item in enumerate(outcome.get("evidence") or []):
        path = item.get("path") or item.get("file") if isinstance(item, dict) else item
        if str(path) not in seen:
            refs.append((f"result: {rule}.evidence[{i}]", str(path)))
            seen.add(str(path))
    return refs


def require_language(merged: dict[str, Any], lang: str) -> list[str]:
    """The rulebook's (merged) languages; a UserError unless it has a translation into *lang*."""
    languages: list[str] = merged.get("languages") or []
    if languages and lang not in languages:
        raise UserError(
            f"the rulebook '{merged.get('id')}' has no '{lang}' translation; its "
            f"languages are {', '.join(languages)}"
        )
    return languages


def _waiver_text(waiver: Any, labels: Labels, lang: str, source_lang: str) -> str | None:
    if not waiver:
        return None
    if isinstance(waiver, dict):
        text = pick(waiver.get("reason"), lang, source_lang)
        if waiver.get("approved_by"):
            text += f" ({labels['approved_by']} {waiver['approved_by']})"
        return text
    return str(waiver)


def _row(o: dict[str, Any], rule: dict[str, Any], record: dict[str, Any], fmt: Formatter, lang: str,
         source_lang: str, sources: list[dict[str, str]]) -> dict[str, Any]:
    """One checklist row: values and the note in the form's language (no CEL, no field names)."""
    labels = fmt.labels
    words = Words(rule, fmt, lang, source_lang)
    outcome = str(o.get("outcome", ""))
    if outcome == "not_applicable":
        note = words.not_applicable(o, record)
    elif outcome in ("needs_review", "error"):
        note = words.explanation(o)
    else:
        note = ""
    shown = outcome != "not_applicable" or o.get("observed") not in (None, "n.a.")
    return {
        "rule": str(o.get("rule", "")),
        "title": pick(o.get("title"), lang, source_lang),
        "severity": labels.get(f"severity_{o.get('severity')}", str(o.get("severity", ""))),
        "outcome": outcome,
        "outcome_label": labels.get(f"outcome_{outcome}", outcome),
        "observed": words.value(o.get("observed")) if shown else "—",
        "expected": words.value(o.get("expected")) if shown else "—",
        "note": note,
        "comment": o.get("comment") or "",
        "waiver": _waiver_text(o.get("waiver"), labels, lang, source_lang),
        "sources": sources,
        "source_refs": [src["clause"] for src in sources],
    }


def audit_context(
    result: dict[str, Any],
    record: dict[str, Any],
    merged: dict[str, Any],
    *,
    lang: str,
    base_dir: Path,
    max_photo_mb: float = DEFAULT_MAX_PHOTO_MB,
    signer_names: dict[str, str] | None = None,
    action_status: dict[str, str] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The template context of an audit form, and the map photo path -> record field.

    *action_status* maps a rule id to its corrective action's tracked status (``open``,
    ``in_progress``, ``done``, ...); an action it does not name is ``open``."""
    records = result.get("records") or []
    if len(records) != 1:
        raise UserError(f"an audit form shows exactly one record; the result has {len(records)}")
    entry = records[0]
    outcomes: list[dict[str, Any]] = entry.get("outcomes") or []
    check_record_text(record)

    fmt = Formatter(lang)
    labels = fmt.labels
    source_lang = (merged.get("languages") or ["en"])[0]
    site_text, zone, site = _site(record)
    when = record.get("timestamp") or entry.get("record", {}).get("timestamp")
    rules = _rule_index(merged)

    header = {
        "record_id": str(record.get("id", entry.get("record", {}).get("id", ""))),
        "site": site_text,
        "when": fmt.datetime(when, zone),
        "inspector": _name_of(record.get("inspector")),
        "subject": _subject(record.get("subject"), labels),
        "rulebook_id": str(merged.get("id", "")),
        "rulebook_title": pick(merged.get("title"), lang, source_lang),
        "rulebook_version": str(merged.get("version", "")),
        "rulebook_digest": str(result.get("rulebook", {}).get("digest", "")),
    }

    section_scores = ((entry.get("score") or {}).get("sections") or {}) if entry.get("score") else {}
    sections: list[dict[str, Any]] = []
    by_section: dict[str, list[dict[str, Any]]] = {}
    for each in outcomes:
        by_section.setdefault(str(each.get("section", "")), []).append(each)
    order = [s.get("id") for s in merged.get("sections", [])]
    order += [s for s in by_section if s not in order]
    titles = {s.get("id"): s.get("title") for s in merged.get("sections", [])}
    cited: dict[str, dict[str, str]] = {}  # clause id -> the clause, quoted once on the form
    for sec_id in order:
        rows = []
        for o in by_section.get(sec_id, []):
            row_sources = _sources(o, merged)
            for src in row_sources:
                known = cited.setdefault(src["clause"], src)
                if (not known["text"] and src["text"]) or (not known["translation"] and src["translation"]):
                    cited[src["clause"]] = src
            rows.append(_row(o, rules.get(str(o.get("rule")), {}), record, fmt, lang, source_lang, row_sources))
        if not rows:
            continue
        sec_score = section_scores.get(sec_id)
        sections.append(
            {
                "id": sec_id,
                "title": pick(titles.get(sec_id), lang, source_lang) or sec_id,
                "score": fmt.number(sec_score["score"]) if isinstance(sec_score, dict) and sec_score.get("score") is not None else None,
                "rows": rows,
            }
        )

    photo_fields: dict[str, str] = {}

    def photos_of(o: dict[str, Any]) -> list[dict[str, str]]:
        photos = []
        for field_path, ref in _evidence_refs(o, record):
            resolved = resolve_evidence(ref, field_path, base_dir, max_mb=max_photo_mb)
            photo_fields[str(resolved)] = field_path
            photos.append({"uri": resolved.as_uri(), "name": ref})
        return photos

    def comment_of(o: dict[str, Any]) -> str:
        answer = (record.get("answers") or {}).get(o.get("rule")) or {}
        return str(o.get("comment") or (answer.get("comment") if isinstance(answer, dict) else None) or "")

    day = record_day(when, zone)
    listed = listed_actions(record, fmt, lang, source_lang)
    statuses = action_status or {}
    actions = {
        str(o.get("rule")): action_of(o, rules.get(str(o.get("rule")), {}), merged, record, day, fmt, lang,
                                      source_lang, listed=listed, statuses=statuses)
        for o in outcomes if o.get("outcome") == "fail"
    }
    items = cover_items(outcomes, rules, fmt=fmt, lang=lang, source_lang=source_lang,
                        sources_of=lambda o: _sources(o, merged), photos_of=photos_of, comment_of=comment_of,
                        actions=actions)

    score = None
    raw_score = entry.get("score")
    if raw_score:
        critical = raw_score.get("critical_failures") or []
        score = {
            # None: no rule was scored (every one not applicable); shown as a dash, never as 0
            "score": fmt.number(raw_score["score"]) if raw_score.get("score") is not None else "—",
            "max": fmt.number(raw_score.get("max", 100)),
            "grade": raw_score.get("grade") or "",
            "passed": bool(raw_score.get("passed")),
            "verdict": labels["passed"] if raw_score.get("passed") else labels["not_passed"],
            "critical": ", ".join(str(c.get("rule", c)) if isinstance(c, dict) else str(c) for c in critical),
        }
    summary = {k: 0 for k in ("pass", "fail", "waived", "not_applicable", "needs_review", "error")}
    for o in outcomes:
        if o.get("outcome") in summary:
            summary[str(o["outcome"])] += 1

    names = signer_names or {}
    manager_name = names.get("manager") or _name_of(site.get("manager")) or ""
    context = {
        "html_lang": fonts.html_lang(lang),
        "L": labels,
        "header": header,
        "cover": {"findings": items, "pass_rate": pass_rate(outcomes, fmt), "errors": summary.pop("error")},
        "sections": sections,
        "sources": clauses(list(cited.values())),
        "score": score,
        "counts": labels.fmt("counts", **summary),
        "actions": list(actions.values()),
        "signature_blocks": [
            {"field": "inspector", "role": labels["inspector"], "name": names.get("inspector") or header["inspector"]},
            {"field": "manager", "role": labels["site_manager"], "name": manager_name},
        ],
    }
    return context, photo_fields
