"""What a form may load while it renders: the project's own assets and the record's evidence.

Two lines of defence:

* :func:`check_record_text` and :func:`resolve_evidence` look at the record *before* rendering
  and refuse, naming the record field, any value that is a link (``file:``, ``http(s):``,
  ``data:`` ...) or climbs out of a folder (``../``), and any evidence file that is missing,
  outside the record's folder (symbolic links included), too large or not a photo;
* :class:`SafeFetcher` is WeasyPrint's URL fetcher: it serves ``file:`` URLs whose resolved
  path is inside the forms folder or the record's folder, and stops the render on anything
  else, so a template (or a bug) can never pull in another file or reach the network.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from checkengine import limits
from checkengine.errors import UserError

DEFAULT_MAX_PHOTO_MB = 10.0
LINK_SCHEMES = ("file", "http", "https", "data", "ftp", "ftps", "sftp", "javascript", "blob")
_LINK = re.compile(r"^\s*(" + "|".join(LINK_SCHEMES) + r")\s*:", re.IGNORECASE)
_CLIMB = re.compile(r"(^|[\\/])\.\.([\\/]|$)")
_PHOTO_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


class RefusedResource(FatalURLFetchingError):  # type: ignore[misc]  # WeasyPrint has no type hints: its classes are Any
    """Stops a render: the template or the record asked for something it may not load."""

    def __init__(self, error: UserError) -> None:
        super().__init__(str(error))
        self.error = error


def walk_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a record with its field path (``answers.DRS-04.evidence[0]``)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from walk_strings(item, f"{path}[{i}]")


def check_text(field: str, value: str) -> None:
    """Refuse a record value that is a link, a path that climbs out of its folder, or text longer
    than CHECKENGINE_MAX_TEXT_CHARS (laying out a very long word costs time out of proportion)."""
    cap = limits.TEXT_CHARS.get()
    if len(value) > cap:
        raise UserError(
            f"{field}: the text is {len(value):,} characters long; a form prints at most {cap:,} "
            f"characters of one value: shorten it (attach long documents as evidence), or "
            f"{limits.TEXT_CHARS.hint()}"
        )
    match = _LINK.match(value)
    if match:
        raise UserError(
            f"{field}: '{value}' is a link ({match.group(1).lower()}:); a form embeds only "
            "files from the record's own folder, so file:, http(s): and data: links are refused"
        )
    if _CLIMB.search(value):
        raise UserError(
            f"{field}: '{value}' refers to a parent folder ('..'); files on a form must be "
            "inside the record's own folder"
        )


def check_record_text(record: Any, prefix: str = "") -> None:
    for field, value in walk_strings(record, prefix):
        check_text(field, value)


def sniff_photo(path: Path) -> str | None:
    """The MIME type of a JPEG, PNG, GIF or WebP file, from its first bytes; else None."""
    with path.open("rb") as fh:
        head = fh.read(16)
    for magic, mime in _PHOTO_MAGIC:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def resolve_evidence(ref: str, field: str, base_dir: Path, *, max_mb: float) -> Path:
    """The evidence file *ref* of record field *field*, checked; a UserError names what is wrong."""
    check_text(field, ref)
    if not ref.strip():
        raise UserError(f"{field}: the evidence path is empty")
    candidate = Path(ref)
    if candidate.is_absolute() or ref.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", ref):
        raise UserError(
            f"{field}: '{ref}' is an absolute path; give evidence files relative to the "
            "record's folder"
        )
    base = base_dir.resolve()
    target = base / candidate
    if not target.exists() and not target.is_symlink():
        raise UserError(f"{field}: the evidence file '{ref}' does not exist (looked for {target})")
    resolved = target.resolve()
    if not resolved.is_relative_to(base):
        raise UserError(
            f"{field}: '{ref}' resolves to {resolved}, outside the record's folder {base}; "
            "evidence files (and symbolic links) must stay inside it"
        )
    if not resolved.is_file():
        raise UserError(f"{field}: the evidence file '{ref}' is not a regular file")
    size = resolved.stat().st_size
    limit = int(max_mb * 1024 * 1024)
    if size > limit:
        raise UserError(
            f"{field}: the evidence photo '{ref}' is {size / 1024 / 1024:.1f} MB; the limit is "
            f"{max_mb:g} MB (raise it with --max-photo-size)"
        )
    if sniff_photo(resolved) is None:
        raise UserError(f"{field}: the evidence file '{ref}' is not a JPEG, PNG, GIF or WebP photo")
    check_photo(resolved, field, ref)
    return resolved


def check_photo(path: Path, field: str, ref: str) -> None:
    """Refuse a photo with more pixels than CHECKENGINE_MAX_PHOTO_PIXELS (read from its header,
    before anything is decoded), or one that is damaged: it would be left off the form silently."""
    from PIL import Image, UnidentifiedImageError

    cap = limits.PHOTO_PIXELS.get()
    try:
        Image.MAX_IMAGE_PIXELS = None  # opening reads the header only; the size is checked here
        with Image.open(path) as image:
            width, height = image.size
        if width * height > cap:
            raise UserError(
                f"{field}: the evidence photo '{ref}' is {width} x {height} pixels "
                f"({width * height / 1e6:.2g} megapixels); the limit is {cap / 1e6:g} megapixels: "
                f"scale it down, or {limits.PHOTO_PIXELS.hint()}"
            )
        Image.MAX_IMAGE_PIXELS = cap  # Pillow's own decompression-bomb guard, for every decoder after us
        with Image.open(path) as image:
            image.verify()  # the whole file's structure and checksums, without decoding pixels
        with Image.open(path) as image:
            image.load()  # a truncated or corrupt body fails here, not silently in the renderer
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UserError(
            f"{field}: the evidence photo '{ref}' has more than {cap / 1e6:g} megapixels: scale it "
            f"down, or {limits.PHOTO_PIXELS.hint()}"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UserError(
            f"{field}: the evidence photo '{ref}' is damaged and cannot be shown ({exc}); take or "
            "export it again"
        ) from None


class SafeFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no type hints: its classes are Any
    """WeasyPrint's fetcher, limited to ``file:`` URLs inside *roots*, each file at most *max_bytes*."""

    def __init__(self, roots: list[Path], *, max_bytes: int, fields: dict[str, str] | None = None):
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)
        self.roots = [r.resolve() for r in roots]
        self.max_bytes = max_bytes
        self.fields = fields or {}  # resolved path -> the record field it came from
        self.fetched: list[Path] = []

    def _refuse(self, url: str, why: str) -> RefusedResource:
        return RefusedResource(UserError(f"the form refers to '{url}', which {why}; refused"))

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            raise self._refuse(url, "is not a file in the forms folder or the record's folder")
        if parts.netloc not in ("", "localhost"):
            raise self._refuse(url, "names another host")
        raw = url2pathname(unquote(parts.path))
        if _CLIMB.search(raw):
            raise self._refuse(url, "climbs to a parent folder ('..')")
        path = Path(raw)
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise self._refuse(url, "does not exist") from None
        if not any(resolved.is_relative_to(root) for root in self.roots):
            raise self._refuse(url, "is outside the forms folder and the record's folder")
        if not resolved.is_file():
            raise self._refuse(url, "is not a regular file")
        size = resolved.stat().st_size
        if size > self.max_bytes:
            field = self.fields.get(str(resolved))
            where = f"{field}: " if field else ""
            raise RefusedResource(
                UserError(
                    f"{where}'{resolved.name}' is {size / 1024 / 1024:.1f} MB; the limit is "
                    f"{self.max_bytes / 1024 / 1024:g} MB (raise it with --max-photo-size)"
                )
            )
        body = resolved.read_bytes()
        mime = mimetypes.guess_type(resolved.name)[0] or "application/octet-stream"
        self.fetched.append(resolved)
        return URLFetcherResponse(resolved.as_uri(), body=body, headers={"Content-Type": mime})
