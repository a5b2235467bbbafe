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

__all__ = ["atomic_output", "is_signed_pdf", "read_pdf", "refuse_existing", "write_atomic"]


def read_pdf(path: Path | str) -> bytes:
    """The bytes of the PDF file at *path*; a UserError when it cannot be read, is not a PDF, or
    is larger than CHECKENGINE_MAX_PDF_BYTES or holds a stream that decodes to more than
    CHECKENGINE_MAX_PDF_STREAM_BYTES (a compression bomb)."""
    source = Path(path)
    data = read_capped(source, limits.PDF_BYTES, what="PDF")
    if not data.startswith(b"%PDF"):
        raise UserError(f"{source} is not a PDF file")
    from checkengine.pdf.streams import check_streams

    check_streams(data, str(source))
    return data
