"""Shadow attacks: the form is prepared before the honest signers sign it."""

from __future__ import annotations

import json
from typing import Any, Callable

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string

import forge
from catalogue import add_attachment, attack, doctored_result, fail_box, field_of, signed_by_both_raw


# -- shadow attacks: prepared before the honest signers sign --------------------------------------


def _prepared(forms: Any, change: Callable[[Any], None]) -> bytes:
    return forge.update(forms.unsigned, change)


def overlay_prepared(forms: Any) -> bytes:
    page_index, box = fail_box(forms)

    def change(w: Any) -> None:
        page = forge.page(w, page_index)
        forge.add_font_resource(w, page)
        forge.draw_over(w, page, forge.overlay_ops(box, "pass"))
    return _prepared(forms, change)


@attack("shadow", "content streams", "rule row 2")
def overlay_drawn_before_signing(forms: Any) -> bytes:
    return signed_by_both_raw(forms, overlay_prepared(forms))


def note_prepared(forms: Any, flags: int = 4) -> bytes:
    page_index, box = fail_box(forms)

    def change(w: Any) -> None:
        page = forge.page(w, page_index)
        x1, y1, x2, y2 = box
        look = forge.appearance(w, x2 - x1 + 2, y2 - y1 + 2, b"1 1 1 rg 0 0 100 20 re f 0 0.4 0 rg BT /Fx 7 Tf 1 3 Td (pass) Tj ET",
                                {"/Font": generic.DictionaryObject({pdf_name("/Fx"): forge.font(w)})})
        forge.annotation(w, page, {"/Subtype": pdf_name("/FreeText"), "/Rect": forge.box((x1 - 1, y1 - 1, x2 + 1, y2 + 1)),
                                   "/Contents": pdf_string("pass"), "/DA": pdf_string("/Helv 7 Tf 0 g"),
                                   "/F": generic.NumberObject(flags),
                                   "/AP": generic.DictionaryObject({pdf_name("/N"): look})})
    return _prepared(forms, change)


@attack("shadow", "annotation", "rule row 2")
def stamp_laid_over_the_result_before_signing(forms: Any) -> bytes:
    return signed_by_both_raw(forms, note_prepared(forms))


@attack("shadow", "annotation")
def print_only_stamp_before_signing(forms: Any) -> bytes:
    return signed_by_both_raw(forms, note_prepared(forms, flags=4 | 32))


@attack("shadow", "optional content", "update that is not a later signature")
def hidden_layer_revealed_after_signing(forms: Any) -> bytes:
    """Hide-and-replace: a layer switched off when signing holds a 'pass' over the failed row;
    after signing, an update switches it on."""
    page_index, box = fail_box(forms)
    holder: dict[str, Any] = {}

    def prepare(w: Any) -> None:
        ocg = w.add_object(generic.DictionaryObject({pdf_name("/Type"): pdf_name("/OCG"), pdf_name("/Name"): pdf_string("notes")}))
        holder["ocg"] = ocg
        w.root[pdf_name("/OCProperties")] = generic.DictionaryObject({
            pdf_name("/OCGs"): generic.ArrayObject([ocg]),
            pdf_name("/D"): generic.DictionaryObject({pdf_name("/OFF"): generic.ArrayObject([ocg])}),
        })
        w.update_root()
        page = forge.page(w, page_index)
        forge.add_font_resource(w, page)
        resources = page["/Resources"]
        resources[pdf_name("/Properties")] = generic.DictionaryObject({pdf_name("/oc1"): ocg})
        if getattr(resources, "container_ref", None) is not None:
            w.update_container(resources)
        forge.draw_over(w, page, b"/OC /oc1 BDC " + forge.overlay_ops(box, "pass") + b" EMC")

    signed = signed_by_both_raw(forms, _prepared(forms, prepare))

    def reveal(w: Any) -> None:
        props = w.root["/OCProperties"]
        props["/D"][pdf_name("/OFF")] = generic.ArrayObject()
        w.update_root()
    return forge.update(signed, reveal)


@attack("shadow", "update that is not a later signature")
def page_content_swapped_for_a_prepared_one(forms: Any) -> bytes:
    """Hide-and-replace: an unused content stream is in the signed form; after signing, an update
    only changes which stream the page draws."""
    holder: dict[str, Any] = {}

    def prepare(w: Any) -> None:
        holder["spare"] = w.add_object(generic.StreamObject(stream_data=b"BT /F1 14 Tf 50 700 Td (Every rule passed) Tj ET"))
        w.root[pdf_name("/PieceInfo")] = generic.DictionaryObject({pdf_name("/spare"): holder["spare"]})
        w.update_root()
    signed = signed_by_both_raw(forms, _prepared(forms, prepare))

    def swap(w: Any) -> None:
        page = forge.page(w, 0)
        page[pdf_name("/Contents")] = w.root["/PieceInfo"].raw_get("/spare")
    return forge.update(signed, swap)


