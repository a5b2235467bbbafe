"""PAdES signatures with pyHanko, each with a visible appearance in the form's signature block.

The audit form is rendered with two empty signature fields, ``inspector`` and ``manager``,
whose rectangles come from the laid-out signature blocks (``#sig-inspector``/``#sig-manager``).
Signing fills one of them in an incremental update, so a countersignature never breaks the
signatures before it. The appearance is rendered with WeasyPrint (same fonts as the form, so
Chinese and Korean names show), at the exact size of the field, and imported as the widget's
appearance. With a timestamp server (RFC 3161) the signature is PAdES B-T, else B-B.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from checkengine.errors import UserError
from checkengine.pdf import attachments as att
from checkengine.pdf import fonts
from checkengine.pdf.fetcher import SafeFetcher
from checkengine.pdf.keys import LoadedKey
from checkengine.pdf.labels import Formatter, forms_dir

log = logging.getLogger(__name__)

ROLE_LABELS = {"inspector": "inspector", "manager": "site_manager"}


@dataclass(frozen=True)
class FieldInfo:
    name: str
    page: int
    box: tuple[float, float, float, float]
    signed: bool


def add_signature_fields(pdf: bytes, boxes: dict[str, Any]) -> bytes:
    """Add an empty signature field per box (name -> SignatureBox) in an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    for name, box in boxes.items():
        append_signature_field(writer, SigFieldSpec(sig_field_name=name, on_page=box.page, box=box.box))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signature_fields(pdf: bytes) -> list[FieldInfo]:
    """The signature fields of a PDF with their page, rectangle and whether they are signed."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    pages = {}
    for index in range(int(reader.root["/Pages"]["/Count"])):
        ref = reader.find_page_for_modification(index)[0]
        pages[(ref.idnum, ref.generation)] = index
    out = []
    for name, value, ref in enumerate_sig_fields(reader):
        field = ref.get_object()
        widget = field
        if "/Rect" not in field and "/Kids" in field:
            widget = field["/Kids"][0].get_object()
        rect = tuple(float(v) for v in widget.get("/Rect", [0, 0, 0, 0]))
        page_ref = widget.get_value_as_reference("/P") if "/P" in widget else None
        page = pages.get((page_ref.idnum, page_ref.generation), 0) if page_ref is not None else 0
        out.append(FieldInfo(name, page, rect, value is not None))  # type: ignore[arg-type]
    return out


def _form_facts(pdf: bytes) -> tuple[str, str | None, str]:
    """The form's language, the site's time zone and the site id, from its attachments."""
    try:
        files = att.read_attachments(pdf)
    except UserError:
        return "en", None, ""
    lang, zone, site_id = "en", None, ""
    if att.RESULT in files:
        try:
            lang = str(json.loads(files[att.RESULT]).get("language") or "en")
        except (ValueError, AttributeError):
            pass
    if att.RECORD in files:
        try:
            site = json.loads(files[att.RECORD]).get("site")
        except (ValueError, AttributeError):
            site = None
        if isinstance(site, dict):
            zone = site.get("timezone")
            site_id = str(site.get("id", ""))
        elif isinstance(site, str):
            site_id = site
    return lang, zone, site_id


def _now_in(zone: str | None) -> datetime:
    now = datetime.now(timezone.utc)
    if zone:
        try:
            return now.astimezone(ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return now.astimezone()


def render_stamp(key: LoadedKey, *, field: str, lang: str, width: float, height: float, when: datetime) -> bytes:
    """The visible signature as a one-page PDF of exactly *width* x *height* points."""
    from checkengine.pdf.render import environment, html_to_document, write_document

    fmt = Formatter(lang)
    role = fmt.labels[ROLE_LABELS[field]] if field in ROLE_LABELS else field
    html = environment().get_template("stamp.html.j2").render(
        html_lang=fonts.html_lang(lang),
        L=fmt.labels,
        role=role,
        signer=key.common_name,
        signed_at=fmt.datetime(when),
        fingerprint=key.fingerprint,
        self_signed=key.self_signed,
        width_pt=f"{width:.2f}",
        height_pt=f"{height:.2f}",
    )
    fetcher = SafeFetcher([forms_dir()], max_bytes=1024 * 1024)
    document = html_to_document(html, fetcher=fetcher)
    return write_document(document, fetcher=fetcher)


def sign_pdf(
    pdf: bytes,
    key: LoadedKey,
    *,
    field: str,
    tsa_url: str | None = None,
    reason: str | None = None,
    location: str | None = None,
) -> bytes:
    """Fill the empty signature field *field* with a PAdES signature; return the new PDF bytes."""
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields as sigfields
    from pyhanko.sign import signers
    from pyhanko.sign.general import SigningError
    from pyhanko.stamp import StaticStampStyle

    if not pdf.startswith(b"%PDF"):
        raise UserError("the input is not a PDF file")
    try:
        existing = signature_fields(pdf)
    except (PdfError, ValueError, KeyError) as exc:
        raise UserError(f"cannot read the PDF: {exc}") from None
    target = next((f for f in existing if f.name == field), None)
    if target is None:
        names = ", ".join(f.name for f in existing) or "none"
        raise UserError(f"the form has no signature field '{field}' (its signature fields: {names})")
    if target.signed:
        raise UserError(f"the signature field '{field}' is already signed")
    lang, zone, site_id = _form_facts(pdf)
    fonts.require_fonts(lang)
    when = _now_in(zone)
    x1, y1, x2, y2 = target.box
    stamp = render_stamp(key, field=field, lang=lang, width=abs(x2 - x1), height=abs(y2 - y1), when=when)

    timestamper = None
    if tsa_url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        if not tsa_url.startswith(("http://", "https://")):
            raise UserError(f"--tsa {tsa_url}: a timestamp server URL starts with http:// or https://")
        timestamper = HTTPTimeStamper(tsa_url, timeout=20)

    meta = signers.PdfSignatureMetadata(
        field_name=field,
        md_algorithm="sha256",
        subfilter=sigfields.SigSeedSubFilter.PADES,
        reason=reason or f"{field} signature",
        location=location or site_id or None,
        name=key.common_name,
        use_pades_lta=False,
        embed_validation_info=False,
    )
    with tempfile.TemporaryDirectory(prefix="checkengine-stamp-") as tmp:
        stamp_path = Path(tmp) / "stamp.pdf"
        stamp_path.write_bytes(stamp)
        style = StaticStampStyle.from_pdf_file(
            str(stamp_path),
            border_width=0,
            background_opacity=1.0,
            background_layout=layout.SimpleBoxLayoutRule(
                x_align=layout.AxisAlignment.ALIGN_MIN,
                y_align=layout.AxisAlignment.ALIGN_MAX,
                margins=layout.Margins.uniform(0),
            ),
        )
        pdf_signer = signers.PdfSigner(meta, key.signer, timestamper=timestamper, stamp_style=style)
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        out = io.BytesIO()
        try:
            pdf_signer.sign_pdf(writer, existing_fields_only=True, output=out)
        except (SigningError, PdfError) as exc:
            raise UserError(f"signing failed: {exc}") from None
        except Exception as exc:
            if timestamper is not None and _is_network_error(exc):
                raise UserError(f"the timestamp server {tsa_url} did not answer: {exc}") from None
            raise
    return out.getvalue()


def _is_network_error(exc: BaseException) -> bool:
    from pyhanko.sign.timestamps import TimestampRequestError

    try:
        import aiohttp

        network: tuple[type[BaseException], ...] = (aiohttp.ClientError, asyncio.TimeoutError, OSError, TimestampRequestError)
    except ImportError:  # pragma: no cover - aiohttp comes with pyHanko
        network = (asyncio.TimeoutError, OSError, TimestampRequestError)
    return isinstance(exc, network)
