"""PAdES signatures with pyHanko, each with a visible appearance in the form's signature block.

The audit form is rendered with two empty signature fields, ``inspector`` and ``manager``,
whose rectangles come from the laid-out signature blocks (``#sig-inspector``/``#sig-manager``).
Signing fills one of them in an incremental update, so a countersignature never breaks the
signatures before it. The appearance is a pyHanko stamp (``checkengine.pdf.stamp``) drawn at the
exact size of the field with a subset of the form language's Noto Sans CJK face, so that Chinese
and Korean names show. With a timestamp server (RFC 3161) the signature is PAdES B-T, else B-B.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from checkengine.errors import UserError
from checkengine.pdf import attachments as att
from checkengine.pdf.keys import LoadedKey
from checkengine.pdf.labels import Formatter

log = logging.getLogger(__name__)

ROLE_LABELS = {"inspector": "inspector", "manager": "site_manager"}
FIRST_SIGNER = "inspector"
TSA_TIMEOUT = 10  # seconds to wait for a timestamp server


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
        lock = field_lock(name, list(boxes))
        append_signature_field(writer, SigFieldSpec(
            sig_field_name=name, on_page=box.page, box=box.box,
            field_mdp_spec=lock, doc_mdp_update_value=_fill_forms() if lock else None,
        ))
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]  # pyHanko's PDF writers have no type hints
    return out.getvalue()


def field_lock(name: str, names: list[str]) -> Any:
    """The FieldMDP lock of the signature field *name*: the inspector's signature locks every
    field but the later ones (the manager's), so that readers such as Acrobat refuse any other
    change after it, as ``checkengine verify`` does. None for the last field."""
    from pyhanko.sign.fields import FieldMDPAction, FieldMDPSpec

    later = names[names.index(name) + 1:]
    if not later:
        return None
    return FieldMDPSpec(action=FieldMDPAction.EXCLUDE, fields=later)


def _fill_forms() -> Any:
    from pyhanko.sign.fields import MDPPerm

    return MDPPerm.FILL_FORMS


def _fields(reader: Any) -> list[FieldInfo]:
    from pyhanko.sign.fields import enumerate_sig_fields

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


def _embedded_json(reader: Any, name: str) -> Any:
    """The embedded file *name* of the PDF parsed as JSON, or None (absent or unreadable)."""
    try:
        tree = reader.root["/Names"]["/EmbeddedFiles"]
    except KeyError:
        return None
    nodes = [tree]
    while nodes:
        node = nodes.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        pairs = node.get("/Names") or []
        for i in range(0, len(pairs) - 1, 2):
            if str(pairs[i]) == name:
                try:
                    return json.loads(pairs[i + 1].get_object()["/EF"]["/F"].get_object().data)
                except (KeyError, ValueError, AttributeError):
                    return None
        nodes.extend(node.get("/Kids") or [])
    return None


def _form_facts(reader: Any) -> tuple[str, str | None, str]:
    """The form's language, the site's time zone and the site id, from its attachments."""
    lang, zone, site_id = "en", None, ""
    result = _embedded_json(reader, att.RESULT)
    if isinstance(result, dict) and result.get("language"):
        lang = str(result["language"])
    record = _embedded_json(reader, att.RECORD)
    site = record.get("site") if isinstance(record, dict) else None
    if isinstance(site, dict):
        zone = site.get("timezone")
        site_id = str(site.get("id", ""))
    elif isinstance(site, str):
        site_id = site
    return lang, zone, site_id


def _in_zone(when: datetime, zone: str | None) -> datetime:
    if zone:
        try:
            return when.astimezone(ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return when.astimezone()


def stamp_style(key: LoadedKey, *, field: str, lang: str, zone: str | None, drawing: Any = None) -> Any:
    """The pyHanko stamp style of *key*'s visible signature in the field *field*; *drawing* (a
    Pillow image from :func:`checkengine.pdf.sign_drawing.read_drawing`) shows beside the text."""
    from checkengine.pdf.stamp import Line, SignatureLook, SignatureStampStyle, face_for

    fmt = Formatter(lang)
    labels = fmt.labels
    role = labels[ROLE_LABELS[field]] if field in ROLE_LABELS else field
    after = [Line(f"{labels['certificate']} SHA-256 {key.fingerprint}", 5.6)]
    if key.self_signed:
        after.append(Line(labels["self_signed_warning"], 6.2, color=(0.69, 0.0, 0.0), bold=True))
    look = SignatureLook(
        family=face_for(lang),
        lines_before_time=(Line(f"{labels['signed_by']} ({role})", 6.8), Line(key.common_name, 8.5, bold=True)),
        time_label=labels["signed_at"],
        lines_after_time=tuple(after),
        format_time=lambda when: fmt.datetime(_in_zone(when, zone)),
        drawing=drawing,
    )
    return SignatureStampStyle(look=look)


def sign_pdf(
    pdf: bytes,
    key: LoadedKey,
    *,
    field: str,
    tsa_url: str | None = None,
    reason: str | None = None,
    location: str | None = None,
    drawing: bytes | None = None,
) -> bytes:
    """Fill the empty signature field *field* with a PAdES signature; return the new PDF bytes.
    *drawing*, the signer's drawn signature (a PNG), shows in the field beside the text."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields as sigfields
    from pyhanko.sign import signers
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError

    if not pdf.startswith(b"%PDF"):
        raise UserError("the input is not a PDF file")
    drawn = None
    if drawing is not None:
        from checkengine.pdf.sign_drawing import DrawingRefused, read_drawing

        try:
            drawn = read_drawing(drawing)
        except DrawingRefused as bad:
            raise UserError(str(bad)) from None
    if tsa_url and not tsa_url.startswith(("http://", "https://")):
        raise UserError(f"--tsa {shown_url(tsa_url)}: a timestamp server URL starts with http:// or https://")
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        existing = _fields(writer.prev)
        lang, zone, site_id = _form_facts(writer.prev)
    except (PdfError, ValueError, KeyError) as exc:
        raise UserError(f"cannot read the PDF: {exc}") from None
    target = next((f for f in existing if f.name == field), None)
    if target is None:
        names = ", ".join(f.name for f in existing) or "none"
        raise UserError(f"the form has no signature field '{field}' (its signature fields: {names})")
    if target.signed:
        raise UserError(f"the signature field '{field}' is already signed")
    first = field == FIRST_SIGNER
    if first and any(f.signed for f in existing):
        signed = ", ".join(f"'{f.name}'" for f in existing if f.signed)
        raise UserError(f"the inspector signs first, but the form is already signed in {signed}")
    from checkengine.pdf.verify.features import renderer_problems

    try:
        refused = renderer_problems(writer.prev)
    except Exception as exc:  # noqa: BLE001 - a hostile file's structure: refuse it, no traceback
        raise UserError(f"cannot read the PDF's pages: {exc}") from None
    if refused:
        raise UserError("refusing to sign: the form holds what checkengine's renderer never makes, "
                        "so what a reader shows may not be what is signed:\n  " + "\n  ".join(refused))

    timestamper = HTTPTimeStamper(tsa_url, timeout=TSA_TIMEOUT) if tsa_url else None
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        md_algorithm=_digest_for(key),
        subfilter=sigfields.SigSeedSubFilter.PADES,
        reason=reason or f"{field} signature",
        location=location or site_id or None,
        name=key.common_name,
        use_pades_lta=False,
        embed_validation_info=False,
        # The inspector's is a certification signature (DocMDP P=2: only form filling and
        # signing may follow), with the field lock above: readers refuse other changes too.
        certify=first,
        docmdp_permissions=_fill_forms(),
    )
    style = stamp_style(key, field=field, lang=lang, zone=zone, drawing=drawn)
    pdf_signer = signers.PdfSigner(meta, key.signer, timestamper=timestamper, stamp_style=style)
    room = None if timestamper else signature_room(key)
    out = io.BytesIO()
    try:
        pdf_signer.sign_pdf(writer, existing_fields_only=True, output=out,
                            bytes_reserved=2 * room if room else None)  # pyHanko counts hex digits
    except TimestampRequestError as exc:
        raise UserError(_timestamp_problem(shown_url(str(tsa_url)), exc)) from None
    except (SigningError, PdfError) as exc:
        raise UserError(f"signing failed: {exc}") from None
    return out.getvalue()


