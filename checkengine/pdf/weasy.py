"""WeasyPrint: HTML laid out and written as PDF, with checkengine's safe fetcher, the forms'
jinja2 environment (autoescape on), and where the signature blocks were laid out.

WeasyPrint's warnings go to Python logging (logger ``weasyprint``); the CLI shows them on stderr.
"""

from __future__ import annotations

import contextlib
import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import jinja2

from checkengine.errors import UserError
from checkengine.pdf.fetcher import RefusedResource, SafeFetcher
from checkengine.pdf.labels import css_string, forms_dir

PX_TO_PT = 0.75  # CSS px -> PDF points
SIGNATURE_FIELDS = ("inspector", "manager")
PDF_VARIANT = "pdf/a-3b"


@dataclass(frozen=True)
class SignatureBox:
    """Where a signature block was laid out: a 0-based page and a PDF rectangle in points."""

    field: str
    page: int
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 from the bottom-left corner

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


@dataclass
class RenderedForm:
    pdf: bytes
    pages: int
    signature_boxes: dict[str, SignatureBox] = field(default_factory=dict)
    fetched: list[Path] = field(default_factory=list)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The forms' jinja2 environment: one per process, so each template is compiled once."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(forms_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css"] = css_string
    env.globals["generator"] = creator()
    return env


@contextlib.contextmanager
def _resource_errors() -> Iterator[None]:
    """Turn WeasyPrint's failure to load a resource into a UserError (a refusal into its own)."""
    from weasyprint.urls import FatalURLFetchingError

    try:
        yield
    except RefusedResource as exc:
        raise exc.error from None
    except FatalURLFetchingError as exc:
        cause = exc.__cause__
        if isinstance(cause, RefusedResource):
            raise cause.error from None
        raise UserError(f"the form could not load a resource: {exc} ({cause})") from None


def html_to_document(html: str, *, fetcher: SafeFetcher, **options: Any) -> Any:
    """Lay *html* out with WeasyPrint; a refused resource becomes the UserError it carries."""
    from weasyprint import HTML

    with _resource_errors():
        return HTML(string=html, base_url=forms_dir().as_uri() + "/", url_fetcher=fetcher).render(**options)


def write_document(document: Any, *, fetcher: SafeFetcher, **options: Any) -> bytes:
    """Write the laid-out *document* as PDF; resources it loads now fail as in :func:`html_to_document`."""
    with _resource_errors():
        pdf: bytes = document.write_pdf(finisher=_finish, **options)
    return pdf


def producer() -> str:
    """The Producer of checkengine's PDFs, in the document information and the XMP metadata alike.

    pyHanko writes every form's last revision (the signature fields, each signature) and sets the
    XMP ``pdf:Producer`` to its own name while it appends its name to the information
    dictionary's; both say pyHanko's name from the start, so that the two agree (PDF/A requires
    it). WeasyPrint, which laid the pages out, is named in the Creator (the HTML ``generator``)."""
    from pyhanko.pdf_utils.metadata.model import VENDOR

    return str(VENDOR)


def creator() -> str:
    """The Creator (XMP ``xmp:CreatorTool``): checkengine, and the WeasyPrint that laid the form out."""
    from weasyprint import __version__ as weasyprint_version

    from checkengine import __version__

    return f"checkengine {__version__} (WeasyPrint {weasyprint_version})"


def _finish(document: Any, pdf: Any) -> None:
    """WeasyPrint's PDF, set right before it is written: one ``/AF`` entry per attached file
    (WeasyPrint lists each file twice, once from the name tree and once as a file
    specification), and one Producer in the information dictionary and the XMP metadata."""
    import pydyf

    files = pdf.catalog.get("AF")
    if files is not None:
        seen: list[Any] = []
        for ref in files:
            if str(ref) not in {str(s) for s in seen}:
                seen.append(ref)
        pdf.catalog["AF"] = pydyf.Array(seen)
    name = producer()
    pdf.info["Producer"] = pydyf.String(name)
    meta_ref = pdf.catalog.get("Metadata")
    if meta_ref is None:
        return
    ref = meta_ref.decode() if isinstance(meta_ref, bytes) else str(meta_ref)
    stream = pdf.objects[int(ref.split()[0])]
    old = re.compile(rb'pdf:Producer="[^"]*"')
    escaped = html.escape(name, quote=True).encode("utf-8")
    stream.stream = [old.sub(b'pdf:Producer="' + escaped + b'"', bytes(part)) for part in stream.stream]


def signature_boxes(document: Any, names: tuple[str, ...] = SIGNATURE_FIELDS) -> dict[str, SignatureBox]:
    """The laid-out rectangles of the elements ``#sig-NAME``, in PDF coordinates."""
    found: dict[str, SignatureBox] = {}
    for index, page in enumerate(document.pages):
        for anchor, (x1, y1, x2, y2) in page.anchors.items():
            if not anchor.startswith("sig-") or anchor[4:] not in names:
                continue
            height = page.height
            box = (
                round(x1 * PX_TO_PT, 2),
                round((height - y2) * PX_TO_PT, 2),
                round(x2 * PX_TO_PT, 2),
                round((height - y1) * PX_TO_PT, 2),
            )
            found[anchor[4:]] = SignatureBox(anchor[4:], index, box)
    missing = [n for n in names if n not in found]
    if missing:
        raise UserError(f"the form template has no signature block for {', '.join(missing)}")
    return found
