"""Attacks by changing bytes or appending updates after signing (incremental saving, certification)."""

from __future__ import annotations

import json
from typing import Any, Callable

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string

import forge
from catalogue import add_attachment, attack, doctored_result, fail_box, field_of, signature_of, swap_attachment


# -- bytes ----------------------------------------------------------------------------------------


@attack("bytes", "signed bytes were changed after signing")
def byte_flipped_in_the_page(forms: Any) -> bytes:
    data = bytearray(forms.signed)
    at = data.index(b"stream", 1000) + 200
    data[at] ^= 0x01
    return bytes(data)


@attack("bytes", "signature 'manager'", "damaged or forged")
def byte_flipped_in_the_signature_value(forms: Any) -> bytes:
    data = bytearray(forms.signed)
    _, a, b, _ = signature_of(forms.signed, "manager").byte_range
    at = a + (b - a) // 8  # inside the signature value, before its padding
    data[at] = ord("0") if data[at] != ord("0") else ord("1")
    return bytes(data)


@attack("bytes", "damaged or cut short")
def truncated_to_half(forms: Any) -> bytes:
    return forms.signed[: len(forms.signed) // 2]


@attack("bytes", "cut short")
def truncated_by_a_few_bytes(forms: Any) -> bytes:
    return forms.signed[:-40]


@attack("bytes", "bytes after its last end-of-file marker")
def bytes_appended_after_the_end(forms: Any) -> bytes:
    return forms.signed + b"% a note\n1 0 obj\n<< /Title (All passed) >>\nendobj\n"


@attack("isa", "damaged or cut short")
def objects_appended_without_a_cross_reference(forms: Any) -> bytes:
    return forms.signed + b"99 0 obj\n<< /Type /Annot /Subtype /FreeText /Contents (pass) >>\nendobj\n%%EOF\n"


# -- incremental saving attacks -------------------------------------------------------------------


def _after_signing(data: bytes, change: Callable[[Any], None]) -> bytes:
    return forge.update(data, change)


@attack("isa", "update that is not a later signature")
def overlay_drawn_on_the_page_after_signing(forms: Any) -> bytes:
    page_index, box = fail_box(forms)

    def change(w: Any) -> None:
        page = forge.page(w, page_index)
        forge.add_font_resource(w, page)
        forge.draw_over(w, page, forge.overlay_ops(box, "pass"))
    return _after_signing(forms.signed, change)


@attack("isa", "update that is not a later signature")
def page_content_replaced_after_signing(forms: Any) -> bytes:
    def change(w: Any) -> None:
        page = forge.page(w, 0)
        forge.add_font_resource(w, page)
        page[pdf_name("/Contents")] = w.add_object(generic.StreamObject(
            stream_data=b"BT /Fx 14 Tf 50 700 Td (Every rule passed) Tj ET"))
    return _after_signing(forms.signed, change)


@attack("isa", "update that is not a later signature", "annotation")
def note_added_after_signing(forms: Any) -> bytes:
    page_index, box = fail_box(forms)

    def change(w: Any) -> None:
        page = forge.page(w, page_index)
        forge.annotation(w, page, {"/Subtype": pdf_name("/FreeText"), "/Rect": forge.box(box),
                                   "/Contents": pdf_string("pass"), "/DA": pdf_string("/Helv 7 Tf 0 g"),
                                   "/F": generic.NumberObject(4)})
    return _after_signing(forms.signed, change)


@attack("isa", "update that is not a later signature", "form field 'verdict'")
def form_field_added_after_signing(forms: Any) -> bytes:
    def change(w: Any) -> None:
        page = forge.page(w, 0)
        widget = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/FT"): pdf_name("/Tx"), pdf_name("/T"): pdf_string("verdict"),
            pdf_name("/V"): pdf_string("Inspection passed"), pdf_name("/Rect"): forge.box((300, 760, 560, 780)),
            pdf_name("/F"): generic.NumberObject(4), pdf_name("/P"): forge.page_ref(w, 0),
        })
        ref = w.add_object(widget)
        page.setdefault(pdf_name("/Annots"), generic.ArrayObject()).append(ref)
        acro = w.root["/AcroForm"]
        acro["/Fields"].append(ref)
        w.update_container(acro)
    return _after_signing(forms.signed, change)


@attack("isa", "update that is not a later signature")
def result_attachment_swapped_after_signing(forms: Any) -> bytes:
    return swap_attachment(forms.signed, json.dumps(doctored_result(forms)).encode())


