"""Reading a PDF file given as input, and (from :mod:`checkengine.output`) writing one safely.

An interrupted render (an exception, Ctrl-C) leaves no half-written file; an existing output is
never replaced without ``force`` (and the message says when it is a signed PDF).
"""

from __future__ import annotations

from pathlib import Path

from checkengine import limits
from checkengine.errors import UserError
from checkengine.inputs import read_capped
from checkengine.output import atomic_output, is_signed_pdf, refuse_existing, write_atomic
from checkengine.pdf.streams import DamagedPdf, check_streams

__all__ = ["atomic_output", "is_signed_pdf", "read_pdf", "read_pdf_or_damage", "refuse_existing", "write_atomic"]


def read_pdf(path: Path | str) -> bytes:
    """The bytes of the PDF file at *path*; a UserError when it cannot be read, is not a PDF, is
    damaged, or is larger than CHECKENGINE_MAX_PDF_BYTES or holds a stream that decodes to more
    than CHECKENGINE_MAX_PDF_STREAM_BYTES (a compression bomb)."""
    data, damage = read_pdf_or_damage(path)
    if damage is not None:
        raise damage
    return data


def read_pdf_or_damage(path: Path | str) -> tuple[bytes, DamagedPdf | None]:
    """As :func:`read_pdf`, but a file that is a PDF and cannot be parsed is returned with the
    reason (for ``verify``, where a damaged form is a finding); the limits still refuse."""
    source = Path(path)
    data = read_capped(source, limits.PDF_BYTES, what="PDF")
    if not data.startswith(b"%PDF"):
        raise UserError(f"{source} is not a PDF file")
    try:
        check_streams(data, str(source))
    except DamagedPdf as damage:
        return data, damage
    return data, None
