"""The byte structure of a signed form, checked beyond what pyHanko checks.

pyHanko decides that a signature "covers the entire file" from a sum of lengths; the published
attacks on PDF signatures (incremental saving, signature wrapping, universal signature forgery)
live in the gaps of such shortcuts. Each signature is held here to the shape that a signer who
follows the standard writes:

* its ByteRange is ``[0 a b c]`` and the gap ``a..b`` is exactly this signature dictionary's
  ``/Contents`` hex string, inside the dictionary's own bytes;
* the signed bytes end where a revision ends (its ``%%EOF``), and that revision is the one
  that stores the signature dictionary;
* no later revision writes the signature dictionary, its field, its widget or its page again;

and the file ends with its last revision's ``%%EOF`` and at most one line end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EOF_MARK = b"%%EOF"


@dataclass(frozen=True)
class Revision:
    index: int
    eof: int  # offset just past this revision's %%EOF
    end: int  # ... and past the one line end after it, if any


def _line_end(data: bytes, at: int) -> int:
    if data[at:at + 2] == b"\r\n":
        return at + 2
    if data[at:at + 1] in (b"\n", b"\r"):
        return at + 1
    return at


def revisions(reader: Any, data: bytes) -> tuple[list[Revision], list[str]]:
    """Where each revision of the file ends, and the problems of the file's end and order."""
    found: list[Revision] = []
    problems: list[str] = []
    total = reader.xrefs.total_revisions
    for index in range(total):
        info = reader.xrefs.get_xref_container_info(index)
        at = data.find(EOF_MARK, info.end_location)
        if at < 0:
            problems.append(f"revision {index + 1} of {total} has no end-of-file marker (%%EOF): the file is cut "
                            "short or was not saved properly")
            continue
        found.append(Revision(index, at + len(EOF_MARK), _line_end(data, at + len(EOF_MARK))))
    for before, after in zip(found, found[1:]):
        if after.eof <= before.eof:
            problems.append(f"the file's revisions are out of order (revision {after.index + 1} ends before "
                            f"revision {before.index + 1}): a later update was hidden inside earlier bytes")
            break
    last_mark = data.rfind(EOF_MARK)
    tail = len(data) - _line_end(data, last_mark + len(EOF_MARK)) if last_mark >= 0 else len(data)
    if last_mark < 0:
        problems.append("the file has no end-of-file marker (%%EOF): it is cut short")
    elif tail:
        problems.append(f"the file has {tail} bytes after its last end-of-file marker (%%EOF): something "
                        "was appended that no signature covers")
    elif found and found[-1].end != len(data):
        problems.append("the file's last end-of-file marker (%%EOF) is not the end of its last revision: "
                        "bytes were appended without a proper update")
    return found, problems


def _ints(value: Any) -> list[int] | None:
    try:
        items = list(value)
    except TypeError:
        return None
    if len(items) != 4 or not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        return None
    return [int(i) for i in items]


def _contents_bytes(sig_object: Any) -> bytes | None:
    value = sig_object.raw_get("/Contents") if "/Contents" in sig_object else None
    if value is None:
        return None
    original = getattr(value, "original_bytes", None)
    if isinstance(original, bytes):
        return original
    return bytes(value) if isinstance(value, (bytes, bytearray)) else None


def byte_range_end(sig_object: Any) -> int | None:
    values = _ints(sig_object.raw_get("/ByteRange")) if "/ByteRange" in sig_object else None
    return values[2] + values[3] if values else None


def signature_problems(sig: Any, data: bytes, reader: Any, found: list[Revision]) -> list[str]:
    """The structural problems of the embedded signature *sig* (a pyHanko EmbeddedPdfSignature)."""
    sig_object = sig.sig_object
    values = _ints(sig.byte_range)
    if values is None or values[0] != 0:
        return ["the signature's byte range is not the four numbers '0 start gap length' that a signer writes: "
                "it could sign other bytes than the file shows"]
    _, a, b, c = values
    if not (0 < a < b and c >= 0 and b + c <= len(data)):
        return ["the signature's byte range points outside the file"]
    problems = []
    contents = _contents_bytes(sig_object)
    gap = data[a:b]
    try:
        in_gap = bytes.fromhex(gap[1:-1].decode("ascii")) if gap[:1] == b"<" and gap[-1:] == b">" else None
    except (UnicodeDecodeError, ValueError):
        in_gap = None
    if contents is None or in_gap != contents:
        problems.append("the unsigned gap in the signed bytes is not exactly this signature's value: other "
                        "content was slipped into the part that no signature covers (signature wrapping)")
    ref = sig_object.container_ref
    offset = reader.xrefs.get_historical_ref(ref, sig.signed_revision) if ref is not None else None
    if not isinstance(offset, int):
        problems.append("the signature dictionary is not stored as a plain object of the file")
    elif not (offset < a and data.find(b"endobj", offset) > b):
        problems.append("the signed gap is not inside this signature's own dictionary: the signature value "
                        "shown is not the one the signed bytes leave out (signature wrapping)")
    end = b + c
    revision = next((r for r in found if end in (r.eof, r.end)), None)
    if revision is None:
        problems.append("the signed bytes do not end where a revision of the file ends: part of the revision "
                        "that holds this signature is not signed")
    elif revision.index != sig.signed_revision or reader.xrefs.get_introducing_revision(ref) != revision.index:
        problems.append(f"the signature dictionary is not stored in the revision it signs (it signs revision "
                        f"{revision.index + 1}, but is stored in revision {sig.signed_revision + 1})")
    problems.extend(_redefined(sig, reader))
    return problems


def _redefined(sig: Any, reader: Any) -> list[str]:
    """Problems when a revision after the signed one writes the signature's own objects again."""
    watched: dict[Any, str] = {}
    if sig.sig_object.container_ref is not None:
        watched[sig.sig_object.container_ref] = "the signature dictionary"
    field = sig.sig_field
    field_ref = getattr(field, "container_ref", None)
    if field_ref is not None:
        watched[field_ref] = "the signature field"
    widgets = [k for k in field.get("/Kids", [])] if "/Kids" in field else []
    for kid in widgets:
        if hasattr(kid, "reference"):
            watched[kid.reference] = "the signature's widget"
    holder = widgets[0].get_object() if widgets else field
    page: Any = holder.raw_get("/P") if "/P" in holder else None
    if page is not None and hasattr(page, "reference"):
        watched[page.reference] = "the page that shows the signature"
    problems = []
    for later in range(sig.signed_revision + 1, reader.xrefs.total_revisions):
        written = reader.xrefs.explicit_refs_in_revision(later)
        for ref, what in watched.items():
            if ref in written:
                problems.append(f"revision {later + 1} writes {what} again after it was signed: a reader shows "
                                "the new version, not the signed one")
    return problems
