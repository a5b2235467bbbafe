"""A PDF given as input is checked for compression bombs before anything else parses it.

Every stream object is decoded once by pypdf under its own output limits (its ``Configuration``),
set to CHECKENGINE_MAX_PDF_STREAM_BYTES: a stream that would decode to more is refused with a
message, so the readers that come after (pypdf for ``form read``, pyHanko for ``sign`` and
``verify``) only ever see streams of a bounded size. A PDF that cannot be parsed is a
:class:`DamagedPdf` (``verify`` reports it as an INVALID form, the others refuse it), raised only
after every object that can be read was checked, so damage never hides a bomb.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from checkengine import limits
from checkengine.errors import Location, UserError


class DamagedPdf(UserError):
    """The file is a PDF (it starts with ``%PDF``) but cannot be parsed: damaged or cut short.

    Raised only after every stream that can be read has been checked against the limit, so a
    compression bomb in a damaged file is still refused as one. ``reason`` is the parser's words.
    """

    def __init__(self, reason: str, where: Location) -> None:
        super().__init__(f"the PDF is damaged and cannot be read ({reason}); is this the right file?", where)
        self.reason = reason


OVER = "decoded stream over the limit"
_DAMAGE = (ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError, IndexError)


def _limit_error(exc: Exception, number: int, cap: int, where: Location) -> UserError | None:
    """The message for a stream over the limit, or None when *exc* is damage of another kind
    (pypdf also raises LimitReachedError for a reference loop, which is damage, not size)."""
    text = str(exc)
    if "decompress" in text or text == OVER:
        return UserError(
            f"object {number} holds a stream that decodes to more than {limits.size_text(cap)} (a "
            f"compression bomb?); refused. If the PDF is genuine, {limits.PDF_STREAM_BYTES.hint()}",
            where,
        )
    if "exceeds" in text and ("maximum" in text or "limit" in text):
        return UserError(
            f"object {number} holds a stream larger than {limits.size_text(cap)} ({text}); "
            f"refused. If the PDF is genuine, {limits.PDF_STREAM_BYTES.hint()}",
            where,
        )
    return None


def check_streams(data: bytes, display: str) -> None:
    """Refuse *data* when one of its streams decodes to more than the limit (a UserError), or
    when it cannot be parsed (a :class:`DamagedPdf`, after every readable stream was checked)."""
    import pypdf
    from pypdf.errors import LimitReachedError, PyPdfError
    from pypdf.generic import IndirectObject, StreamObject

    cap = limits.PDF_STREAM_BYTES.get()
    overwrites = {name: cap for name in (
        "maximum_declared_stream_length", "array_based_stream_maximum_output_length",
        "jbig2_maximum_output_length", "lzw_maximum_output_length",
        "run_length_maximum_output_length", "zlib_maximum_output_length", "image_maximum_buffer_size")}
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    where = Location(display)
    damage: str | None = None
    number = 0
    with pypdf.apply_configuration(None, **overwrites):
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            ids: set[tuple[int, int]] = set()
            for generation, table in reader.xref.items():
                ids.update((num, generation) for num in table)
            ids.update((num, 0) for num in reader.xref_objStm)
        except (PyPdfError, *_DAMAGE) as exc:
            refused = _limit_error(exc, number, cap, where)
            if refused is not None:
                raise refused from None
            raise DamagedPdf(f"{type(exc).__name__}: {str(exc)[:200]}", where) from None
        for number, generation in sorted(ids):
            # A damaged object does not stop the check: the others may still hold a bomb.
            try:
                obj: Any = IndirectObject(number, generation, reader).get_object()
                if isinstance(obj, StreamObject) and len(obj.get_data()) > cap:
                    raise LimitReachedError(OVER)
            except (PyPdfError, *_DAMAGE) as exc:
                refused = _limit_error(exc, number, cap, where)
                if refused is not None:
                    raise refused from None
                damage = damage or f"{type(exc).__name__}: {str(exc)[:200]}"
    if damage is not None:
        raise DamagedPdf(damage, where)
