"""A PDF given as input is checked for compression bombs before anything else parses it.

Every stream object is decoded once by pypdf under its own output limits (its ``Configuration``),
set to CHECKENGINE_MAX_PDF_STREAM_BYTES: a stream that would decode to more is refused with a
message, so the readers that come after (pypdf for ``form read``, pyHanko for ``sign`` and
``verify``) only ever see streams of a bounded size.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from checkengine import limits
from checkengine.errors import Location, UserError


def check_streams(data: bytes, display: str) -> None:
    """Refuse *data* when one of its streams decodes to more than the limit, or it cannot be read."""
    import pypdf
    from pypdf.errors import LimitReachedError, PdfReadError, PyPdfError
    from pypdf.generic import IndirectObject, StreamObject

    cap = limits.PDF_STREAM_BYTES.get()
    overwrites = {name: cap for name in (
        "maximum_declared_stream_length", "array_based_stream_maximum_output_length",
        "jbig2_maximum_output_length", "lzw_maximum_output_length",
        "run_length_maximum_output_length", "zlib_maximum_output_length", "image_maximum_buffer_size")}
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    where = Location(display)
    number = 0
    try:
        with pypdf.apply_configuration(None, **overwrites):
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            ids: set[tuple[int, int]] = set()
            for generation, table in reader.xref.items():
                ids.update((num, generation) for num in table)
            ids.update((num, 0) for num in reader.xref_objStm)
            for number, generation in sorted(ids):
                obj: Any = IndirectObject(number, generation, reader).get_object()
                if isinstance(obj, StreamObject):
                    if len(obj.get_data()) > cap:
                        raise LimitReachedError("decoded stream over the limit")
    except LimitReachedError:
        raise UserError(
            f"object {number} holds a stream that decodes to more than {limits.size_text(cap)} (a "
            f"compression bomb?); refused. If the PDF is genuine, {limits.PDF_STREAM_BYTES.hint()}",
            where,
        ) from None
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError,
            RecursionError, OSError, IndexError) as exc:
        if "exceeds" in str(exc) and ("maximum" in str(exc) or "limit" in str(exc)):
            raise UserError(
                f"object {number} holds a stream larger than {limits.size_text(cap)} ({exc}); "
                f"refused. If the PDF is genuine, {limits.PDF_STREAM_BYTES.hint()}",
                where,
            ) from None
        raise UserError(f"the PDF is damaged and cannot be read ({type(exc).__name__}: "
                        f"{str(exc)[:200]}); is this the right file?", where) from None
