"""The audit form as data: the format-neutral view of one evaluated record (header, sections and
rows, failures with their photos, score, corrective actions, signature blocks) that a template
renders. It knows nothing of the engine or of WeasyPrint: it takes the evaluation result, the
record and the merged rulebook as plain data.

A corrective action the record does not list is due after the rulebook's ``corrective_action_days``
parameter (its value as of the record's date), or else after the days a plugin gives through
``checkengine_corrective_action_days`` (the call-centre plugin: 14); without either it is left open.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from checkengine.errors import UserError
from checkengine.i18n import pick
from checkengine.pdf import fonts
from checkengine.pdf.fetcher import DEFAULT_MAX_PHOTO_MB, check_record_text, resolve_evidence
from checkengine.pdf.labels import Formatter, Labels, parse_datetime

#: The rulebook parameter that says how many days a corrective action is given.
CORRECTIVE_ACTION_PARAMETER = "corrective_action_days"


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


def audit_context(
    result: dict[str, Any],
    record: dict[str, Any],
    merged: dict[str, Any],
    *,
    lang: str,
    base_dir: Path,
    max_photo_mb: float = DEFAULT_MAX_PHOTO_MB,
    signer_names: dict[str, str] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The template context of an audit form, and the map photo path -> record field."""
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
        "kind": str(record.get("kind", "")),
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
            waiver = o.get("waiver")
            waiver_text = None
            if waiver:
                if isinstance(waiver, dict):
                    waiver_text = pick(waiver.get("reason"), lang, source_lang)
                    if waiver.get("approved_by"):
                        waiver_text += f" ({labels['approved_by']} {waiver['approved_by']})"
                else:
                    waiver_text = str(waiver)
            outcome = str(o.get("outcome", ""))
            row_sources = _sources(o, merged)
            for src in row_sources:
                known = cited.setdefault(src["clause"], src)
                if not known["text"] and src["text"]:
                    cited[src["clause"]] = src
            rows.append(
                {
                    "rule": str(o.get("rule", "")),
                    "title": pick(o.get("title"), lang, source_lang),
                    "severity": labels.get(f"severity_{o.get('severity')}", str(o.get("severity", ""))),
                    "outcome": outcome,
                    "outcome_label": labels.get(f"outcome_{outcome}", outcome),
                    "observed": fmt.value(o.get("observed")),
                    "expected": fmt.value(o.get("expected")),
                    "explanation": pick(o.get("explanation"), lang, source_lang),
                    "comment": o.get("comment") or "",
                    "waiver": waiver_text,
                    "sources": row_sources,
                    "source_refs": [src["clause"] for src in row_sources],
                }
            )
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
    failed = []
    for o in outcomes:
        if o.get("outcome") != "fail":
            continue
        photos = []
        for field_path, ref in _evidence_refs(o, record):
            resolved = resolve_evidence(ref, field_path, base_dir, max_mb=max_photo_mb)
            photo_fields[str(resolved)] = field_path
            photos.append({"uri": resolved.as_uri(), "name": ref})
        answer = (record.get("answers") or {}).get(o.get("rule")) or {}
        comment = o.get("comment") or (answer.get("comment") if isinstance(answer, dict) else None)
        failed.append(
            {
                "rule": str(o.get("rule", "")),
                "title": pick(o.get("title"), lang, source_lang),
                "explanation": pick(o.get("explanation"), lang, source_lang),
                "comment": comment or "",
                "photos": photos,
            }
        )

    score = None
    raw_score = entry.get("score")
    if raw_score:
        critical = raw_score.get("critical_failures") or []
        score = {
            # None: no rule was scored (every one not applicable); shown as a dash, never as 0
            "score": fmt.number(raw_score["score"]) if raw_score.get("score") is not None else "—",
            "max": fmt.number(raw_score.get("max", 100)),
            "grade": raw_score.get("grade") or "",
            "verdict": labels["passed"] if raw_score.get("passed") else labels["not_passed"],
            "critical": ", ".join(str(c.get("rule", c)) if isinstance(c, dict) else str(c) for c in critical),
        }
    summary = {k: 0 for k in ("pass", "fail", "waived", "not_applicable", "needs_review")}
    for o in outcomes:
        if o.get("outcome") in summary:
            summary[str(o["outcome"])] += 1

    actions = _corrective_actions(record, outcomes, rules, fmt, when, site, lang, source_lang, merged)

    names = signer_names or {}
    manager_name = names.get("manager") or _name_of(site.get("manager")) or ""
    context = {
        "html_lang": fonts.html_lang(lang),
        "L": labels,
        "header": header,
        "sections": sections,
        "sources": list(cited.values()),
        "failed": failed,
        "score": score,
        "counts": labels.fmt("counts", **summary),
        "actions": actions,
        "signature_blocks": [
            {"field": "inspector", "role": labels["inspector"], "name": names.get("inspector") or header["inspector"]},
            {"field": "manager", "role": labels["site_manager"], "name": manager_name},
        ],
    }
    return context, photo_fields