def _digest_for(key: LoadedKey) -> str | None:
    """SHA-256, but for EdDSA keys, whose digest the signature mechanism fixes (pyHanko picks it)."""
    from cryptography.hazmat.primitives.asymmetric import ed448, ed25519

    eddsa = isinstance(key.certificate.public_key(), (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey))
    return None if eddsa else "sha256"


def signature_room(key: LoadedKey) -> int | None:
    """Bytes to reserve for the signature (a CMS SignedData) of *key* without a timestamp.

    It holds the certificates (the signer's and those of its chain), the signed attributes and
    the signature value: a fixed margin for the attributes plus the certificates' DER sizes
    and the largest signature the key can make is always enough. Without it pyHanko signs
    twice, once to measure. None for a key with no size (Ed25519, Ed448): pyHanko measures.
    With a timestamp the token's size is the server's; pyHanko then measures with a trial
    request.
    """
    key_size = getattr(key.certificate.public_key(), "key_size", None)
    if not isinstance(key_size, int):
        return None
    certs = [key.signer.signing_cert, *key.signer.cert_registry]
    return 4096 + sum(len(cert.dump()) for cert in certs) + 2 * ((key_size + 7) // 8) + 16


def shown_url(url: str) -> str:
    """*url* without any user name and password in it, so that messages never show credentials."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _timestamp_problem(url: str, exc: BaseException) -> str:
    """Why the timestamp server at *url* gave no timestamp, as a sentence."""
    import aiohttp

    cause = exc.__cause__
    if isinstance(cause, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return f"the timestamp server {url} did not answer within {TSA_TIMEOUT} s; no signature was made"
    if isinstance(cause, aiohttp.ClientConnectorError):
        error = cause.os_error
        reason = os.strerror(error.errno) if error.errno and error.errno > 0 else (error.strerror or str(error))
        return f"cannot connect to the timestamp server {url} ({reason}); no signature was made"
    if isinstance(cause, aiohttp.ContentTypeError):
        return f"the timestamp server {url} did not answer with a timestamp: {cause.message}; no signature was made"
    if isinstance(cause, aiohttp.ClientResponseError):
        return (f"the timestamp server {url} answered HTTP {cause.status} {cause.message}; "
                "no signature was made")
    if cause is not None:
        return f"the timestamp server {url} did not answer: {cause}; no signature was made"
    return f"the timestamp server {url} gave no timestamp: {exc}; no signature was made"
