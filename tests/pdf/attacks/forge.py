"""Tools of the attacker: change a signed form's bytes, append incremental updates, sign without
checkengine's checks. Written from the published descriptions of the attacks on PDF signatures
(incremental saving, signature wrapping, universal signature forgery, shadow and certification
attacks), not from any attack tool's code."""

from __future__ import annotations

import io
from typing import Any, Callable

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader


def reader(data: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(data), strict=False)


def update(data: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    """*data* with an incremental update that *change* makes through pyHanko's writer."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def serialize(obj: Any) -> bytes:
    buf = io.BytesIO()
    obj.write_to_stream(buf, None)
    return buf.getvalue()


def append_raw(data: bytes, objects: dict[int, bytes], *, size: int | None = None) -> bytes:
    """*data* with a hand-written update: *objects* (number -> serialized body), a classic xref
    table and a trailer whose /Prev is the file's last cross-reference section."""
    r = reader(data)
    trailer = r.trailer_view
    prev = r.xrefs.get_startxref_for_revision(r.xrefs.total_revisions - 1)
    out = bytearray(data)
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n"
    for number in sorted(offsets):
        out += f"{number} 1\n{offsets[number]:010d} 00000 n \n".encode()
    total = max(int(trailer["/Size"]), max(objects) + 1) if size is None else size
    root = trailer.raw_get("/Root")
    out += (f"trailer\n<< /Size {total} /Root {root.idnum} {root.generation} R /Prev {prev} >>\n"
            f"startxref\n{start}\n%%EOF\n").encode()
    return bytes(out)


def page(writer: IncrementalPdfFileWriter, index: int = 0) -> generic.DictionaryObject:
    ref = writer.find_page_for_modification(index)[0]
    obj = ref.get_object()
    writer.update_container(obj)
    return obj


def page_ref(writer: IncrementalPdfFileWriter, index: int = 0) -> generic.IndirectObject:
    ref: generic.IndirectObject = writer.find_page_for_modification(index)[0]
    return ref


def draw_over(writer: IncrementalPdfFileWriter, page_obj: generic.DictionaryObject, ops: bytes) -> None:
    """Draw *ops* over the page in default user space: the page's own content is wrapped in
    q ... Q so that its transformations do not apply to the drawing."""
    page_obj[pdf_name("/Contents")] = generic.ArrayObject([
        writer.add_object(generic.StreamObject(stream_data=b"q\n")),
        page_obj.raw_get("/Contents"),
        writer.add_object(generic.StreamObject(stream_data=b"\nQ\n" + ops)),
    ])


HELVETICA = {"/Type": "/Font", "/Subtype": "/Type1", "/BaseFont": "/Helvetica"}


def font(writer: IncrementalPdfFileWriter) -> generic.IndirectObject:
    return writer.add_object(generic.DictionaryObject({pdf_name(k): pdf_name(v) for k, v in HELVETICA.items()}))


def overlay_ops(box: tuple[float, float, float, float], text: str, *, resources_font: str = "/Fx") -> bytes:
    """Operators that paint a white box over *box* and write *text* in it."""
    x1, y1, x2, y2 = box
    return (f"q 1 1 1 rg {x1 - 1:.2f} {y1 - 1:.2f} {x2 - x1 + 2:.2f} {y2 - y1 + 2:.2f} re f Q "
            f"q 0.09 0.37 0.11 rg BT {resources_font} 7 Tf {x1:.2f} {y1 + 2:.2f} Td ({text}) Tj ET Q").encode()


def add_font_resource(writer: IncrementalPdfFileWriter, page_obj: generic.DictionaryObject, name: str = "/Fx") -> None:
    resources = page_obj["/Resources"]
    fonts = resources["/Font"]
    fonts[pdf_name(name)] = font(writer)
    for holder in (fonts, resources):
        if getattr(holder, "container_ref", None) is not None:
            writer.update_container(holder)


def annotation(writer: IncrementalPdfFileWriter, page_obj: generic.DictionaryObject, entries: dict[str, Any]) -> None:
    annot = generic.DictionaryObject({pdf_name("/Type"): pdf_name("/Annot")})
    annot.update({pdf_name(k): v for k, v in entries.items()})
    ref = page_obj.container_ref
    annot[pdf_name("/P")] = generic.IndirectObject(ref.idnum, ref.generation, writer)
    ref = writer.add_object(annot)
    annots = page_obj.get("/Annots")
    if annots is None:
        page_obj[pdf_name("/Annots")] = generic.ArrayObject([ref])
    else:
        annots.append(ref)
        if getattr(annots, "container_ref", None) is not None:
            writer.update_container(annots)


def box(values: tuple[float, ...]) -> generic.ArrayObject:
    return generic.ArrayObject([generic.FloatObject(v) for v in values])


def appearance(writer: IncrementalPdfFileWriter, width: float, height: float, ops: bytes,
               resources: dict[str, Any] | None = None) -> generic.IndirectObject:
    stream = generic.StreamObject({
        pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Form"),
        pdf_name("/BBox"): box((0, 0, width, height)),
        pdf_name("/Resources"): generic.DictionaryObject(resources or {}),
    }, stream_data=ops)
    return writer.add_object(stream)


def sign_raw(pdf: bytes, key: Any, field: str, *, certify: bool = False, style: Any = None) -> bytes:
    """Sign without checkengine's checks, as another tool would, with checkengine's stamp."""
    from pyhanko.sign import fields as sigfields
    from pyhanko.sign import signers

    from checkengine.pdf.sign import stamp_style

    if style is None:
        style = stamp_style(key, field=field, lang="en", zone="Asia/Taipei")

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256",
                                        subfilter=sigfields.SigSeedSubFilter.PADES, certify=certify)
    out = io.BytesIO()
    signers.PdfSigner(meta, key.signer, stamp_style=style).sign_pdf(writer, output=out, existing_fields_only=True)
    return out.getvalue()


def word_box(pdf: bytes, text: str, occurrence: int = 0) -> tuple[int, tuple[float, float, float, float]]:
    """(page, box in PDF points from the bottom left) of the *occurrence*-th word *text*."""
    from checkengine.pdf.verify.printed import extract

    seen = 0
    for index, pg in enumerate(extract(pdf)):
        for w in pg.words:
            if w.text == text:
                if seen == occurrence:
                    return index, (w.x0, pg.height - w.y1, w.x1, pg.height - w.y0)
                seen += 1
    raise AssertionError(f"no word {text!r}")
