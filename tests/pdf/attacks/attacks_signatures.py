"""Attacks on the signatures themselves: forged, replayed, wrapped; wrong keys and roles."""

from __future__ import annotations

import copy
import json
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name

import forge
from catalogue import attack, doctored_result, field_of, signature_of, swap_attachment


# -- universal signature forgery ------------------------------------------------------------------


def _forged_countersignature(forms: Any, entries: dict[str, Any]) -> bytes:
    def change(w: Any) -> None:
        sig = generic.DictionaryObject({pdf_name("/Type"): pdf_name("/Sig"), pdf_name("/Filter"): pdf_name("/Adobe.PPKLite"),
                                        pdf_name("/SubFilter"): pdf_name("/ETSI.CAdES.detached")})
        for key, value in entries.items():
            sig[pdf_name(key)] = value
        manager = field_of(w, "manager")
        manager[pdf_name("/V")] = w.add_object(sig)
        w.update_container(manager)
    return forge.update(forms.inspector, change)


@attack("usf", "'manager' is malformed")
def forged_countersignature_without_contents(forms: Any) -> bytes:
    return _forged_countersignature(forms, {"/ByteRange": generic.ArrayObject([generic.NumberObject(0)] * 4)})


@attack("usf", "'manager' is malformed")
def forged_countersignature_with_empty_contents(forms: Any) -> bytes:
    return _forged_countersignature(forms, {"/Contents": generic.ByteStringObject(b""),
                                            "/ByteRange": generic.ArrayObject([generic.NumberObject(0)] * 4)})


@attack("usf", "'manager' is malformed")
def forged_countersignature_without_byte_range(forms: Any) -> bytes:
    return _forged_countersignature(forms, {"/Contents": generic.ByteStringObject(b"\x30\x00" * 8)})


@attack("usf", "signature 'manager'", "byte range")
def forged_countersignature_with_a_null_byte_range(forms: Any) -> bytes:
    contents = signature_of(forms.inspector, "inspector").pkcs7_content
    return _forged_countersignature(forms, {"/Contents": generic.ByteStringObject(contents),
                                            "/ByteRange": generic.NullObject()})


@attack("usf", "signature 'manager'")
def forged_countersignature_with_an_empty_byte_range(forms: Any) -> bytes:
    contents = signature_of(forms.inspector, "inspector").pkcs7_content
    return _forged_countersignature(forms, {"/Contents": generic.ByteStringObject(contents),
                                            "/ByteRange": generic.ArrayObject([generic.NumberObject(0)] * 4)})


@attack("usf", "not of the kind checkengine makes")
def forged_countersignature_of_another_kind(forms: Any) -> bytes:
    return _forged_countersignature(forms, {"/SubFilter": pdf_name("/adbe.x509.rsa_sha1"),
                                            "/Contents": generic.ByteStringObject(b"\x00" * 64),
                                            "/ByteRange": generic.ArrayObject([generic.NumberObject(0)] * 4)})


# -- signature wrapping and replay ----------------------------------------------------------------


@attack("replay", "same key", "not stored in the revision it signs")
def inspector_signature_replayed_as_the_countersignature(forms: Any) -> bytes:
    original = signature_of(forms.inspector, "inspector").sig_object
    return _forged_countersignature(forms, {k: v for k, v in original.items() if k != "/Type"} | {"/Type": pdf_name("/Sig")})


@attack("replay", "signature 'manager'", "not exactly this signature's value")
def countersignature_redeclared_and_padded_to_look_complete(forms: Any) -> bytes:
    """A new revision re-declares the manager's signature dictionary, with the same signed byte
    range and value, and a /Contents padded (as a literal string, one byte per byte) until the
    file's length equals what the signed ranges and the value add up to: a verifier that
    decides "covers the whole file" from that sum accepts the changed page."""
    data = forms.signed
    r = forge.reader(data)
    sig = signature_of(data, "manager")
    field_ref = sig.sig_field.container_ref
    new_sig, content = r.trailer_view["/Size"], r.trailer_view["/Size"] + 1
    page_ref = r.find_page_for_modification(0)[0]
    page = page_ref.get_object()
    raw = sig.pkcs7_content
    _, a, b, c = sig.byte_range

    def build(padding: int) -> bytes:
        value = raw + b"\x00" * padding
        literal = b"(" + value.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(b"\r", b"\\r") + b")"
        entries = b"".join(forge.serialize(pdf_name(k)) + b" " + forge.serialize(v) + b"\n"
                           for k, v in sig.sig_object.items() if k != "/Contents")
        field = copy.copy(sig.sig_field)
        field[pdf_name("/V")] = generic.IndirectObject(new_sig, 0, r)
        new_page = copy.copy(page)
        new_page[pdf_name("/Contents")] = generic.IndirectObject(content, 0, r)
        return forge.append_raw(data, {
            new_sig: b"<< /Contents " + literal + b"\n" + entries + b">>",
            field_ref.idnum: forge.serialize(field),
            page_ref.idnum: forge.serialize(new_page),
            content: b"<< /Length 44 >>\nstream\nBT /F1 14 Tf 50 700 Td (Every rule passed) Tj ET\nendstream",
        })

    target = lambda n: a + c + 2 + 2 * (len(raw) + n)  # noqa: E731 - the sum a naive check compares
    padding = 0
    for _ in range(8):
        padding -= target(padding) - len(build(padding))  # a byte of padding: +1 to the file, +2 to the sum
    forged = build(padding)
    assert len(forged) == target(padding)
    return forged


