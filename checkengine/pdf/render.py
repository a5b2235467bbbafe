"""Rendering forms: jinja2 (autoescape on) -> HTML -> WeasyPrint -> PDF/A-3b with attachments.

The functions here know nothing of the engine: they take the evaluation result, the record and
the merged rulebook as plain data. WeasyPrint's warnings go to Python logging (logger
``weasyprint``); the CLI shows them on stderr.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

import jinja2

from checkengine.errors import UserError
from checkengine.i18n import pick
from checkengine.pdf import attachments as att
from checkengine.pdf import fonts
from checkengine.pdf.fetcher import (
    DEFAULT_MAX_PHOTO_MB,
    RefusedResource,
    SafeFetcher,
    check_record_text,
    resolve_evidence,
)
from checkengine.pdf.labels import Formatter, Labels, css_string, forms_dir, parse_datetime
from checkengine.pdf.output import atomic_output, refuse_existing

log = logging.getLogger(__name__)

PX_TO_PT = 0.75  # CSS px -> PDF points
SIGNATURE_FIELDS = ("inspector", "manager")
PDF_VARIANT = "pdf/a-3b"
CORRECTIVE_ACTION_DAYS = 14

ContextHook = Callable[[dict[str, Any], dict[str, Any]], None]


@dataclass(frozen=True)
class SignatureBox:
    """Where a signature block was laid out: a 0-based page and a PDF rectangle in points."""

    field: str
    page: int
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 from the bottom-left corner

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


@dataclass
class RenderedForm:
    pdf: bytes
    pages: int
    signature_boxes: dict[str, SignatureBox] = field(default_factory=dict)
    fetched: list[Path] = field(default_factory=list)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The forms' jinja2 environment: one per process, so each template is compiled once."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(forms_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css"] = css_string
    return env


@contextlib.contextmanager
def _resource_errors() -> Iterator[None]:
    """Turn WeasyPrint's failure to load a resource into a UserError (a refusal into its own)."""
    from weasyprint.urls import FatalURLFetchingError

    try:
        yield
    except RefusedResource as exc:
        raise exc.error from None
    except FatalURLFetchingError as exc:
        cause = exc.__cause__
        if isinstance(cause, RefusedResource):
            raise cause.error from None
        raise UserError(f"the form could not load a resource: {exc} ({cause})") from None


def html_to_document(html: str, *, fetcher: SafeFetcher, **options: Any) -> Any:
    """Lay *html* out with WeasyPrint; a refused resource becomes the UserError it carries."""
    from weasyprint import HTML

    with _resource_errors():
        return HTML(string=html, base_url=forms_dir().as_uri() + "/", url_fetcher=fetcher).render(**options)


def write_document(document: Any, *, fetcher: SafeFetcher, **options: Any) -> bytes:
    """Write the laid-out *document* as PDF; resources it loads now fail as in :func:`html_to_document`."""
    with _resource_errors():
        pdf: bytes = document.write_pdf(**options)
    return pdf


def signature_boxes(document: Any, names: tuple[str, ...] = SIGNATURE_FIELDS) -> dict[str, SignatureBox]:
    """The laid-out rectangles of the elements ``#sig-NAME``, in PDF coordinates."""
    found: dict[str, SignatureBox] = {}
    for index, page in enumerate(document.pages):
        for anchor, (x1, y1, x2, y2) in page.anchors.items():
            if not anchor.startswith("sig-") or anchor[4:] not in names:
                continue
            height = page.height
            box = (
                round(x1 * PX_TO_PT, 2),
                round((height - y2) * PX_TO_PT, 2),
                round(x2 * PX_TO_PT, 2),
                round((height - y1) * PX_TO_PT, 2),
            )
            found[anchor[4:]] = SignatureBox(anchor[4:], index, box)
    missing = [n for n in names if n not in found]
    if missing:
        raise UserError(f"the form template has no signature block for {', '.join(missing)}")
    return found


# -- the audit form -----------------------------------------------------------------------------


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

    actions = _corrective_actions(record, outcomes, rules, fmt, when, site, lang, source_lang)

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
    due = fmt.date(day + timedelta(days=CORRECTIVE_ACTION_DAYS)) if day else ""
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


def render_audit_form(
    result: dict[str, Any],
    record: dict[str, Any],
    rulebook_merged: dict[str, Any],
    *,
    lang: str,
    base_dir: Path | str,
    out_path: Path | str | None = None,
    force: bool = False,
    max_photo_mb: float = DEFAULT_MAX_PHOTO_MB,
    waivers: Any = None,
    context_hook: ContextHook | None = None,
    signer_names: dict[str, str] | None = None,
) -> RenderedForm:
    """Render the audit form of one evaluated record as PDF/A-3b; write it to *out_path* if given.

    The form embeds the record, the result and the merged rulebook (and *waivers*, if any) as
    associated files, and lays out the signature blocks ``inspector`` and ``manager`` whose
    rectangles are returned for signing.
    """
    base = Path(base_dir)
    if out_path is not None:
        refuse_existing(Path(out_path), force=force)
    require_language(rulebook_merged, lang)
    fonts.require_fonts(lang)
    context, photo_fields = audit_context(
        result, record, rulebook_merged, lang=lang, base_dir=base, max_photo_mb=max_photo_mb,
        signer_names=signer_names,
    )
    if context_hook is not None:
        context_hook(context, result)
    html = environment().get_template("audit.html.j2").render(**context)
    fetcher = SafeFetcher(
        [forms_dir(), base], max_bytes=int(max_photo_mb * 1024 * 1024), fields=photo_fields
    )
    document = html_to_document(html, fetcher=fetcher, pdf_variant=PDF_VARIANT)
    boxes = signature_boxes(document)
    from checkengine.rulebook.load import digest

    book = {
        "id": rulebook_merged.get("id"),
        "version": rulebook_merged.get("version"),
        "digest": digest(rulebook_merged),
        "merged": rulebook_merged,
    }
    files: dict[str, Any] = {att.RECORD: record, att.RESULT: result, att.RULEBOOK: book}
    if waivers:
        files[att.WAIVERS] = waivers
    pdf = write_document(
        document,
        fetcher=fetcher,
        pdf_variant=PDF_VARIANT,
        attachments=att.weasyprint_attachments(files),
    )
    from checkengine.pdf.sign import add_signature_fields

    pdf = add_signature_fields(pdf, boxes)
    rendered = RenderedForm(pdf=pdf, pages=len(document.pages), signature_boxes=boxes, fetched=fetcher.fetched)
    if out_path is not None:
        with atomic_output(out_path, force=force) as fh:
            fh.write(pdf)
    return rendered
