"""Rendering audit forms: the form's view (:mod:`checkengine.pdf.form_view`) through jinja2
(autoescape on) to HTML, laid out by WeasyPrint (:mod:`checkengine.pdf.weasy`) as PDF/A-3b with the
record, result and rulebook attached, and signature fields where the blocks were laid out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from checkengine.pdf import attachments as att
from checkengine.pdf import fonts
from checkengine.pdf.fetcher import DEFAULT_MAX_PHOTO_MB, SafeFetcher
from checkengine.pdf.form_view import audit_context, require_language
from checkengine.pdf.labels import forms_dir
from checkengine.pdf.output import atomic_output, refuse_existing
from checkengine.pdf.weasy import (
    PDF_VARIANT, RenderedForm, environment, html_to_document, signature_boxes, write_document,
)

ContextHook = Callable[[dict[str, Any], dict[str, Any]], None]


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
    action_status: dict[str, str] | None = None,
) -> RenderedForm:
    """Render the audit form of one evaluated record as PDF/A-3b; write it to *out_path* if given.

    The form embeds the record, the result and the merged rulebook (and *waivers*, if any) as
    associated files, and lays out the signature blocks ``inspector`` and ``manager`` whose
    rectangles are returned for signing. *action_status* maps a rule id to its corrective
    action's tracked status (else "open").
    """
    base = Path(base_dir)
    if out_path is not None:
        refuse_existing(Path(out_path), force=force)
    require_language(rulebook_merged, lang)
    fonts.require_fonts(lang)
    context, photo_fields = audit_context(
        result, record, rulebook_merged, lang=lang, base_dir=base, max_photo_mb=max_photo_mb,
        signer_names=signer_names, action_status=action_status,
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