@attack("replay", "signature 'inspector'", "not stored in the revision it signs")
def inspector_signature_redeclared_in_a_later_revision(forms: Any) -> bytes:
    """ByteRange short of its revision: the signature dictionary now lives in a later revision
    that the signed bytes do not reach, next to a changed page."""
    data = forms.signed
    r = forge.reader(data)
    sig = signature_of(data, "inspector")
    page_ref = r.find_page_for_modification(0)[0]
    new_page = copy.copy(page_ref.get_object())
    size = r.trailer_view["/Size"]
    new_page[pdf_name("/Contents")] = generic.IndirectObject(size, 0, r)
    return forge.append_raw(data, {
        sig.sig_object.container_ref.idnum: forge.serialize(sig.sig_object),
        page_ref.idnum: forge.serialize(new_page),
        size: b"<< /Length 44 >>\nstream\nBT /F1 14 Tf 50 700 Td (Every rule passed) Tj ET\nendstream",
    })


@attack("wrapping", "signature 'inspector'", "slipped into the part that no signature covers")
def signature_wrapping(forms: Any) -> bytes:
    """The signed second part is moved to the end; the inspector's signature dictionary gets a new
    byte range pointing at the moved copy, and the space freed in the middle holds a new page and
    a cross-reference table at the offset where the signed revision's table used to be."""
    data = forms.inspector
    r = forge.reader(data)
    sig = signature_of(data, "inspector")
    _, a, b, c = sig.byte_range
    revision = sig.signed_revision
    xref_at = r.xrefs.get_startxref_for_revision(revision)
    tail = data[b:b + c]
    page_ref = r.find_page_for_modification(0)[0]
    new_page = copy.copy(page_ref.get_object())
    size = r.trailer_view["/Size"]
    new_page[pdf_name("/Contents")] = generic.IndirectObject(size, 0, r)
    old_rest = tail[: tail.index(b"endobj") + len(b"endobj")]  # the rest of the signature dictionary
    middle = bytearray()
    offsets: dict[int, int] = {}
    # the rest of the signature dictionary, with a byte range that points at the moved copy
    new_range_at = b  # filled in below, once the layout is known
    moved_to = xref_at + 4096  # the moved copy goes after the forged table
    rest = old_rest.replace(f"[0 {a} {b} {c}]".encode(), f"[0 {a} {moved_to} {c}]".encode())
    assert rest != old_rest
    middle += rest + b"\n"
    offsets[page_ref.idnum] = b + len(middle)
    middle += f"{page_ref.idnum} 0 obj\n".encode() + forge.serialize(new_page) + b"\nendobj\n"
    offsets[size] = b + len(middle)
    middle += f"{size} 0 obj\n<< /Length 44 >>\nstream\nBT /F1 14 Tf 50 700 Td (Every rule passed) Tj ET\nendstream\nendobj\n".encode()
    # every other object of the signed revision, where the moved copy now holds it
    shift = moved_to - b
    for ref in r.xrefs.explicit_refs_in_revision(revision):
        where = r.xrefs.get_historical_ref(ref, revision)
        if isinstance(where, int) and ref.idnum not in offsets and where >= b:
            offsets[ref.idnum] = where + shift
        elif isinstance(where, int) and ref.idnum not in offsets:
            offsets[ref.idnum] = where
    assert b + len(middle) < xref_at, "no room before the signed table's offset"
    middle += b" " * (xref_at - b - len(middle))
    prev = r.xrefs.get_startxref_for_revision(revision - 1)
    table = b"xref\n" + b"".join(f"{n} 1\n{o:010d} 00000 n \n".encode() for n, o in sorted(offsets.items()))
    root = r.trailer_view.raw_get("/Root")
    table += (f"trailer\n<< /Size {size + 1} /Root {root.idnum} 0 R /Prev {prev} >>\n"
              f"startxref\n{xref_at}\n%%EOF\n").encode()
    middle += table
    assert b + len(middle) <= moved_to
    middle += b" " * (moved_to - b - len(middle))
    forged = data[:b] + bytes(middle) + tail
    del new_range_at
    return forged


