"""Signing in the browser: each auditor and manager signs with their own key, a PKCS#12 store
uploaded once to their profile and kept as uploaded (encrypted by its password). The password is
asked at each signing, used for that signing only, and never stored or logged.

The auditor's signature goes on the audit form made from the submission as it was evaluated (the
record, its result and the rulebook embedded, photos on the failed items); the site manager's
countersignature goes in the form's empty ``manager`` field when they accept the submission
(:mod:`checkengine.web.review`). Either may draw their signature on the page's signature pad: it
shows in their signature's appearance, beside their name, role and the signing time. Both are
pyHanko's PAdES signatures (:mod:`checkengine.pdf.sign`), so ``checkengine verify`` and the public
verify page check them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import tempfile
from pathlib import Path
from typing import Mapping

from checkengine.archive.workspace import Submission
from checkengine.errors import UserError
from checkengine.pdf.keys import LoadedKey
from checkengine.rulebook.model import Rulebook

MAX_KEY_BYTES = 64 * 1024
DATA_URL = "data:image/png;base64,"


def drawing_from_field(value: str) -> bytes | None:
    """The drawn signature sent by the signature pad (a ``data:image/png;base64,`` URL in the form's
    ``drawing`` field), checked to be a real PNG of bounded size with a stroke in it; None when
    nothing was drawn. :class:`~checkengine.pdf.sign_drawing.DrawingRefused` otherwise."""
    from checkengine.pdf.sign_drawing import MAX_BYTES, DrawingRefused, read_drawing

    if not value:
        return None
    if not value.startswith(DATA_URL):
        raise DrawingRefused("drawing_not_png")
    if len(value) > len(DATA_URL) + (MAX_BYTES * 4) // 3 + 4:
        raise DrawingRefused("drawing_too_big", limit=MAX_BYTES // 1024)
    try:
        png = base64.b64decode(value[len(DATA_URL):], validate=True)
    except (binascii.Error, ValueError):
        raise DrawingRefused("drawing_not_png") from None
    read_drawing(png)  # refuses what is not a drawing, with the reason
    return png


def _load(p12: bytes, password: str) -> LoadedKey:
    from checkengine.pdf.keys import load_key

    if len(p12) > MAX_KEY_BYTES:
        raise UserError("the key store is larger than 64 KB; a PKCS#12 key store is smaller")
    with tempfile.TemporaryDirectory(prefix="checkengine-key-") as folder:
        path = Path(folder) / "key.p12"
        path.write_bytes(p12)
        try:
            return load_key(path, password=lambda _prompt: password.encode())
        except UserError as exc:
            # The message names the temporary file; the user knows it as "the key store".
            raise UserError(str(exc).replace(str(path), "the key store")) from None


def key_subject(p12: bytes, password: str) -> str:
    """The certificate's subject of a PKCS#12 store that opens with *password* (else UserError)."""
    return _load(p12, password).common_name


def sign_as_inspector(book: Rulebook, submission: Submission, photos: Mapping[str, bytes], p12: bytes,
                      password: str, drawing: bytes | None = None, *, tsa: str | None = None) -> tuple[bytes, str]:
    """The audit form of *submission*, signed as the inspector (timestamped by *tsa*, when given);
    (PDF, its SHA-256)."""
    from checkengine.pdf.render import render_audit_form
    from checkengine.pdf.sign import sign_pdf

    key = _load(p12, password)
    with tempfile.TemporaryDirectory(prefix="checkengine-form-") as folder:
        for digest, data in photos.items():
            (Path(folder) / f"photo:{digest}").write_bytes(data)  # the record's evidence names them so
        rendered = render_audit_form(submission.result, submission.record, book.merged, lang=submission.language,
                                     base_dir=folder)
    pdf = sign_pdf(rendered.pdf, key, field="inspector", drawing=drawing, tsa_url=tsa)
    return pdf, hashlib.sha256(pdf).hexdigest()


def countersign(pdf: bytes, p12: bytes, password: str, drawing: bytes | None = None, *,
                tsa: str | None = None) -> tuple[bytes, str]:
    """*pdf* countersigned in its ``manager`` field (timestamped by *tsa*, when given); (PDF, its SHA-256)."""
    from checkengine.pdf.sign import sign_pdf

    signed = sign_pdf(pdf, _load(p12, password), field="manager", drawing=drawing, tsa_url=tsa)
    return signed, hashlib.sha256(signed).hexdigest()