@attack("isa", "update that is not a later signature", "2 attachments named 'result.json'")
def second_result_attached_after_signing(forms: Any) -> bytes:
    return forge.update(forms.signed, lambda w: add_attachment(w, "result.json", json.dumps(doctored_result(forms)).encode()))


@attack("isa", "update that is not a later signature", "metadata (its title, author or description) was changed",
        "properties (Title) were changed")
def metadata_changed_after_signing(forms: Any) -> bytes:
    """Well-formed XMP, so that a difference analysis that only checks the XML syntax lets it through."""
    def change(w: Any) -> None:
        w.document_meta.title = "All rules passed"  # the writer puts it in the XMP metadata and /Info
        w.update_root()
    return forge.update(forms.signed, change)


@attack("isa", "update that is not a later signature", "properties (Title) were changed")
def document_title_changed_after_signing(forms: Any) -> bytes:
    def change(w: Any) -> None:
        info = w.trailer["/Info"]
        info[pdf_name("/Title")] = pdf_string("All rules passed")
        w.update_container(info)
    return forge.update(forms.signed, change)


@attack("isa", "update that is not a later signature", "JavaScript")
def javascript_added_after_signing(forms: Any) -> bytes:
    def change(w: Any) -> None:
        w.root[pdf_name("/OpenAction")] = generic.DictionaryObject({
            pdf_name("/S"): pdf_name("/JavaScript"), pdf_name("/JS"): pdf_string("app.alert('All rules passed')")})
        names = w.root["/Names"]
        names[pdf_name("/JavaScript")] = generic.DictionaryObject({pdf_name("/Names"): generic.ArrayObject()})
        w.update_root()
        if getattr(names, "container_ref", None) is not None:
            w.update_container(names)
    return forge.update(forms.signed, change)


@attack("isa", "signature 'inspector'", "update that is not a later signature")
def tampered_form_then_countersigned_by_the_real_manager(forms: Any) -> bytes:
    from checkengine.pdf.sign import sign_pdf

    tampered = swap_attachment(forms.inspector, json.dumps(doctored_result(forms)).encode())
    return sign_pdf(tampered, forms.keys["manager"], field="manager")


@attack("isa", "site manager has not countersigned")
def countersignature_stripped(forms: Any) -> bytes:
    return forms.signed[: signature_of(forms.signed, "inspector").byte_range[2] + signature_of(forms.signed, "inspector").byte_range[3]]


@attack("isa", "site manager has not countersigned", "update that is not a later signature")
def countersignature_removed_by_an_update(forms: Any) -> bytes:
    def change(w: Any) -> None:
        manager = field_of(w, "manager")
        del manager["/V"]
        w.update_container(manager)
    return forge.update(forms.signed, change)


# -- certification attacks ------------------------------------------------------------------------


@attack("certification", "annotation", "update that is not a later signature")
def evil_annotation_on_the_certified_form(forms: Any) -> bytes:
    page_index, box = fail_box(forms)

    def change(w: Any) -> None:
        page = forge.page(w, page_index)
        forge.annotation(w, page, {"/Subtype": pdf_name("/FreeText"), "/Rect": forge.box(box),
                                   "/Contents": pdf_string("pass"), "/DA": pdf_string("/Helv 7 Tf 0 g"),
                                   "/F": generic.NumberObject(4)})
    return forge.update(forms.inspector, change)


@attack("certification", "extra signature field 'auditor'")
def sneaky_signature_over_the_score(forms: Any) -> bytes:
    """A new signature field, signed by an outsider, whose stamp is drawn over the score line."""
    from pyhanko.sign import fields as sigfields
    from pyhanko.sign import signers
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    import io

    page_index, (x1, y1, x2, y2) = forge.word_box(forms.inspector, "Inspection")
    writer = IncrementalPdfFileWriter(io.BytesIO(forms.inspector), strict=False)
    meta = signers.PdfSignatureMetadata(field_name="auditor", md_algorithm="sha256",
                                        subfilter=sigfields.SigSeedSubFilter.PADES)
    spec = sigfields.SigFieldSpec("auditor", on_page=page_index, box=(x1 - 200, y1 - 2, x2 + 120, y2 + 2))
    out = io.BytesIO()
    signers.PdfSigner(meta, forms.keys["stranger"].signer, new_field_spec=spec).sign_pdf(writer, output=out)
    return out.getvalue()