@attack("shadow", "2 attachments named 'result.json'")
def second_result_attached_before_signing(forms: Any) -> bytes:
    doctored = json.dumps(doctored_result(forms)).encode()
    return signed_by_both_raw(forms, _prepared(forms, lambda w: add_attachment(w, "result.json", doctored)))


@attack("shadow", "marked hidden")
def countersignature_field_hidden_before_signing(forms: Any) -> bytes:
    def change(w: Any) -> None:
        manager = field_of(w, "manager")
        manager[pdf_name("/F")] = generic.NumberObject(2 | 4)
        w.update_container(manager)
    return signed_by_both_raw(forms, _prepared(forms, change))


@attack("shadow", "not embedded", "rule row 2")
def text_in_a_reader_font_added_before_signing(forms: Any) -> bytes:
    """One content stream, as the renderer makes, but with text in a font that is not embedded."""
    page_index, box = fail_box(forms)

    def change(w: Any) -> None:
        page = forge.page(w, page_index)
        forge.add_font_resource(w, page)
        old = page["/Contents"]
        x1, y1, _, _ = box
        data = b"q\n" + old.data + f"\nQ q BT /Fx 7 Tf {x1:.2f} {y1 + 2:.2f} Td (pass) Tj ET Q".encode()
        page[pdf_name("/Contents")] = w.add_object(generic.StreamObject(stream_data=data))
    return signed_by_both_raw(forms, _prepared(forms, change))


@attack("shadow", "JavaScript")
def javascript_added_before_signing(forms: Any) -> bytes:
    def change(w: Any) -> None:
        w.root["/Names"][pdf_name("/JavaScript")] = generic.DictionaryObject({pdf_name("/Names"): generic.ArrayObject()})
        w.update_root()
        names = w.root["/Names"]
        if getattr(names, "container_ref", None) is not None:
            w.update_container(names)
    return signed_by_both_raw(forms, _prepared(forms, change))


@attack("shadow", "invisible text", "rule row 2")
def invisible_text_added_before_signing(forms: Any) -> bytes:
    """Text that a reader does not show but that text extraction (and so a machine check) reads."""
    page_index, box = fail_box(forms)

    def change(w: Any) -> None:
        page = forge.page(w, page_index)
        forge.add_font_resource(w, page)
        x1, y1, _, _ = box
        data = b"q\n" + page["/Contents"].data + f"\nQ q BT 3 Tr /Fx 7 Tf {x1:.2f} {y1 + 2:.2f} Td (pass) Tj ET Q".encode()
        page[pdf_name("/Contents")] = w.add_object(generic.StreamObject(stream_data=data))
    return signed_by_both_raw(forms, forge.update(forms.unsigned, change))


@attack("shadow", "pictures, but the form has 1 evidence photos")
def picture_laid_over_the_result_before_signing(forms: Any) -> bytes:
    """A white picture drawn over the failed row inside the page's one content stream: the text
    underneath is still there for text extraction, but a reader shows the picture."""
    page_index, box = fail_box(forms)

    def change(w: Any) -> None:
        page = forge.page(w, page_index)
        resources = page["/Resources"]
        xobjects = resources["/XObject"]
        xobjects[pdf_name("/Patch")] = w.add_object(generic.StreamObject({
            pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Image"),
            pdf_name("/Width"): generic.NumberObject(1), pdf_name("/Height"): generic.NumberObject(1),
            pdf_name("/ColorSpace"): pdf_name("/DeviceRGB"), pdf_name("/BitsPerComponent"): generic.NumberObject(8),
        }, stream_data=b"\xff\xff\xff"))
        for holder in (xobjects, resources):
            if getattr(holder, "container_ref", None) is not None:
                w.update_container(holder)
        x1, y1, x2, y2 = box
        data = (b"q\n" + page["/Contents"].data
                + f"\nQ q {x2 - x1 + 2:.2f} 0 0 {y2 - y1 + 2:.2f} {x1 - 1:.2f} {y1 - 1:.2f} cm /Patch Do Q".encode())
        page[pdf_name("/Contents")] = w.add_object(generic.StreamObject(stream_data=data))
    return signed_by_both_raw(forms, forge.update(forms.unsigned, change))