# -- certificates and roles -----------------------------------------------------------------------


@attack("keys", "not trusted")
def resigned_by_an_outsider_with_the_real_names(forms: Any) -> bytes:
    from checkengine.pdf.sign import sign_pdf

    pdf = sign_pdf(forms.unsigned, forms.keys["fake_inspector"], field="inspector")
    return sign_pdf(pdf, forms.keys["fake_manager"], field="manager")


@attack("keys", "not trusted", "rule row 2")
def doctored_result_signed_by_an_outsider(forms: Any) -> bytes:
    from checkengine.pdf.render import render_audit_form
    from checkengine.pdf.sign import sign_pdf

    result = doctored_result(forms)
    rendered = render_audit_form(result, forms.data["record"], forms.data["rulebook"], lang=forms.lang,
                                 base_dir=forms.folder)
    pdf = sign_pdf(rendered.pdf, forms.keys["fake_inspector"], field="inspector")
    pdf = sign_pdf(pdf, forms.keys["fake_manager"], field="manager")
    # the printed rows are right for this result: make the embedded one say what was printed before
    return swap_attachment(pdf, json.dumps(forms.result).encode())


@attack("keys", "expired on", trust=("expired", "manager"))
def signed_with_an_expired_certificate(forms: Any) -> bytes:
    from checkengine.pdf.sign import sign_pdf

    pdf = sign_pdf(forms.unsigned, forms.keys["expired"], field="inspector")
    return sign_pdf(pdf, forms.keys["manager"], field="manager")


@attack("keys", "expired on", "not trusted")
def expired_and_untrusted_certificate(forms: Any) -> bytes:
    return signed_with_an_expired_certificate(forms)


@attack("keys", "not valid before", trust=("future", "manager"))
def signed_with_a_certificate_not_yet_valid(forms: Any) -> bytes:
    from checkengine.pdf.sign import sign_pdf

    pdf = sign_pdf(forms.unsigned, forms.keys["future"], field="inspector")
    return sign_pdf(pdf, forms.keys["manager"], field="manager")


@attack("keys", "not for signing documents", trust=("wrong_usage", "manager"))
def signed_with_a_key_not_for_signing(forms: Any) -> bytes:
    from checkengine.pdf.sign import sign_pdf

    pdf = sign_pdf(forms.unsigned, forms.keys["wrong_usage"], field="inspector")
    return sign_pdf(pdf, forms.keys["manager"], field="manager")


@attack("roles", "not the one trusted for this role (--trust-inspector)", trust=(),
        roles={"inspector": "inspector", "manager": "manager"})
def roles_swapped(forms: Any) -> bytes:
    pdf = forge.sign_raw(forms.unsigned, forms.keys["manager"], "inspector", certify=True)
    return forge.sign_raw(pdf, forms.keys["inspector"], "manager")


@attack("roles", "same key")
def both_roles_signed_by_one_person(forms: Any) -> bytes:
    from checkengine.pdf.sign import sign_pdf

    return sign_pdf(forms.inspector, forms.keys["inspector"], field="manager")


@attack("roles", "does not come after the inspector's")
def countersigned_before_the_inspector_signed(forms: Any) -> bytes:
    from checkengine.pdf.sign import sign_pdf

    pdf = sign_pdf(forms.unsigned, forms.keys["manager"], field="manager")
    return forge.sign_raw(pdf, forms.keys["inspector"], "inspector")


@attack("roles", "does not show its own role")
def inspector_draws_the_managers_stamp(forms: Any) -> bytes:
    from checkengine.pdf.sign import sign_pdf, stamp_style

    style = stamp_style(forms.keys["inspector"], field="manager", lang=forms.lang, zone="Asia/Taipei")
    pdf = forge.sign_raw(forms.unsigned, forms.keys["inspector"], "inspector", certify=True, style=style)
    return sign_pdf(pdf, forms.keys["manager"], field="manager")