def _corrective_actions(
    record: dict[str, Any],
    outcomes: list[dict[str, Any]],
    rules: dict[str, dict[str, Any]],
    fmt: Formatter,
    when: Any,
    site: dict[str, Any],
    lang: str,
    source_lang: str,
    merged: dict[str, Any],
) -> list[dict[str, str]]:
    labels = fmt.labels
    listed = record.get("corrective_actions")
    if listed:
        out = []
        for item in listed:
            if not isinstance(item, dict):
                out.append({"rule": "", "action": str(item), "owner": "", "due": ""})
                continue
            out.append(
                {
                    "rule": str(item.get("rule", "")),
                    "action": pick(item.get("action"), lang, source_lang),
                    "owner": _name_of(item.get("owner")),
                    "due": fmt.date(item.get("due")) if item.get("due") else "",
                }
            )
        return out
    moment = parse_datetime(when)
    day: date | None = moment.date() if moment else None
    days = corrective_action_days(merged, day)
    due = fmt.date(day + timedelta(days=days)) if day and days is not None else ""
    given = record.get("subject")
    subject: dict[str, Any] = given if isinstance(given, dict) else {}
    if subject.get("team_leader"):
        owner = f"{labels['team_leader']}: {_name_of(subject['team_leader'])}"
    elif subject.get("team"):
        owner = f"{labels['team_leader']} ({subject['team']})"
    elif site.get("manager"):
        owner = f"{labels['site_manager']}: {_name_of(site['manager'])}"
    else:
        site_name = site.get("name") or site.get("id") or record.get("site") or ""
        owner = f"{labels['site_manager']} ({site_name})" if site_name else labels["site_manager"]
    out = []
    for o in outcomes:
        if o.get("outcome") != "fail":
            continue
        rule = rules.get(str(o.get("rule")), {})
        text = pick(rule.get("corrective_action"), lang, source_lang)
        if not text:
            text = labels.fmt("restore", title=pick(o.get("title"), lang, source_lang))
        out.append({"rule": str(o.get("rule", "")), "action": text, "owner": owner, "due": due})
    return out


def corrective_action_days(merged: dict[str, Any], on: date | None) -> int | None:
    """The days a corrective action is given: the rulebook's parameter as of *on*, else the plugins'
    default (``checkengine_corrective_action_days``), else None (no due date)."""
    values = (((merged.get("parameters") or {}).get(CORRECTIVE_ACTION_PARAMETER) or {}).get("values") or {})
    dates = sorted(d for d in values if on is None or d <= on.isoformat())
    if dates:
        value = (values[dates[-1]] or {}).get("value")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    from checkengine.plugins import default_registry

    days = default_registry().hook.checkengine_corrective_action_days(rulebook=merged)
    return days if isinstance(days, int) and not isinstance(days, bool) else None
