"""The attacks: each turns an honest form (bytes) into a forged one that ``verify`` must refuse.

Classes, after the published research on PDF signatures:

* byte changes and truncation;
* incremental saving attacks (ISA): an update appended after signing changes what a reader shows;
* universal signature forgery (USF): a signature dictionary that cannot be checked at all;
* signature wrapping (SWA) and replay: signed bytes moved, or a signature re-declared elsewhere;
* certificates: keys bearing the real names but not trusted, expired, not yet valid, or not
  allowed to sign; roles swapped or signed twice by one person;
* shadow attacks (hide, replace, hide-and-replace): the content is prepared before the honest
  signer signs, so that the signed form shows one thing now and another later, or another thing
  than the signed result says;
* certification attacks: changes that a certified form's permissions might let through (evil
  annotations, sneaky signatures).

Each attack lists the words that the verdict must contain, so that a person reading it learns
what is wrong.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, Callable

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name, pdf_string

import forge


@dataclass(frozen=True)
class Attack:
    name: str
    kind: str
    build: Callable[[Any], bytes]
    says: tuple[str, ...]
    # which certificates the verifier trusts: --trust for any role, or per role
    trust: tuple[str, ...] = ("inspector", "manager")
    roles: dict[str, str] = field(default_factory=dict)


ATTACKS: list[Attack] = []


def attack(kind: str, *says: str, trust: tuple[str, ...] = ("inspector", "manager"),
           roles: dict[str, str] | None = None) -> Callable[[Callable[[Any], bytes]], Callable[[Any], bytes]]:
    def register(build: Callable[[Any], bytes]) -> Callable[[Any], bytes]:
        ATTACKS.append(Attack(build.__name__, kind, build, says, trust, roles or {}))
        return build
    return register


def _sig(data: bytes, name: str) -> Any:
    return next(s for s in forge.reader(data).embedded_signatures if s.field_name == name)


def _field(writer: Any, name: str) -> Any:
    for ref in writer.root["/AcroForm"]["/Fields"]:
        obj = ref.get_object()
        if obj.get("/T") == name:
            return obj
    raise AssertionError(name)


def _fail_box(forms: Any, pdf: bytes | None = None) -> tuple[int, tuple[float, float, float, float]]:
    return forge.word_box(pdf or forms.unsigned, "FAIL")


def _both_signatures_raw(forms: Any, pdf: bytes) -> bytes:
    """The prepared *pdf* signed by the honest inspector and manager with a tool that checks nothing."""
    pdf = forge.sign_raw(pdf, forms.keys["inspector"], "inspector", certify=True)
    return forge.sign_raw(pdf, forms.keys["manager"], "manager")


def _doctored_result(forms: Any) -> dict[str, Any]:
    result = copy.deepcopy(forms.result)
    for outcome in result["records"][0]["outcomes"]:
        if outcome["outcome"] == "fail":
            outcome["outcome"] = "pass"
    result["records"][0]["score"].update({"score": 100, "grade": "A", "passed": True})
    return result


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
    _, a, b, _ = _sig(forms.signed, "manager").byte_range
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
    page_index, box = _fail_box(forms)

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
    page_index, box = _fail_box(forms)

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
    return _swap(forms.signed, json.dumps(_doctored_result(forms)).encode())


def _swap(data: bytes, new: bytes, name: str = "result.json") -> bytes:
    def change(w: Any) -> None:
        names = w.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for i in range(0, len(names), 2):
            if names[i] == name:
                spec = names[i + 1].get_object()
                spec["/EF"][pdf_name("/F")] = w.add_object(generic.StreamObject(stream_data=new))
                w.update_container(spec)
    return forge.update(data, change)


def _add_attachment(w: Any, name: str, content: bytes) -> None:
    stream = w.add_object(generic.StreamObject({pdf_name("/Type"): pdf_name("/EmbeddedFile")}, stream_data=content))
    spec = w.add_object(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Filespec"), pdf_name("/F"): pdf_string(name), pdf_name("/UF"): pdf_string(name),
        pdf_name("/EF"): generic.DictionaryObject({pdf_name("/F"): stream}),
    }))
    tree = w.root["/Names"]["/EmbeddedFiles"]
    tree["/Names"].extend([pdf_string(name), spec])
    holder = tree if getattr(tree, "container_ref", None) is not None else w.root["/Names"]
    if getattr(holder, "container_ref", None) is not None:
        w.update_container(holder)
    w.update_root()


@attack("isa", "update that is not a later signature", "2 attachments named 'result.json'")
def second_result_attached_after_signing(forms: Any) -> bytes:
    return forge.update(forms.signed, lambda w: _add_attachment(w, "result.json", json.dumps(_doctored_result(forms)).encode()))


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

    tampered = _swap(forms.inspector, json.dumps(_doctored_result(forms)).encode())
    return sign_pdf(tampered, forms.keys["manager"], field="manager")


@attack("isa", "site manager has not countersigned")
def countersignature_stripped(forms: Any) -> bytes:
    return forms.signed[: _sig(forms.signed, "inspector").byte_range[2] + _sig(forms.signed, "inspector").byte_range[3]]


@attack("isa", "site manager has not countersigned", "update that is not a later signature")
def countersignature_removed_by_an_update(forms: Any) -> bytes:
    def change(w: Any) -> None:
        manager = _field(w, "manager")
        del manager["/V"]
        w.update_container(manager)
    return forge.update(forms.signed, change)


# -- universal signature forgery ------------------------------------------------------------------


def _forged_countersignature(forms: Any, entries: dict[str, Any]) -> bytes:
    def change(w: Any) -> None:
        sig = generic.DictionaryObject({pdf_name("/Type"): pdf_name("/Sig"), pdf_name("/Filter"): pdf_name("/Adobe.PPKLite"),
                                        pdf_name("/SubFilter"): pdf_name("/ETSI.CAdES.detached")})
        for key, value in entries.items():
            sig[pdf_name(key)] = value
        manager = _field(w, "manager")
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
    contents = _sig(forms.inspector, "inspector").pkcs7_content
    return _forged_countersignature(forms, {"/Contents": generic.ByteStringObject(contents),
                                            "/ByteRange": generic.NullObject()})


@attack("usf", "signature 'manager'")
def forged_countersignature_with_an_empty_byte_range(forms: Any) -> bytes:
    contents = _sig(forms.inspector, "inspector").pkcs7_content
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
    original = _sig(forms.inspector, "inspector").sig_object
    return _forged_countersignature(forms, {k: v for k, v in original.items() if k != "/Type"} | {"/Type": pdf_name("/Sig")})


@attack("replay", "signature 'manager'", "not exactly this signature's value")
def countersignature_redeclared_and_padded_to_look_complete(forms: Any) -> bytes:
    """A new revision re-declares the manager's signature dictionary, with the same signed byte
    range and value, and a /Contents padded (as a literal string, one byte per byte) until the
    file's length equals what the signed ranges and the value add up to: a verifier that
    decides "covers the whole file" from that sum accepts the changed page."""
    data = forms.signed
    r = forge.reader(data)
    sig = _sig(data, "manager")
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
    sig = _sig(data, "inspector")
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
    sig = _sig(data, "inspector")
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

    result = _doctored_result(forms)
    rendered = render_audit_form(result, forms.data["record"], forms.data["rulebook"], lang=forms.lang,
                                 base_dir=forms.folder)
    pdf = sign_pdf(rendered.pdf, forms.keys["fake_inspector"], field="inspector")
    pdf = sign_pdf(pdf, forms.keys["fake_manager"], field="manager")
    # the printed rows are right for this result: make the embedded one say what was printed before
    return _swap(pdf, json.dumps(forms.result).encode())


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


# -- shadow attacks: prepared before the honest signers sign --------------------------------------


def _prepared(forms: Any, change: Callable[[Any], None]) -> bytes:
    return forge.update(forms.unsigned, change)


def overlay_prepared(forms: Any) -> bytes:
    page_index, box = _fail_box(forms)

    def change(w: Any) -> None:
        page = forge.page(w, page_index)
        forge.add_font_resource(w, page)
        forge.draw_over(w, page, forge.overlay_ops(box, "pass"))
    return _prepared(forms, change)


@attack("shadow", "content streams", "rule row 2")
def overlay_drawn_before_signing(forms: Any) -> bytes:
    return _both_signatures_raw(forms, overlay_prepared(forms))


def note_prepared(forms: Any, flags: int = 4) -> bytes:
    page_index, box = _fail_box(forms)

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
    return _both_signatures_raw(forms, note_prepared(forms))


@attack("shadow", "annotation")
def print_only_stamp_before_signing(forms: Any) -> bytes:
    return _both_signatures_raw(forms, note_prepared(forms, flags=4 | 32))


@attack("shadow", "optional content", "update that is not a later signature")
def hidden_layer_revealed_after_signing(forms: Any) -> bytes:
    """Hide-and-replace: a layer switched off when signing holds a 'pass' over the failed row;
    after signing, an update switches it on."""
    page_index, box = _fail_box(forms)
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

    signed = _both_signatures_raw(forms, _prepared(forms, prepare))

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
    signed = _both_signatures_raw(forms, _prepared(forms, prepare))

    def swap(w: Any) -> None:
        page = forge.page(w, 0)
        page[pdf_name("/Contents")] = w.root["/PieceInfo"].raw_get("/spare")
    return forge.update(signed, swap)


@attack("shadow", "2 attachments named 'result.json'")
def second_result_attached_before_signing(forms: Any) -> bytes:
    doctored = json.dumps(_doctored_result(forms)).encode()
    return _both_signatures_raw(forms, _prepared(forms, lambda w: _add_attachment(w, "result.json", doctored)))


@attack("shadow", "marked hidden")
def countersignature_field_hidden_before_signing(forms: Any) -> bytes:
    def change(w: Any) -> None:
        manager = _field(w, "manager")
        manager[pdf_name("/F")] = generic.NumberObject(2 | 4)
        w.update_container(manager)
    return _both_signatures_raw(forms, _prepared(forms, change))


@attack("shadow", "not embedded", "rule row 2")
def text_in_a_reader_font_added_before_signing(forms: Any) -> bytes:
    """One content stream, as the renderer makes, but with text in a font that is not embedded."""
    page_index, box = _fail_box(forms)

    def change(w: Any) -> None:
        page = forge.page(w, page_index)
        forge.add_font_resource(w, page)
        old = page["/Contents"]
        x1, y1, _, _ = box
        data = b"q\n" + old.data + f"\nQ q BT /Fx 7 Tf {x1:.2f} {y1 + 2:.2f} Td (pass) Tj ET Q".encode()
        page[pdf_name("/Contents")] = w.add_object(generic.StreamObject(stream_data=data))
    return _both_signatures_raw(forms, _prepared(forms, change))


@attack("shadow", "JavaScript")
def javascript_added_before_signing(forms: Any) -> bytes:
    def change(w: Any) -> None:
        w.root["/Names"][pdf_name("/JavaScript")] = generic.DictionaryObject({pdf_name("/Names"): generic.ArrayObject()})
        w.update_root()
        names = w.root["/Names"]
        if getattr(names, "container_ref", None) is not None:
            w.update_container(names)
    return _both_signatures_raw(forms, _prepared(forms, change))


# -- certification attacks ------------------------------------------------------------------------


@attack("certification", "annotation", "update that is not a later signature")
def evil_annotation_on_the_certified_form(forms: Any) -> bytes:
    page_index, box = _fail_box(forms)

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
